"""Alembic, driven from code: `studybot` upgrades the schema at start-up and on `db migrate`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")
# An arbitrary application-wide key for pg_advisory_xact_lock ("studybot" in ASCII, as a bigint).
MIGRATION_LOCK = 0x7374756479626F74


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


def _locked(step: Callable[[Config], None]) -> Callable[[Connection], None]:
    """`step` on the caller's connection; on PostgreSQL, one process at a time.

    Several bot processes starting at once migrate one after the other: the advisory lock is the
    transaction's own (released at commit) and is taken before Alembic reads the version table,
    so the second process finds the schema at head and does nothing. DDL is transactional there,
    so a migration that fails leaves nothing half done. SQLite's single writer already serialises.
    """

    def run(conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
        step(alembic_config(conn))

    return run


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_locked(lambda cfg: command.upgrade(cfg, revision)))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_locked(lambda cfg: command.downgrade(cfg, revision)))
