"""`studybot db backup PATH`: a consistent copy of the SQLite database, taken while the bot runs.

SQLite's online backup API copies page by page and restarts by itself when a writer changes a
page it already copied, so the bot keeps answering during a backup. The copy is written next to
the target and renamed into place only when complete and checked, so PATH is never half a backup;
it is switched out of WAL mode, so it is one self-contained file. PostgreSQL has its own tools
(pg_dump): this refuses and says so.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """Why a backup was not made, in one line for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pages: int
    bytes: int


def sqlite_path(url: str) -> Path | None:
    """The database file behind a SQLAlchemy URL; None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def refuse_unless_sqlite(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise BackupError(
            f"db backup copies the SQLite file; this deployment uses {make_url(url).get_backend_name()}: "
            "back it up with pg_dump -Fc -f studybot.dump postgresql://USER:PASSWORD@HOST/DB (STUDYBOT_DATABASE_URL "
            "without +asyncpg) and restore with pg_restore"
        )
    return path


def backup_sqlite(source: Path, target: Path, pages_per_step: int = 1024) -> BackupResult:
    """Copy `source` to `target` (which must not exist) with the online backup API."""
    target = target.expanduser()
    if not source.is_file():
        raise BackupError(f"{source}: no database there yet (start the bot or run `studybot db migrate` first)")
    if target.exists():
        raise BackupError(f"{target} already exists: choose a new file name (a backup never overwrites)")
    if target.parent.exists() and not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    src = sqlite3.connect(str(source), timeout=30)
    try:
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst, pages=pages_per_step)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            (verdict,) = dst.execute("PRAGMA integrity_check").fetchone()
            (pages,) = dst.execute("PRAGMA page_count").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check ({verdict}); nothing was written to {target}")
    os.replace(partial, target)
    return BackupResult(target, int(pages), target.stat().st_size)
