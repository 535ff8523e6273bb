"""Stalls: an unrelated user's /start and a button press, idle and while 10 /stats and 10 /export run.

Twenty other learners (each with answers, so each /stats draws a chart and each /export packs a
deck) ask again and again, all at once, through the real renderer (matplotlib, genanki in worker
threads); meanwhile one more learner's /start and "Next question" press are timed, one at a time.
Prints p50 / p99 / max per probe, idle and loaded, on SQLite or PostgreSQL (`--engine`). The
per-learner /stats and /export limit is switched off here: this measures the worst case it caps.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ and tests/ as packages

from benchmarks.core_throughput import TrivialGrader, opened
from bot.bootstrap import assemble
from bot.content.loader import load_bank
from bot.core.actions import Ask
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.events import ChatRef, Incoming, UserRef
from bot.core.limits import Limit, Limits
from bot.core.modes import Mode
from bot.settings import Settings

HEAVY = 20  # 10 ask for /stats, 10 for /export
PROBES = 40


def incoming(u: int, text: str = "", action: Ask | None = None) -> Incoming:
    return Incoming(ChatRef("bench", str(u)), UserRef("bench", str(u)), f"user{u}", text=text, action=action)


async def probe(bot: StudyBot, who: int) -> dict[str, list[float]]:
    """Milliseconds per /start and per "Next question" press, PROBES of each, one at a time."""
    times: dict[str, list[float]] = {"/start": [], "button": []}
    for _ in range(PROBES):
        for label, inc in (("/start", incoming(who, "/start")), ("button", incoming(who, action=Ask(Mode.QUIZ)))):
            t = time.perf_counter()
            await bot.handle(inc)
            times[label].append((time.perf_counter() - t) * 1000)
        await asyncio.sleep(0.005)  # a person's pace, not a tight loop
    return times


async def heavy(bot: StudyBot, u: int, stop: asyncio.Event) -> int:
    command = "/stats" if u % 2 else "/export"
    n = 0
    while not stop.is_set():
        await bot.handle(incoming(u, command))
        n += 1
    return n


TARGET_MS = 300  # issue 15: loaded p99 within this of the idle p99


def p99(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=100, method="inclusive")[98]


def summary(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {q[49]:7.1f} ms  p99 {q[98]:7.1f} ms  max {max(ms):7.1f} ms"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    bank = load_bank()
    async with opened(args.engine, "NORMAL") as store:
        clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
        limits = Limits(documents=Limit(0, timedelta(minutes=10)))
        bot = assemble(
            Settings(_env_file=None),
            bank=bank,
            store=store,
            clock=clock,
            grader=TrivialGrader(),
            rng=random.Random(5),
            limits=limits,
            adapters=(),
        ).bot
        for u in range(HEAVY):
            for _ in range(3):  # misses: something to chart and to export
                await bot.handle(incoming(u, "/quiz"))
                await bot.handle(incoming(u, "no idea"))
        await bot.handle(incoming(HEAVY, "/stats"))  # matplotlib imported before the clock starts
        await bot.handle(incoming(HEAVY, "/export"))
        prober = HEAVY + 1
        idle = await probe(bot, prober)
        stop = asyncio.Event()
        workers = [asyncio.create_task(heavy(bot, u, stop)) for u in range(HEAVY)]
        await asyncio.sleep(0.5)  # every worker is drawing or packing
        loaded = await probe(bot, prober)
        stop.set()
        documents = sum(await asyncio.gather(*workers))
    print(f"engine {args.engine}: {HEAVY // 2} /stats and {HEAVY // 2} /export in a loop ({documents} made meanwhile)")
    for label in ("/start", "button"):
        print(f"  {label:7} idle:   {summary(idle[label])}")
        print(f"  {label:7} loaded: {summary(loaded[label])}")
        extra = p99(loaded[label]) - p99(idle[label])
        print(f"  {label:7} p99 loaded - idle: {extra:+.1f} ms (target: at most +{TARGET_MS} ms)")


if __name__ == "__main__":
    asyncio.run(main())
