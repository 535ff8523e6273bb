"""Replicas: several bots on one database, each with its own engine and connections, as separate
processes would have. (Every test in this folder runs on SQLite and on PostgreSQL.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.content.bank import Bank
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.storage.store import open_store
from tests.wiring import system

REPLICAS = 3


@pytest.fixture
async def replicas(db_url: str, bank: Bank, clock: FakeClock) -> AsyncIterator[list[StudyBot]]:
    stores = [await open_store(db_url) for _ in range(REPLICAS)]
    yield [system(bank, s, clock, seed=i).bot for i, s in enumerate(stores)]
    for s in stores:
        await s.close()
