"""Fan-out of the question of the day: 100,000 subscriptions due in the same minute.

    .venv/bin/python benchmarks/daily_fanout.py [--subscribers 100000] [--rate 1000]
    .venv/bin/python benchmarks/daily_fanout.py --telegram [--subscribers 3000] [--rate 30]

With --telegram the sends go through the real Telegram adapter (python-telegram-bot, its
AIORateLimiter, the adapter's aiohttp request) against the project's fake Bot API
(tests/adapters/telegram/fake_bot_api.py, in its own process) that answers Telegram's 429
"retry after" beyond --rate messages per second; printed: the same ratio and CPU per send (the
bot process's, and apart the fake's).

A local fake platform (a separate process) accepts at most --rate messages per second overall
and answers 429 with retry_after beyond it. The bot's messenger paces itself with aiolimiter
(the library python-telegram-bot's rate limiter uses) and waits out every 429. Printed:
achieved rate / configured rate, the core's CPU per delivery (claim, pick, open the question,
confirm; measured with an instant messenger), the process's peak RSS, and cold start (bank
loaded, schedule armed from the subscription rows) in a fresh process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from aiolimiter import AsyncLimiter
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project's fakes live in tests/

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.bootstrap import assemble
from bot.content.loader import load_bank
from bot.core.daily.service import DailyService
from bot.core.events import ChatRef, Reply
from bot.core.sending import Delivered, Retry, SendResult
from bot.settings import Settings
from bot.storage.store import open_store, sqlite_url
from bot.storage.tables import chats, learners, subscriptions

PLATFORM = "bench"


# -- the fake platform (runs in its own process) -------------------------------------------------


def serve(port: int, rate: float) -> None:
    tokens = {"level": rate, "at": time.monotonic()}
    counts = {"ok": 0, "429": 0}

    async def send(request: web.Request) -> web.Response:
        now = time.monotonic()
        tokens["level"] = min(rate, tokens["level"] + (now - tokens["at"]) * rate)
        tokens["at"] = now
        await request.read()
        if tokens["level"] < 1:
            counts["429"] += 1
            retry = (1 - tokens["level"]) / rate
            return web.json_response({"ok": False, "retry_after": retry}, status=429)
        tokens["level"] -= 1
        counts["ok"] += 1
        return web.json_response({"ok": True})

    async def stats(request: web.Request) -> web.Response:
        return web.json_response(counts)

    app = web.Application()
    app.router.add_post("/send", send)
    app.router.add_get("/stats", stats)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


class HttpMessenger:
    """A minimal platform adapter: paced to the platform's rate, retrying after 429."""

    platform = PLATFORM

    def __init__(self, url: str, rate: float) -> None:
        self.url = url
        self.limiter = AsyncLimiter(rate, 1)
        self.session: aiohttp.ClientSession | None = None
        self.retries = 0

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        assert self.session is not None
        body = json.dumps({"chat": chat.id, "text": reply.plain()[:4096]})
        while True:
            async with self.limiter, self.session.post(self.url, data=body) as response:
                if response.status != 429:
                    return Delivered() if response.status == 200 else Retry(str(response.status))
                self.retries += 1
                await asyncio.sleep(float((await response.json())["retry_after"]))


class InstantMessenger:
    platform = PLATFORM

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        return Delivered()


# -- the run ---------------------------------------------------------------------------------------


def serve_telegram(port: int, rate: float, latency: float) -> None:
    """The project's fake Bot API with Telegram's global limit: 429 + retry_after past `rate`/s;
    every sendMessage is answered `latency` seconds late (a round trip to Telegram's servers)."""
    from tests.adapters.telegram.fake_bot_api import FakeBotApi

    class LimitedBotApi(FakeBotApi):
        def __init__(self) -> None:
            super().__init__()
            self.level, self.at, self.refused = rate, time.monotonic(), 0

        async def _handle(self, request: web.Request) -> web.Response:
            if request.match_info["method"] == "sendMessage":
                now = time.monotonic()
                self.level = min(rate, self.level + (now - self.at) * rate)
                self.at = now
                if self.level < 1:
                    self.refused += 1
                    await request.read()
                    return self._error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
                self.level -= 1
            self.calls.clear()  # keeps memory flat over a long run
            if latency:
                await asyncio.sleep(latency)
            return await super()._handle(request)

    async def main() -> None:
        api = LimitedBotApi()
        await api.start(port)

        async def stats(request: web.Request) -> web.Response:
            return web.json_response({"ok": len(api.delivered), "429": api.refused, "cpu": time.process_time()})

        side = web.Application()
        side.router.add_get("/stats", stats)
        runner = web.AppRunner(side)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port + 1).start()
        await asyncio.Event().wait()

    asyncio.run(main())


async def make_db(path: Path, n: int, platform: str = PLATFORM) -> None:
    store = await open_store(sqlite_url(path))
    now = datetime.now(UTC)
    async with store.transaction() as tx:
        conn = tx.conn
        for start in range(1, n + 1, 10_000):
            ids = range(start, min(n, start + 9_999) + 1)
            await conn.execute(
                insert(learners),
                [
                    {
                        "id": i,
                        "name": f"u{i}",
                        "lang": random.choice(["en", "zh"]),
                        "lang_set": False,
                        "tz": "UTC",
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(chats),
                [
                    {
                        "id": i,
                        "platform": platform,
                        "external_id": str(i),
                        "kind": "private",
                        "active": True,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(subscriptions),
                [
                    {
                        "chat_id": i,
                        "learner_id": i,
                        "hour": 0,
                        "minute": 0,
                        "tz": "UTC",
                        "days": "mon,tue,wed,thu,fri,sat,sun",
                        "active": True,
                        "next_due_at": now - timedelta(seconds=30),
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
    await store.close()


async def run(path: Path, messenger: object) -> tuple[float, float, int]:
    store = await open_store(sqlite_url(path))
    bot = assemble(Settings(_env_file=None), bank=load_bank(), store=store, adapters=()).bot
    service = DailyService(bot.store, bot.clock, bot.services, {PLATFORM: messenger}, worker="bench", concurrency=400)  # type: ignore[dict-item]
    cpu, wall = time.process_time(), time.perf_counter()
    report = await service.run_due()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await store.close()
    return wall, cpu, report.sent


def cold_start(path: Path) -> float:
    code = (
        "import asyncio, time; t = time.perf_counter()\n"
        "from bot.content.loader import load_bank\n"
        "from bot.bootstrap import assemble\nfrom bot.settings import Settings\n"
        "from bot.core.daily.service import DailyService\n"
        "from bot.storage.store import open_store, sqlite_url\n"
        "async def main():\n"
        f"    store = await open_store(sqlite_url({str(path)!r}))\n"
        "    bot = assemble(Settings(_env_file=None), bank=load_bank(), store=store, adapters=()).bot\n"
        f"    when = await DailyService(bot.store, bot.clock, bot.services, {{{PLATFORM!r}: None}}).next_wakeup()\n"
        "    await store.close(); return when\n"
        "when = asyncio.run(main()); print(time.perf_counter() - t, when is not None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "True"
    return float(out[0])


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="the fake platform's global limit, msg/s")
    parser.add_argument("--telegram", action="store_true", help="send through the real Telegram adapter")
    parser.add_argument("--latency", type=float, default=0.0, help="with --telegram: the fake's delay per send, s")
    args = parser.parse_args()
    if args.telegram:
        await through_telegram(args.subscribers, args.rate, args.latency)
        return
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        await make_db(Path(tmp) / "cpu.db", args.subscribers)
        await make_db(Path(tmp) / "rate.db", args.subscribers)
        print(f"set-up: two databases of {args.subscribers:,} due subscriptions in {time.perf_counter() - t:.1f} s")
        print(
            f"cold start (bank + schedule armed from {args.subscribers:,} rows): "
            f"{cold_start(Path(tmp) / 'rate.db'):.2f} s   (budget 3 s)"
        )

        wall, cpu, sent = await run(Path(tmp) / "cpu.db", InstantMessenger())
        print(
            f"core only (instant messenger): {sent:,} deliveries in {wall:.1f} s; "
            f"CPU per delivery {cpu / max(sent, 1) * 1000:.3f} ms   (budget 1 ms)"
        )

        port = 18000 + random.randrange(1000)
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(args.rate)])  # noqa: ASYNC220 (a child that outlives this call)
        try:
            await asyncio.sleep(1.5)
            messenger = HttpMessenger(f"http://127.0.0.1:{port}/send", args.rate)
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
                messenger.session = session
                wall, cpu, sent = await run(Path(tmp) / "rate.db", messenger)
                async with session.get(f"http://127.0.0.1:{port}/stats") as response:
                    counts = await response.json()
        finally:
            server.terminate()
        achieved = sent / wall
        print(
            f"through the rate-limited fake: {sent:,} delivered in {wall:.1f} s = {achieved:.0f} msg/s "
            f"of {args.rate:.0f} configured: ratio {achieved / args.rate:.3f}   (target ≥ 0.95)"
        )
        print(f"  429 answers: {counts['429']:,}; retries by the messenger: {messenger.retries:,}")
        print(
            f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
            "   (budget 200 MB)"
        )


async def through_telegram(n: int, rate: float, latency: float) -> None:
    from tests.adapters.telegram.fake_bot_api import TOKEN

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "telegram.db"
        await make_db(path, n, platform="telegram")
        port = 19000 + random.randrange(1000)
        server = subprocess.Popen([sys.executable, __file__, "--serve-telegram", str(port), str(rate), str(latency)])  # noqa: ASYNC220 (a child that outlives this call)
        store = await open_store(sqlite_url(path))
        try:
            await asyncio.sleep(2.0)
            bot = assemble(Settings(_env_file=None), bank=load_bank(), store=store, adapters=()).bot
            adapter = TelegramAdapter(bot, TOKEN, base_url=f"http://127.0.0.1:{port}/bot", max_rate=rate)
            adapter.app = adapter.build()
            await adapter.app.initialize()
            service = DailyService(store, bot.clock, bot.services, {"telegram": adapter}, worker="bench")
            fake_cpu = (await _fake_stats(port))["cpu"]
            cpu, wall = time.process_time(), time.perf_counter()
            report = await service.run_due()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            await adapter.app.shutdown()
            counts = await _fake_stats(port)
            fake_cpu = counts["cpu"] - fake_cpu
        finally:
            server.terminate()
            await store.close()
    achieved = report.sent / wall
    print(
        f"through the real Telegram adapter: {report.sent:,} of {n:,} delivered in {wall:.1f} s = "
        f"{achieved:.1f} msg/s of {rate:.0f} configured: ratio {achieved / rate:.3f}   (target ≥ 0.95)"
    )
    print(
        f"  CPU per send {cpu / max(report.sent, 1) * 1000:.2f} ms   (target ≤ 2 ms); "
        f"429 answers {counts['429']:,}; left for a retry {report.retried:,}; failed {report.failed:,}"
    )
    # The fake shares the machine's cores: what it spends is not the bot's, but caps the rate.
    print(f"  the fake Bot API's own CPU per send {fake_cpu / max(report.sent, 1) * 1000:.2f} ms (its process)")


async def _fake_stats(port: int) -> dict[str, float]:
    async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port + 1}/stats") as r:
        stats: dict[str, float] = await r.json()
    return stats


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), float(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "--serve-telegram":
        serve_telegram(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))
    else:
        asyncio.run(main())
