"""One conversation at a time, on any number of bot processes.

SQLite has one writer: every update's transaction runs alone, so two messages from one chat
can never grade the same open question twice, and two first messages from a new user can never
both create them. PostgreSQL runs transactions side by side (within one process too, since
updates are handled concurrently), so the repositories take a transaction-scoped advisory lock
on the user and on the chat an update comes from: updates of one chat queue behind each other,
whichever process took them, while other chats go on in parallel. The lock is released at
commit or rollback; a crashed process's locks go with its connection.

Order matters against deadlocks: an update locks its user, then its chat (the order the core
resolves them in).
"""

from __future__ import annotations

from sqlalchemy import func, literal, select

from bot.storage.connection import Conn


async def serialize_on(conn: Conn, kind: str, platform: str, external_id: str) -> None:
    """Wait for any other transaction working on this (kind, platform, id); no-op on SQLite."""
    if conn.dialect.name != "postgresql":
        return
    # 64-bit hash of the key: a collision only makes two unrelated chats wait for each other.
    key = func.hashtextextended(literal(f"studybot:{kind}:{platform}:{external_id}"), 0)
    await conn.execute(select(func.pg_advisory_xact_lock(key)))
