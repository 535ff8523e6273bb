"""What the repositories need of a connection, and the SQLite connection that runs statements in place.

The repositories await `execute` and `scalar` on a `Conn`. On PostgreSQL that is SQLAlchemy's
`AsyncConnection` (asyncpg is asynchronous all the way down). On SQLite it is an `InlineConnection`:
a plain synchronous SQLAlchemy connection whose statements run right here, on the event loop's
thread. aiosqlite would hop to its thread and back for every statement (about 0.2 ms each, far
more on a busy machine), which made the hops, not SQLite, the cost of an answer. Running in place
is safe because a statement inside our transaction never waits for a lock: a writer holds SQLite's
write lock from `BEGIN IMMEDIATE` (taken without blocking, see `begin_immediate`) and WAL readers
never wait for writers. It also makes the store indifferent to cancellation inside a statement:
there is no await within one to cancel.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection, CursorResult, Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import OperationalError

T = TypeVar("T")


class Conn(Protocol):
    """One open connection, inside one transaction (AsyncConnection on PostgreSQL)."""

    @property
    def dialect(self) -> Dialect: ...

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]: ...

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any: ...

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult[Any]: ...


class InlineConnection:
    """Implements `Conn` over a synchronous connection: each statement runs in place, no thread hop."""

    def __init__(self, conn: Connection) -> None:
        self.sync = conn

    @property
    def dialect(self) -> Dialect:
        return self.sync.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self.sync.execute(statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return self.sync.scalar(statement, parameters)

    async def exec_driver_sql(self, statement: str, parameters: Any = None) -> CursorResult[Any]:
        return self.sync.exec_driver_sql(statement, parameters)


# How long a writer waits for another process's write lock before giving up (SQLite's busy_timeout
# did this before, but blocking: here the event loop sleeps between attempts).
BUSY_WAIT_SECONDS = 10.0


async def begin_immediate(conn: Connection, readonly: bool = False) -> None:
    """Open the transaction: the write lock up front for writers (`BEGIN IMMEDIATE`), a snapshot for
    readers. The connection's busy timeout is 0, so a lock another process holds is reported at
    once and waited for here with the loop free, never inside SQLite."""
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    statement = "BEGIN" if readonly else "BEGIN IMMEDIATE"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_WAIT_SECONDS
    pause = 0.001
    while True:
        try:
            dbapi.execute(statement)
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if loop.time() >= deadline:
                raise OperationalError(statement, None, exc) from exc
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)
    conn.begin()  # SQLAlchemy's view of the transaction just opened (pysqlite's BEGIN is ours to send)


async def settle(aw: Awaitable[T]) -> T:
    """Await `aw` to its end even when the caller is cancelled meanwhile (then re-raise that).

    Cleanup that is cut short (a rollback, a connection going back to its pool) is what leaves a
    lock held or a pool broken; shielding alone would let the caller leave while it still runs.
    """
    task = asyncio.ensure_future(aw)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
            break
        except asyncio.CancelledError:
            if task.done():
                raise  # the cleanup itself was cancelled (nobody cancels it but the loop's shutdown)
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return result
