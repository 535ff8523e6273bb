"""A group round with 30 and with 300 answering members, through the real Telegram adapter
(python-telegram-bot and its AIORateLimiter) against the fake Bot API enforcing Telegram's
flood limits: 20 messages a minute per group, one a second per private chat (a 429 past them).

    .venv/bin/python benchmarks/group_round.py [--members 30 300] [--spread 60]

Each run: a member starts a round with /quiz, N members answer it (replying to the question),
spread evenly over `--spread` seconds, then the starter closes it with /reveal. Printed:
- group messages per minute: the most sends and edits to the group within any 60 s (limit 20),
  and how many calls the fake refused with 429;
- private feedback latency, p50 / p95 / max: from the answer's update to the feedback's arrival
  at the fake (target: p95 <= 5 s);
- summary delay: from /reveal's update to the summary's arrival (target <= 10 s);
- how many times the live standings message was posted (1) and edited.
The store is SQLite in a temporary directory; the clock is the real one.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/ and tests/ as packages

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.content.loader import load_bank
from bot.core.clock import SystemClock
from bot.storage.store import open_store, sqlite_url
from tests import wiring
from tests.adapters.telegram.fake_bot_api import BOT_ID, TOKEN, FakeBotApi, chat, user

GROUP_ID = -1001234
GROUP_METHODS = {"sendMessage", "editMessageText", "sendPoll", "editMessageReplyMarkup", "stopPoll"}


def busiest_minute(times: list[float]) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 60:
            start += 1
        best = max(best, end - start + 1)
    return best


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(members: int, spread: float) -> None:
    api = FakeBotApi()
    api.group_per_minute, api.chat_interval = 20, 1.0
    await api.start()
    bank = load_bank()
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(sqlite_url(Path(tmp) / "bench.db"))
        bot = wiring.system(bank, store, SystemClock()).bot
        adapter = TelegramAdapter(bot, TOKEN, base_url=api.base_url, poll_timeout=1)
        await adapter.start()
        try:
            group = chat(GROUP_ID, "supergroup")
            api.message(user(1, "Starter"), group, "/quiz")
            [question] = await api.wait_for(lambda: api.sent("sendMessage", GROUP_ID), timeout=30)
            text = question.params["text"].replace("&#x27;", "'").replace("&quot;", '"')
            q = next(q for q in bank.questions if q.prompt.en in text)
            replied = {
                "message_id": 5,
                "date": 0,
                "chat": group,
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "s"},
            }
            answered: dict[int, float] = {}
            began = time.monotonic()
            for i in range(members):
                uid = 1000 + i
                await asyncio.sleep(max(0.0, began + i * spread / members - time.monotonic()))
                answered[uid] = time.monotonic()
                kps = q.key_points[: 1 + i % len(q.key_points)]
                api.message(user(uid, f"Member {i}"), group, " ".join(kp.en for kp in kps), reply_to=replied)

            def feedback_at() -> dict[int, float]:
                return {
                    int(c.params["chat_id"]): c.at
                    for c in api.calls
                    if not c.refused and c.method == "sendMessage" and int(c.params["chat_id"]) in answered
                }

            await api.wait_for(lambda: len(feedback_at()) == members, timeout=120)
            closing = time.monotonic()
            api.message(user(1, "Starter"), group, "/reveal")
            [summary] = await api.wait_for(
                lambda: [
                    c for c in api.sent("sendMessage", GROUP_ID) if "Round closed" in c.params["text"] and not c.refused
                ],
                timeout=120,
            )
            got = feedback_at()
            latency = [got[u] - answered[u] for u in answered]
            group_calls = [
                c
                for c in api.calls
                if c.method in GROUP_METHODS and c.params.get("chat_id") == GROUP_ID and not c.refused
            ]
            posted = [
                c for c in api.sent("sendMessage", GROUP_ID) if "answered so far" in c.params["text"] and not c.refused
            ]
            edits = [c for c in api.sent("editMessageText", GROUP_ID) if not c.refused]
            busiest = busiest_minute([c.at for c in group_calls])
            print(
                f"{members:>4} members over {spread:.0f} s: group messages in the busiest minute {busiest} "
                f"(limit 20), 429s {api.too_many}; private feedback p50 {statistics.median(latency):.2f} s, "
                f"p95 {pct(latency, 0.95):.2f} s, max {max(latency):.2f} s; "
                f"summary {summary.at - closing:.2f} s after /reveal; "
                f"live message posted {len(posted)}x, edited {len(edits)}x"
            )
        finally:
            await adapter.stop()
            await store.close()
            await api.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, nargs="+", default=[30, 300])
    parser.add_argument("--spread", type=float, default=60.0)
    args = parser.parse_args()
    for n in args.members:
        await run(n, args.spread)


if __name__ == "__main__":
    asyncio.run(main())
