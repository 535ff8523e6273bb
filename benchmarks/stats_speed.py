"""/stats through the core on SQLite for a learner with a long history: the reply and its chart.

A learner answers ANSWERS questions over 60 days (a trivial grader: the history, not grading, is
measured); then /stats is asked several times. The first one also imports matplotlib (once per
process); the rest show the steady cost. Figures: the reply (queries, mastery, text) and the
chart (drawn after the commit, outside any lock), in milliseconds.

    .venv/bin/python benchmarks/stats_speed.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.bootstrap import assemble
from bot.content.loader import load_bank
from bot.core.clock import FakeClock
from bot.core.documents import Drawing
from bot.core.events import ChatRef, Incoming, UserRef
from bot.core.grading import Grade, Rubric, Verdict
from bot.rendering.renderer import LocalRenderer
from bot.settings import Settings
from bot.storage.store import open_store, sqlite_url

ANSWERS = 600
ASKS = 6


class TrivialGrader:
    def grade(self, rubric: Rubric, answer: str, locale: str | None = None) -> Grade:
        return Grade(0.5, Verdict.PARTLY, (0,), tuple(range(1, len(rubric.points))))


class TimedRenderer(LocalRenderer):
    def __init__(self) -> None:
        self.spent: list[float] = []

    async def render(self, drawing: Drawing) -> bytes:
        started = time.perf_counter()
        try:
            return await super().render(drawing)
        finally:
            self.spent.append(time.perf_counter() - started)


async def main() -> None:
    bank = load_bank()
    renderer = TimedRenderer()
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(sqlite_url(Path(tmp) / "bench.db"))
        clock = FakeClock(datetime(2026, 1, 1, 8, tzinfo=UTC))
        bot = assemble(
            Settings(_env_file=None),
            bank=bank,
            store=store,
            clock=clock,
            grader=TrivialGrader(),
            rng=random.Random(3),
            adapters=(),
            renderer=renderer,
        ).bot

        def incoming(text: str) -> Incoming:
            return Incoming(ChatRef("bench", "1"), UserRef("bench", "1"), "ada", text=text)

        for _ in range(ANSWERS):
            await bot.handle(incoming("/quiz"))
            await bot.handle(incoming("an answer of some words about the question"))
            clock.advance(seconds=8640)  # ~60 days in all
        total, replies = [], []
        for _ in range(ASKS):
            started = time.perf_counter()
            await bot.handle(incoming("/stats"))
            total.append(time.perf_counter() - started)
            replies.append(total[-1] - renderer.spent[-1])
        await store.close()
    ms = [1000 * x for x in total]
    print(f"/stats after {ANSWERS} answers over 60 days (SQLite), {ASKS} asks:")
    print(f"  first (imports matplotlib): {ms[0]:.0f} ms, of which the chart {1000 * renderer.spent[0]:.0f} ms")
    steady = ms[1:]
    chart = [1000 * x for x in renderer.spent[1:]]
    print(
        f"  then: median {statistics.median(steady):.0f} ms (max {max(steady):.0f}); "
        f"reply {1000 * statistics.median(replies[1:]):.0f} ms, chart {statistics.median(chart):.0f} ms"
    )


if __name__ == "__main__":
    asyncio.run(main())
