"""The Renderer the bot runs with: drawings in a worker process, one at a time, at low priority.

Drawing a chart (matplotlib) or packing a deck (genanki) is pure-Python work of a few hundred
milliseconds. In a thread it holds the interpreter lock in 5 ms slices, and every other update
waits for the lock at each statement and each network read: ten /stats beside a button press
made the press take most of a second. In a process of its own, at a lower scheduling priority,
a drawing costs the bot only a pickled description out and the bytes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.core.documents import Deck, Drawing, StatsChart
from bot.rendering.chart import draw_stats
from bot.rendering.deck import pack_deck

log = logging.getLogger(__name__)

# One worker: drawings queue behind each other instead of taking every core from the bot.
WORKERS = 1
# Added to the worker's niceness: under load the kernel runs the bot's own work first.
NICENESS = 10


def _lower_priority() -> None:
    # Where lowering it is not allowed (some sandboxes): same priority, still off the interpreter lock.
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


def render_now(drawing: Drawing) -> bytes:
    """The bytes of `drawing`, in the calling process (what the worker runs)."""
    match drawing:
        case StatsChart():
            return draw_stats(drawing)
        case Deck():
            return pack_deck(drawing)
    raise TypeError(f"nothing renders {type(drawing).__name__}")  # pragma: no cover - the union is exhaustive


class _Worker:
    """The process drawings go to, shared by every renderer in this process: started with the first
    drawing (a bot nobody asks for a chart never pays for it), replaced if it dies."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # spawn, not fork: forking a process that runs an event loop and threads copies their locks.
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(WORKERS, mp_context=context, initializer=_lower_priority)
        return self.pool

    def broken(self, pool: ProcessPoolExecutor) -> None:
        if self.pool is pool:
            self.pool = None

    def stop(self) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


_WORKER = _Worker()


class LocalRenderer:
    """Implements bot.core.ports.Renderer: matplotlib for charts, genanki for decks."""

    async def render(self, drawing: Drawing) -> bytes:
        pool = _WORKER.executor()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, render_now, drawing)
        except BrokenProcessPool:
            log.warning("the rendering worker died; a new one starts with the next drawing")
            _WORKER.broken(pool)
            raise


def stop_rendering() -> None:
    """Stop the worker (drawings still queued are dropped); a later drawing starts a new one."""
    _WORKER.stop()
