"""Building the bot from Settings: the one place that wires dependencies together."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.content.bank import Bank
from bot.content.loader import load_bank
from bot.core.app import StudyBot
from bot.core.clock import SystemClock
from bot.core.grading import KeyPointGrader, rubric_for
from bot.core.grading import warmup as grading_warmup
from bot.settings import Settings
from bot.storage.store import SqlStore, open_store

log = logging.getLogger(__name__)


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[StudyBot]:
    """The core with its bank loaded and its database migrated; closes the database after."""
    bank = load_bank(settings.content_dir, cache_dir=settings.cache_dir)
    store: SqlStore = await open_store(settings.storage_url, synchronous=settings.sqlite_synchronous)
    log.info("bank loaded: %d questions; storage: %s", len(bank.questions), store.engine.dialect.name)
    stop_warming = threading.Event()
    warming = asyncio.create_task(_warm_grader(bank, stop_warming))
    try:
        yield StudyBot(
            bank, store, KeyPointGrader(), SystemClock(), random.Random(), round_minutes=settings.round_minutes
        )
    finally:
        stop_warming.set()
        await warming
        await store.close()


async def _warm_grader(bank: Bank, stop: threading.Event) -> None:
    """Every rubric analysed ahead of the first answers, in a thread so that the bot answers meanwhile."""
    started = time.perf_counter()
    rubrics = [rubric_for(q) for q in bank.questions if q.answered]
    n = await asyncio.to_thread(grading_warmup.warm_and_freeze, rubrics, stop)
    log.info("grader warmed: %d rubrics in %.1f s", n, time.perf_counter() - started)
