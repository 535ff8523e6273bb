"""Scale-out on PostgreSQL: answers per second beside SQLite, and the question of the day's fan-out
with 1, 2 and 3 processes against a rate-limited fake platform.

    .venv/bin/python benchmarks/scale_out.py [--answers 2000] [--subscribers 20000] [--rate 1000]

PostgreSQL comes from STUDYBOT_TEST_DATABASE_URL (default: the local server, database `test`);
everything is written in a schema of its own, dropped at the end.

1. Answers through the core (StudyBot.handle: routing, state, grading, the commit), one at a
   time and 50 learners at once, with a trivial grader (the storage's share) and the default one.
2. The core's CPU per question-of-the-day delivery on PostgreSQL (claim, pick, open, confirm),
   with a messenger that returns at once: compare with daily_fanout.py's SQLite figure.
3. Fan-out: N processes (N = 1, 2, 3) share one ledger; each paces itself to rate/N and waits out
   every 429 (daily_fanout.py's fake platform and messenger). A last run paces each of the three
   to the full rate, as if each thought it were alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import tempfile
import time
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ and tests/ as packages

import aiohttp

from benchmarks.core_throughput import TrivialGrader
from benchmarks.daily_fanout import PLATFORM, HttpMessenger, InstantMessenger
from bot.bootstrap import assemble
from bot.content.bank import Bank
from bot.content.loader import load_bank
from bot.core.clock import FakeClock
from bot.core.daily.service import DailyService
from bot.core.events import ChatRef, Incoming, UserRef
from bot.core.grading import Grader, KeyPointGrader
from bot.settings import Settings
from bot.storage.store import open_store, sqlite_url
from tests.postgres.db import fresh_schema, pg_base_url
from tests.postgres.population import add_private_subscribers

USERS = 50


# -- 1. answers through the core -------------------------------------------------------------------


async def answer_rate(url: str, bank: Bank, grader: Grader, answers: int, together: bool) -> float:
    """Answers per second: each learner asks (/quiz, not timed) then answers (timed)."""
    store = await open_store(url)
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    bot = assemble(
        Settings(_env_file=None), bank=bank, store=store, clock=clock, grader=grader, rng=random.Random(3), adapters=()
    ).bot
    answer_of = {q.prompt.en: q.answer.en for q in bank.questions if q.answer is not None}

    def incoming(u: int, text: str) -> Incoming:
        return Incoming(ChatRef("bench", str(u)), UserRef("bench", str(u)), f"user{u}", text=text)

    async def ask(u: int) -> str:
        [question] = await bot.handle(incoming(u, "/quiz"))
        return next(a for prompt, a in answer_of.items() if prompt in question.plain())

    spent = 0.0
    for _ in range(answers // USERS):
        texts = [await ask(u) for u in range(USERS)]
        clock.advance(seconds=1)
        t = time.perf_counter()
        if together:
            await asyncio.gather(*(bot.handle(incoming(u, texts[u])) for u in range(USERS)))
        else:
            for u in range(USERS):
                await bot.handle(incoming(u, texts[u]))
        spent += time.perf_counter() - t
    await store.close()
    return answers // USERS * USERS / spent


# -- 2. and 3. the question of the day ---------------------------------------------------------------


@dataclass
class WorkerRun:
    sent: int
    started: float
    ended: float
    cpu: float


async def fan_out(url: str, messenger: object, at: float) -> WorkerRun:
    """One process's part of the fan-out, started at wall-clock time `at` (all workers together)."""
    store = await open_store(url)
    bot = assemble(Settings(_env_file=None), bank=load_bank(), store=store, adapters=()).bot
    service = DailyService(bot.store, bot.clock, bot.services, {PLATFORM: messenger}, concurrency=400)  # type: ignore[dict-item]
    await asyncio.sleep(max(0.0, at - time.time()))
    cpu, started = time.process_time(), time.time()
    report = await service.run_due()
    run = WorkerRun(report.sent, started, time.time(), time.process_time() - cpu)
    await store.close()
    return run


async def worker_main(url: str, platform_url: str, rate: float, at: float) -> None:
    messenger = HttpMessenger(platform_url, rate)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        messenger.session = session
        run = await fan_out(url, messenger, at)
    print(json.dumps({**run.__dict__, "retries": messenger.retries}))


async def populate(url: str, n: int) -> None:
    store = await open_store(url)
    now = datetime.now(UTC)
    await add_private_subscribers(store, n, PLATFORM, now - timedelta(seconds=30), now)
    await store.close()


async def processes(url: str, platform_url: str, n: int, each_rate: float) -> list[dict[str, float]]:
    at = time.time() + 8  # time for every process to load the bank and connect
    cmd = [sys.executable, __file__, "--worker", url, platform_url, str(each_rate), str(at)]
    procs = [await asyncio.create_subprocess_exec(*cmd, stdout=subprocess.PIPE) for _ in range(n)]
    outs = [await p.communicate() for p in procs]
    return [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outs]


def schema() -> AbstractAsyncContextManager[str]:
    return fresh_schema(pg_base_url())


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="the fake platform's global limit, msg/s")
    args = parser.parse_args()
    bank = load_bank()
    print(f"PostgreSQL: {pg_base_url()}  (a schema of its own per measurement)")

    print("\n1. answers per second through the core (StudyBot.handle, commit included)")
    for label, grader in (("trivial grader", TrivialGrader()), ("default grader", KeyPointGrader())):
        for together in (False, True):
            how = f"{USERS} at once" if together else "one at a time"
            with tempfile.TemporaryDirectory() as tmp:
                lite = await answer_rate(sqlite_url(Path(tmp) / "a.db"), bank, grader, args.answers, together)
            async with schema() as url:
                pg = await answer_rate(url, bank, grader, args.answers, together)
            print(f"   {label}, {how:13}: SQLite {lite:6.0f}/s   PostgreSQL {pg:6.0f}/s")

    async with schema() as url:
        await populate(url, args.subscribers)
        run = await fan_out(url, InstantMessenger(), 0)
    print(
        f"\n2. question of the day on PostgreSQL, instant messenger: {run.sent:,} deliveries in "
        f"{run.ended - run.started:.1f} s; core CPU per delivery {run.cpu / max(run.sent, 1) * 1000:.3f} ms"
    )

    print(f"\n3. fan-out of {args.subscribers:,} deliveries, fake platform limited to {args.rate:.0f} msg/s overall")
    port = 18000 + random.randrange(1000)
    server = await asyncio.create_subprocess_exec(
        sys.executable, str(Path(__file__).with_name("daily_fanout.py")), "--serve", str(port), str(args.rate)
    )
    try:
        await asyncio.sleep(1.5)
        async with aiohttp.ClientSession() as session:
            for n, paced in ((1, True), (2, True), (3, True), (3, False)):
                each = args.rate / n if paced else args.rate
                before = await (await session.get(f"http://127.0.0.1:{port}/stats")).json()
                async with schema() as url:
                    await populate(url, args.subscribers)
                    runs = await processes(url, f"http://127.0.0.1:{port}/send", n, each)
                after = await (await session.get(f"http://127.0.0.1:{port}/stats")).json()
                sent = sum(int(r["sent"]) for r in runs)
                wall = max(r["ended"] for r in runs) - min(r["started"] for r in runs)
                cpu = sum(r["cpu"] for r in runs) / max(sent, 1) * 1000
                shares = "/".join(str(int(r["sent"])) for r in runs)
                print(
                    f"   {n} process(es), each paced to {each:6.0f}/s: {sent / wall:6.0f} msg/s = "
                    f"{sent / wall / args.rate:.2f} of the limit; 429s {after['429'] - before['429']:,}; "
                    f"shares {shares}; CPU {cpu:.2f} ms/delivery"
                )
    finally:
        server.terminate()
        await server.wait()


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        asyncio.run(worker_main(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])))
    else:
        asyncio.run(main())
