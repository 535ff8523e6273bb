"""The Store: an async engine, one transaction per unit of work, migrations at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.storage import retired
from bot.storage.batch_repos import SqlBatch
from bot.storage.daily_repos import SqlDeliveries, SqlReminders, SqlSubscriptions
from bot.storage.learning_repos import SqlAppeals, SqlCards, SqlLinks, SqlRounds
from bot.storage.purge_repos import SqlPurge
from bot.storage.repos import SqlAnswers, SqlChats, SqlLearners, SqlRefs, SqlSessions
from bot.storage.schema_version import at_head


class SqlTx:
    """Implements bot.core.ports.Tx: every repository on one connection, in one transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.learners = SqlLearners(conn)
        self.chats = SqlChats(conn)
        self.sessions = SqlSessions(conn)
        self.answers = SqlAnswers(conn)
        self.cards = SqlCards(conn)
        self.rounds = SqlRounds(conn)
        self.links = SqlLinks(conn)
        self.appeals = SqlAppeals(conn)
        self.refs = SqlRefs(conn)
        self.subscriptions = SqlSubscriptions(conn)
        self.deliveries = SqlDeliveries(conn)
        self.reminders = SqlReminders(conn)
        self.batch = SqlBatch(conn)
        self.purge = SqlPurge(conn)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


class SqlStore:
    """Implements bot.core.ports.Store."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # SQLite has one writer at a time; queueing writers here is cheaper than SQLITE_BUSY retries.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    def transaction(self) -> AbstractAsyncContextManager[SqlTx]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[SqlTx]:
        if self._write_lock is not None:
            async with self._write_lock, self.engine.begin() as conn:
                yield SqlTx(conn)
        else:
            async with self.engine.begin() as conn:
                yield SqlTx(conn)

    async def follow_retired(self, successors: Mapping[str, str]) -> int:
        """Move learners' rows on merged questions to the kept ids (see bot.storage.retired)."""
        if not successors:
            return 0
        async with self._transaction() as tx:
            return await retired.follow_retired(tx.conn, successors)

    async def close(self) -> None:
        await self.engine.dispose()


def make_engine(url: str, *, synchronous: str = "NORMAL", **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return postgres_engine(parsed, **kwargs)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # engine.begin() always ends in COMMIT or ROLLBACK, so the pool need not roll back again on
    # check-in: one thread hop saved per transaction.
    engine = create_async_engine(url, pool_reset_on_return=None, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (below), so writers take the lock up front.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # The wait first: switching a new database to WAL needs a lock another process may hold.
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def postgres_engine(url: URL, **kwargs: Any) -> AsyncEngine:
    """PostgreSQL through asyncpg. `?search_path=NAME` in the URL selects a schema.

    asyncpg takes the search path as a server setting, not a URL parameter, so it is moved from
    the URL into the connection's settings: one database can then hold several deployments (or
    each test its own schema), and Alembic's version table follows the schema too.
    """
    settings = {"application_name": "studybot"}
    search_path = url.query.get("search_path")
    if search_path:
        settings["search_path"] = str(search_path)
        url = url.difference_update_query(["search_path"])
    connect_args = {"server_settings": settings, **kwargs.pop("connect_args", {})}
    # pre-ping: a connection that died with a server restart is replaced, not handed out.
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


async def open_store(url: str, *, migrate: bool = True, synchronous: str = "NORMAL") -> SqlStore:
    engine = make_engine(url, synchronous=synchronous)
    if migrate and not await at_head(engine):
        from bot.storage.migrate import upgrade

        for attempt in range(_MIGRATE_ATTEMPTS):
            try:
                await upgrade(engine)
                break
            except OperationalError as exc:
                # Several processes opening one new SQLite file race for the lock that switches it to
                # WAL or creates the first table; SQLite answers "locked" at once rather than wait.
                if engine.dialect.name != "sqlite" or "locked" not in str(exc) or attempt == _MIGRATE_ATTEMPTS - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
    return SqlStore(engine)


_MIGRATE_ATTEMPTS = 5
