"""The Store: an async engine, one transaction per unit of work, migrations at start-up."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import OperationalError

from bot.storage import retired
from bot.storage.batch_repos import SqlBatch
from bot.storage.connection import Conn, InlineConnection, begin_immediate, settle
from bot.storage.daily_repos import SqlDeliveries, SqlReminders, SqlSubscriptions
from bot.storage.learning_repos import SqlAppeals, SqlCards, SqlLinks, SqlRounds
from bot.storage.purge_repos import SqlPurge
from bot.storage.repos import SqlAnswers, SqlChats, SqlLearners, SqlRefs, SqlSessions
from bot.storage.schema_version import at_head, head_from_files, stored_revision_sync

if TYPE_CHECKING:  # imported when an async engine is made: it pulls in the ORM (a tenth of a warm start)
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)


class SqlTx:
    """Implements bot.core.ports.Tx: every repository on one connection, in one transaction."""

    def __init__(self, conn: Conn) -> None:
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
    """Implements bot.core.ports.Store.

    A caller cancelled inside a transaction leaves nothing behind: the transaction is rolled back
    (or its connection discarded) and the write lock released before the cancellation goes on.
    """

    def __init__(
        self,
        engine: AsyncEngine | None,
        inline: Engine | None = None,
        commit_off_loop: bool = False,
        *,
        make_engine: Callable[[], AsyncEngine] | None = None,
    ) -> None:
        # An SQLite file's transactions all run on `inline`: its async engine (for the tests and
        # benchmarks that ask for one) may be left to `make_engine`, called on first use.
        self._engine = engine
        self._make_engine = make_engine
        self.dialect = (inline or self.engine).dialect.name
        self.is_sqlite = self.dialect == "sqlite"
        # SQLite transactions run in place on the loop's thread (bot/storage/connection.py).
        self.inline = inline
        # synchronous=FULL syncs the disk at every commit: that wait goes to a worker thread.
        self.commit_off_loop = commit_off_loop
        # SQLite has one writer at a time; queueing writers here is cheaper than SQLITE_BUSY retries.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            assert self._make_engine is not None
            self._engine = self._make_engine()
        return self._engine

    def transaction(self) -> AbstractAsyncContextManager[SqlTx]:
        if self.inline is not None:
            return self._inline_transaction(self.inline)
        return self._async_transaction()

    @asynccontextmanager
    async def _inline_transaction(self, inline: Engine) -> AsyncIterator[SqlTx]:
        assert self._write_lock is not None
        async with self._write_lock:
            conn = inline.connect()
            try:
                await begin_immediate(conn)
                yield SqlTx(InlineConnection(conn))
                if self.commit_off_loop:
                    await settle(asyncio.to_thread(conn.commit))
                else:
                    conn.commit()
            except BaseException:
                conn.rollback()  # synchronous: no cancellation can cut it short
                raise
            finally:
                conn.close()

    @asynccontextmanager
    async def _async_transaction(self) -> AsyncIterator[SqlTx]:
        if self._write_lock is not None:  # SQLite in memory: one database, one connection
            await self._write_lock.acquire()
        try:
            conn = self.engine.connect()
            try:
                await settle(conn.start())
                await conn.begin()
                yield SqlTx(conn)
                await settle(conn.commit())
            except BaseException:
                await settle(_discard(conn))
                raise
            await settle(conn.close())
        finally:
            if self._write_lock is not None:
                self._write_lock.release()

    async def follow_retired(self, successors: Mapping[str, str]) -> int:
        """Move learners' rows on merged questions to the kept ids (see bot.storage.retired)."""
        if not successors:
            return 0
        async with self.transaction() as tx:
            return await retired.follow_retired(tx.conn, successors)

    async def close(self) -> None:
        if self.inline is not None:
            self.inline.dispose()
        if self._engine is not None:
            await self._engine.dispose()


async def _discard(conn: AsyncConnection) -> None:
    """Roll back and give the connection back; one that cannot roll back (cut mid-statement) is
    invalidated, so the pool never hands it out again."""
    try:
        await conn.rollback()
    except Exception:
        log.warning("a connection could not roll back; discarding it", exc_info=True)
        await conn.invalidate()
    finally:
        await conn.close()


def make_engine(url: str, *, synchronous: str = "NORMAL", **kwargs: Any) -> AsyncEngine:
    from sqlalchemy.ext.asyncio import create_async_engine

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
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas(synchronous, busy_ms=10_000))

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def inline_engine(url: str, synchronous: str) -> Engine | None:
    """The synchronous engine SQLite transactions run on in place (None for an in-memory database,
    which exists once per connection: that one stays on the async engine)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    # Used from the loop's thread only; a pool of its own so a reader and a writer never share one.
    engine = create_engine(parsed.set(drivername="sqlite+pysqlite"), connect_args={"check_same_thread": False})
    # Busy timeout 0: a lock another process holds is waited for in begin_immediate, loop free.
    event.listen(engine, "connect", _sqlite_pragmas(synchronous, busy_ms=0))
    return engine


def _sqlite_pragmas(synchronous: str, busy_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves, so writers take the lock up front.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        # The wait first: switching a new database to WAL needs a lock another process may hold.
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return on_connect


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
    from sqlalchemy.ext.asyncio import create_async_engine

    connect_args = {"server_settings": settings, **kwargs.pop("connect_args", {})}
    # pre-ping: a connection that died with a server restart is replaced, not handed out.
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


async def open_store(url: str, *, migrate: bool = True, synchronous: str = "NORMAL") -> SqlStore:
    inline = inline_engine(url, synchronous)
    if inline is not None and (not migrate or _found_at_head(inline)):
        later = functools.partial(make_engine, url, synchronous=synchronous)
        return SqlStore(None, inline, commit_off_loop=synchronous != "NORMAL", make_engine=later)
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
    return SqlStore(engine, inline, commit_off_loop=synchronous != "NORMAL")


def _found_at_head(inline: Engine) -> bool:
    """An existing SQLite file already at the code's schema, read in place (most starts): no async
    engine, no Alembic. Anything else (a new file, a lock held while another process migrates it)
    goes the way that can migrate."""
    database = inline.url.database
    if not database or not Path(database).expanduser().exists():
        return False
    try:
        return stored_revision_sync(inline) == head_from_files()
    except OperationalError:
        inline.dispose()
        return False


_MIGRATE_ATTEMPTS = 5
