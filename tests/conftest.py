"""Shared fixtures: the network guard, the real bank, a real store (SQLite, or PostgreSQL too), a harness."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import System
from bot.content.bank import Bank
from bot.content.loader import load_bank
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.storage.store import SqlStore, open_store, sqlite_url
from tests import wiring
from tests.harness import Harness
from tests.postgres.db import fresh_schema, require_postgres

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _allowed(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX paths
        return True
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0]
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.SocketType, address: Any) -> None:
    if not _allowed(address):
        raise RuntimeError(f"tests may not reach the network beyond 127.0.0.1 (tried {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.SocketType, address: Any) -> int:
    if not _allowed(address):
        raise RuntimeError(f"tests may not reach the network beyond 127.0.0.1 (tried {address!r})")
    return _real_connect_ex(self, address)


def pytest_configure(config: pytest.Config) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


# Storage and scheduling suites: every test that uses a store runs on SQLite and on PostgreSQL.
BOTH_ENGINES = ("tests/integration/", "tests/postgres/", "tests/contract/test_retired_ids.py")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_engine" not in metafunc.fixturenames or "db_engine" in getattr(metafunc, "params", {}):
        return
    where = metafunc.definition.path.relative_to(metafunc.config.rootpath).as_posix()
    if where.startswith(BOTH_ENGINES):
        engines = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
        metafunc.parametrize("db_engine", engines, indirect=True)


@pytest.fixture
def db_engine(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgres"; PostgreSQL tests skip when no server answers, except on CI."""
    engine: str = getattr(request, "param", "sqlite")
    if engine == "postgres":
        require_postgres()
    return engine


@pytest.fixture
async def db_url(db_engine: str, tmp_path: Path) -> AsyncIterator[str]:
    """A SQLite file in the test's folder, or a PostgreSQL schema of the test's own (dropped after)."""
    if db_engine == "sqlite":
        yield sqlite_url(tmp_path / "studybot.db")
        return
    async with fresh_schema() as url:
        yield url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[SqlStore]:
    s = await open_store(db_url)
    yield s
    await s.close()


@pytest.fixture
def system(bank: Bank, store: SqlStore, clock: FakeClock) -> System:
    return wiring.system(bank, store, clock, seed=7)


@pytest.fixture
def studybot(system: System) -> StudyBot:
    return system.bot


@pytest.fixture
def harness(studybot: StudyBot) -> Harness:
    return Harness(studybot)
