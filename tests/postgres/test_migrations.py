"""One migration chain for both engines: from empty, from every earlier revision, and down again.

Every test here runs on SQLite and on PostgreSQL (tests/conftest.py parametrizes `db_url`).
After each upgrade the database must match bot/storage/tables.py exactly (Alembic's own
comparison, types included), so a migration and the tables the code queries never drift apart.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import alembic_config, current_revision, downgrade, head_revision, upgrade
from bot.storage.store import make_engine, open_store
from bot.storage.tables import answers, chats, identities, learners, metadata

REVISIONS = [r.revision for r in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]
EARLIER = REVISIONS[:-1]
NOW = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


@pytest.fixture
async def engine(db_url: str) -> Any:
    e = make_engine(db_url)
    yield e
    await e.dispose()


async def schema_diffs(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
        )


async def seed_core_rows(engine: AsyncEngine) -> None:
    """Rows the first revision can hold: they must survive every later migration."""
    async with engine.begin() as conn:
        await conn.execute(
            insert(learners).values(id=1, name="Ada", lang="en", lang_set=False, tz="UTC", created_at=NOW)
        )
        await conn.execute(insert(identities).values(platform="telegram", external_id="42", learner_id=1))
        await conn.execute(
            insert(chats).values(
                id=1, platform="telegram", external_id="42", kind="private", active=True, created_at=NOW
            )
        )
        # 0002 adds `local_day`: written here through a table without it, as 0001 had it.
        await conn.execute(
            text(
                "INSERT INTO answers (id, learner_id, chat_id, question_id, topic, mode, score, verdict, hints, text,"
                " answered_at) VALUES (1, 1, 1, 'q1', 'basics', 'quiz', 0.5, 'partly', 0, 'an answer', :at)"
            ),
            {"at": NOW.replace(tzinfo=None)},
        )


async def test_revisions_are_one_chain() -> None:
    assert REVISIONS[0] == "0001" and REVISIONS[-1] == head_revision() and len(REVISIONS) == len(set(REVISIONS))


async def test_from_empty_to_head_matches_the_tables(engine: AsyncEngine) -> None:
    assert await current_revision(engine) is None
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    assert await schema_diffs(engine) == []
    await upgrade(engine)  # idempotent
    assert await current_revision(engine) == head_revision()


@pytest.mark.parametrize("start", EARLIER)
async def test_from_each_earlier_revision_to_head_keeps_the_data(engine: AsyncEngine, start: str) -> None:
    await upgrade(engine, start)
    assert await current_revision(engine) == start
    assert await schema_diffs(engine) != []  # the comparison sees the schema: a revision short of head differs
    if start == "0001":
        await seed_core_rows(engine)
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    assert await schema_diffs(engine) == []
    if start == "0001":
        async with engine.connect() as conn:
            row = (await conn.execute(select(answers.c.text, answers.c.local_day))).one()
            assert await conn.scalar(select(identities.c.learner_id)) == 1
        assert row.text == "an answer" and row.local_day == date(2026, 3, 2)  # backfilled with the UTC day


async def test_down_to_empty_and_up_again(engine: AsyncEngine) -> None:
    await upgrade(engine)
    for target in reversed(EARLIER):
        await downgrade(engine, target)
        assert await current_revision(engine) == target
    await downgrade(engine, "base")
    assert await current_revision(engine) is None
    await upgrade(engine)
    assert await schema_diffs(engine) == []


async def test_processes_starting_together_migrate_once(db_url: str) -> None:
    """Three bot processes start on one empty database: each opens its store, none fails."""
    stores = await asyncio.gather(*(open_store(db_url) for _ in range(3)))
    try:
        for store in stores:
            assert await current_revision(store.engine) == head_revision()
        assert await schema_diffs(stores[0].engine) == []
    finally:
        for store in stores:
            await store.close()
