"""The statements of every answer and /quiz, compiled once and run on the SQLite driver directly.

SQLAlchemy's `Connection.execute` costs 15–20 µs of Python per statement beyond SQLite's own few
microseconds (cache key, execution context, result metadata): with ten or so statements per
answer that was a third of the core's time. A `Prepared` statement is compiled by SQLAlchemy
once per parameter shape; on the inline SQLite connection it then runs on the driver's
connection, with the column types' own bind and result processors (so values go in and come out
exactly as through SQLAlchemy, aware datetimes included). On PostgreSQL, and for any statement
this cannot plan (Python-side column defaults, expanding IN lists), it is an ordinary
`conn.execute`. Rows have attribute access and `_mapping`, like SQLAlchemy's.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Executable, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Select

from bot.storage.connection import Conn, InlineConnection

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class Written:
    """What a write changed: rows matched, and the new row's id after an INSERT."""

    rowcount: int
    last_id: int | None


class _Row(tuple[Any, ...]):
    """Base of the row classes: SQLAlchemy's `row._mapping` as well as attribute access."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # the bind parameters, in the order of the SQL's placeholders
    defaults: Mapping[str, Any]  # values the statement itself carries (a LIMIT, a literal)
    binds: tuple[Processor, ...]
    row: type[_Row] | None  # None for a statement that returns no rows
    results: tuple[Processor, ...]
    is_insert: bool

    def parameters(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        values = []
        for name, process in zip(self.names, self.binds, strict=True):
            value = params[name] if name in params else self.defaults[name]
            values.append(process(value) if process is not None else value)
        return tuple(values)

    def make_row(self, raw: tuple[Any, ...]) -> _Row:
        assert self.row is not None
        return self.row(p(v) if p is not None else v for p, v in zip(self.results, raw, strict=True))


def _plan(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Plan | None:
    """How to run `statement` with parameters named `keys` on the driver, or None to leave it to SQLAlchemy."""
    assert isinstance(statement, ClauseElement)
    is_dml = not isinstance(statement, Select)
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys) if is_dml else None)
    assert isinstance(compiled, SQLCompiler)
    if (
        compiled.positiontup is None
        or compiled.literal_execute_params
        or compiled.post_compile_params
        or compiled.insert_prefetch
        or compiled.update_prefetch
        or any(b.expanding for b in compiled.binds.values())
    ):
        return None  # values SQLAlchemy computes at execution time: not ours to imitate
    names = tuple(compiled.positiontup)
    binds = tuple(compiled.binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names)
    # A required parameter left out stays missing (a KeyError), as SQLAlchemy would refuse it too.
    defaults = {n: b.value for n, b in compiled.binds.items() if n not in keys and not b.required}
    row: type[_Row] | None = None
    results: tuple[Processor, ...] = ()
    if isinstance(statement, Select):
        columns = list(statement.selected_columns)
        fields = tuple(c.key for c in columns)
        if len(set(fields)) != len(fields) or not all(f.isidentifier() for f in fields):
            return None
        row = type("Row", (_Row,), {"__slots__": (), "_fields": fields})
        for i, name in enumerate(fields):
            setattr(row, name, property(_item(i)))
        results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
    return _Plan(compiled.string, names, defaults, binds, row, results, compiled.isinsert)


def _item(i: int) -> Callable[[tuple[Any, ...]], Any]:
    return lambda row: row[i]


def upsert(table: Table, keys: tuple[str, ...], updates: tuple[str, ...]) -> Upsert:
    """Per dialect name, an insert that sets `updates` on the row with the same `keys` if there is
    one: one statement where an update and then an insert took two. Every execution must give all
    of `keys` and `updates`."""
    return Upsert(table, keys, updates)


class Upsert:
    """`upsert`'s statements, each built when its dialect first asks: a bot on SQLite never imports
    the PostgreSQL dialect (a tenth of its start-up), nor the reverse."""

    def __init__(self, table: Table, keys: tuple[str, ...], updates: tuple[str, ...]) -> None:
        self.table, self.keys, self.updates = table, keys, updates
        self._built: dict[str, Prepared] = {}

    def __getitem__(self, dialect: str) -> Prepared:
        if dialect not in self._built:
            insert = importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert
            statement = insert(self.table)
            changes = {column: statement.excluded[column] for column in self.updates}
            self._built[dialect] = Prepared(
                statement.on_conflict_do_update(index_elements=list(self.keys), set_=changes)
            )
        return self._built[dialect]


class Prepared:
    """One hot-path statement: `rows`, `first` or `write` on any `Conn`."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, ...], _Plan | None] = {}

    def _plan_for(self, conn: InlineConnection, params: Mapping[str, Any]) -> _Plan | None:
        keys = tuple(params)
        if keys not in self._plans:
            self._plans[keys] = _plan(self.statement, conn.dialect, keys)
        return self._plans[keys]

    def _run(self, conn: InlineConnection, plan: _Plan, params: Mapping[str, Any]) -> sqlite3.Cursor:
        dbapi = conn.sync.connection.dbapi_connection
        assert dbapi is not None
        values = plan.parameters(params)
        try:
            return dbapi.execute(plan.sql, values)  # type: ignore[no-any-return]
        except sqlite3.Error as exc:  # the same exception types as through SQLAlchemy
            raise DBAPIError.instance(plan.sql, values, exc, sqlite3.Error) from exc

    async def rows(self, conn: Conn, params: Mapping[str, Any]) -> list[Any]:
        plan = self._plan_for(conn, params) if isinstance(conn, InlineConnection) else None
        if plan is None:
            return list((await conn.execute(self.statement, dict(params))).all())
        assert isinstance(conn, InlineConnection)
        return [plan.make_row(raw) for raw in self._run(conn, plan, params).fetchall()]

    async def first(self, conn: Conn, params: Mapping[str, Any]) -> Any | None:
        plan = self._plan_for(conn, params) if isinstance(conn, InlineConnection) else None
        if plan is None:
            return (await conn.execute(self.statement, dict(params))).first()
        assert isinstance(conn, InlineConnection)
        raw = self._run(conn, plan, params).fetchone()
        return plan.make_row(raw) if raw is not None else None

    async def write(self, conn: Conn, params: Mapping[str, Any]) -> Written:
        plan = self._plan_for(conn, params) if isinstance(conn, InlineConnection) else None
        if plan is None:
            result = await conn.execute(self.statement, dict(params))
            key = result.inserted_primary_key if result.is_insert else None
            return Written(result.rowcount, int(key[0]) if key else None)
        assert isinstance(conn, InlineConnection)
        cursor = self._run(conn, plan, params)
        return Written(cursor.rowcount, cursor.lastrowid if plan.is_insert else None)
