"""Is the database at the code's schema? Answered without importing Alembic.

Alembic costs start-up most of a second to import, and almost every start finds the schema at
head already. The head is read from the migration files (each names its `revision` and
`down_revision`), the database's revision from Alembic's own version table; only when they differ
does start-up run the migrations (`bot.storage.migrate`, which imports Alembic).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:  # sqlalchemy.ext.asyncio pulls in the ORM: a start that finds the schema at head needs neither
    from sqlalchemy.ext.asyncio import AsyncEngine

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_ASSIGNMENT = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:"([^"]*)"|\'([^\']*)\'|None)', re.M)


def head_from_files(versions: Path = VERSIONS) -> str:
    """The one revision no other migration names as its `down_revision`."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        for name, double, single in _ASSIGNMENT.findall(path.read_text(encoding="utf-8")):
            value = double or single
            if value:
                (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head in {versions}, found {sorted(heads)}")
    return heads.pop()


def _revision(conn: Connection) -> str | None:
    try:
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no version table yet
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


async def stored_revision(engine: AsyncEngine) -> str | None:
    """The revision Alembic recorded in the database; None for a new (or unversioned) database."""
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_revision)
    except DBAPIError:  # cannot connect: the migration that follows says why
        return None


def stored_revision_sync(engine: Engine) -> str | None:
    """`stored_revision` through a synchronous engine (SQLite's in-place one)."""
    with engine.connect() as conn:
        return _revision(conn)


async def at_head(engine: AsyncEngine) -> bool:
    return await stored_revision(engine) == head_from_files()
