"""Building the bot from Settings: the one place that wires dependencies together."""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.content.loader import load_bank
from bot.core.app import StudyBot
from bot.core.clock import SystemClock
from bot.core.grading import KeyPointGrader
from bot.settings import Settings
from bot.storage.store import SqlStore, open_store

log = logging.getLogger(__name__)


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[StudyBot]:
    """The core with its bank loaded and its database migrated; closes the database after."""
    bank = load_bank(settings.content_dir, cache_dir=settings.cache_dir)
    store: SqlStore = await open_store(settings.storage_url, synchronous=settings.sqlite_synchronous)
    log.info("bank loaded: %d questions; storage: %s", len(bank.questions), store.engine.dialect.name)
    try:
        yield StudyBot(
            bank, store, KeyPointGrader(), SystemClock(), random.Random(), round_minutes=settings.round_minutes
        )
    finally:
        await store.close()
