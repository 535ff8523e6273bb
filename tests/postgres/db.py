"""The PostgreSQL the tests use: its URL, whether it answers, and a fresh schema per test.

STUDYBOT_TEST_DATABASE_URL picks the server (default: the local one, database `test`, user
`postgres` with trust authentication). Every test gets its own schema, dropped after it, so
tests never see each other's rows and a failed test leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import cache

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def pg_base_url() -> str:
    return os.environ.get("STUDYBOT_TEST_DATABASE_URL") or DEFAULT_URL


def with_search_path(url: str, schema: str) -> str:
    """`url` pointed at `schema` (bot.storage.store.postgres_engine reads `search_path`)."""
    return make_url(url).update_query_dict({"search_path": schema}).render_as_string(hide_password=False)


@cache
def unreachable_reason() -> str | None:
    """None when the server answers; otherwise why not (asked once per test run)."""

    async def probe() -> None:
        engine = create_async_engine(pg_base_url(), poolclass=NullPool, connect_args={"timeout": 5})
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:  # in a thread of its own: the caller may be inside a running event loop
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, probe()).result()
    except Exception as exc:  # any failure to connect: refused, unknown database, bad auth
        return f"PostgreSQL at {make_url(pg_base_url())!s} is not reachable: {type(exc).__name__}: {exc}"
    return None


def require_postgres() -> None:
    """Skip the calling test when no server answers; on CI (CI set), fail it instead."""
    reason = unreachable_reason()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI must run the PostgreSQL tests: .ci/run starts the server)")
    pytest.skip(reason + "; set STUDYBOT_TEST_DATABASE_URL")


@asynccontextmanager
async def fresh_schema(base: str | None = None) -> AsyncIterator[str]:
    """A new, empty schema; yields the URL that uses it, and drops it (with everything in it) after."""
    base = base or pg_base_url()
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(base, poolclass=NullPool)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{name}"'))
        try:
            yield with_search_path(base, name)
        finally:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    finally:
        await admin.dispose()
