"""Many subscribers at once, written straight into the tables (the way a big deployment looks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.store import SqlStore
from bot.storage.tables import chats, learners, subscriptions

EVERY_DAY = "mon,tue,wed,thu,fri,sat,sun"
CHUNK = 5000


async def add_private_subscribers(store: SqlStore, n: int, platform: str, due_at: datetime, now: datetime) -> None:
    """Learners, private chats and subscriptions 1..n (chat external id = str(i)), all due at `due_at`."""
    async with store.engine.begin() as conn:
        for start in range(1, n + 1, CHUNK):
            ids = range(start, min(n + 1, start + CHUNK))
            await conn.execute(
                insert(learners),
                [
                    {"id": i, "name": f"user{i}", "lang": "en", "lang_set": False, "tz": "UTC", "created_at": now}
                    for i in ids
                ],
            )
            await conn.execute(
                insert(chats),
                [
                    {
                        "id": i,
                        "platform": platform,
                        "external_id": str(i),
                        "kind": "private",
                        "active": True,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(subscriptions),
                [
                    {
                        "id": i,
                        "chat_id": i,
                        "learner_id": i,
                        "hour": due_at.hour,
                        "minute": due_at.minute,
                        "tz": "UTC",
                        "days": EVERY_DAY,
                        "active": True,
                        "next_due_at": due_at,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
        await catch_up_sequences(conn)


async def catch_up_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: rows written with explicit ids leave the id sequences behind; move them on."""
    if conn.dialect.name != "postgresql":
        return
    for table in (learners, chats, subscriptions):
        top = await conn.scalar(select(func.max(table.c.id)))
        if top:
            await conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"), {"t": table.name, "v": top})
