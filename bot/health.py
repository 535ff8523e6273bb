"""`studybot health`: exit 0 when the question bank loads and the database answers at the latest schema.

What a container health check runs. It changes nothing: no migration, no new database file.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import text

from bot.content.loader import ContentError, load_bank
from bot.settings import Settings
from bot.storage.backup import sqlite_path


@dataclass
class Health:
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_bank(settings: Settings, health: Health) -> None:
    try:
        bank = load_bank(settings.content_dir)
    except ContentError as exc:
        first = exc.problems[0] if exc.problems else "unknown problem"
        health.problems.append(f"question bank: {len(exc.problems)} problem(s), first: {first}")
        return
    health.facts.append(f"{len(bank.questions)} questions")


async def check_database(settings: Settings, health: Health) -> None:
    from bot.storage.migrate import current_revision, head_revision
    from bot.storage.store import make_engine

    url = settings.storage_url
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        health.problems.append(f"database: no file at {path} yet")
        return
    engine = make_engine(url, connect_args={"timeout": 5})  # a health check must not hang
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        revision, head = await current_revision(engine), head_revision()
        if revision != head:
            health.problems.append(f"database: at revision {revision}, the code expects {head} (studybot db migrate)")
        else:
            health.facts.append(f"{engine.dialect.name} at revision {revision}")
    except Exception as exc:  # any failure to answer is the finding; its class says which
        first_line = (str(exc).splitlines() or [""])[0][:200]
        health.problems.append(f"database: {type(exc).__name__}: {first_line}")
    finally:
        await engine.dispose()


def check(settings: Settings) -> Health:
    health = Health()
    check_bank(settings, health)
    asyncio.run(check_database(settings, health))
    return health
