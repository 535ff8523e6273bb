"""`studybot health`: exit 0 when the question bank loads and the database answers at the latest schema.

What a container health check runs, and the first thing to try on a fresh install: a database
that does not exist yet is created, and one behind the code is migrated (idempotent, the same
step start-up takes), so a new install is healthy before the bot ever ran.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import text

from bot.content.loader import ContentError, load_bank
from bot.settings import Settings


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
    from bot.storage.store import make_engine, open_store

    url = settings.storage_url
    try:
        await (await open_store(url)).close()  # creates / migrates when needed; else only reads the version
    except Exception as exc:
        first_line = (str(exc).splitlines() or [""])[0][:200]
        health.problems.append(f"database: {type(exc).__name__}: {first_line}")
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
