"""Abuse limits under bursts: graded answers per learner per minute, new rounds per group per hour."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.content.bank import Bank
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.events import ChatKind
from bot.core.limits import Limit, Limits, SlidingWindow
from bot.storage.store import SqlStore
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi, chat, user
from tests.harness import Harness, keys
from tests.wiring import system

ANSWER = "LoRA freezes the base model and trains two small low-rank matrices beside each weight."


def limited(bank: Bank, store: SqlStore, clock: FakeClock, answers: int = 0, rounds: int = 0) -> StudyBot:
    return system(bank, store, clock, seed=3, limits=Limits.per(answers, rounds)).bot


async def stored_answers(store: SqlStore) -> int:
    async with store.transaction() as tx:
        return int((await tx.conn.exec_driver_sql("SELECT count(*) FROM answers")).scalar_one())


def test_sliding_window_counts_forgets_and_stays_bounded() -> None:
    window = SlidingWindow(Limit(2, timedelta(minutes=1)), max_keys=100)
    t0 = datetime(2026, 3, 2, tzinfo=UTC)
    assert window.hit("a", t0) is None and window.hit("a", t0) is None
    first, second = window.hit("a", t0), window.hit("a", t0 + timedelta(seconds=30))
    assert first is not None and first.tell and first.seconds == 60
    assert second is not None and not second.tell and second.seconds == 30  # told once per wait
    assert window.hit("a", t0 + timedelta(seconds=60)) is None  # the window slid past
    for i in range(1000):
        window.hit(f"k{i}", t0)
    assert len(window._events) <= 100
    assert SlidingWindow(Limit(0, timedelta(minutes=1))).hit("x", t0) is None  # 0 = no limit


async def test_a_burst_of_answers_grades_only_the_limit_and_says_slow_down_once(
    bank: Bank, store: SqlStore, clock: FakeClock
) -> None:
    h = Harness(limited(bank, store, clock, answers=5))
    said: list[list[str]] = []
    for _ in range(30):  # all in the same instant
        await h.say("/quiz")
        said.append(keys(await h.say(ANSWER)))
    graded = [k for k in said if any(key.startswith("grade.") for key in k)]
    assert len(graded) == 5 and await stored_answers(store) == 5
    assert said.count(["limit.answers"]) == 1 and said.count([]) == 24  # then silence: no echo of the flood
    refusal = next(r for r in h.history if "limit.answers" in r.keys)
    assert "5 answers a minute" in refusal.plain() and "60 s" in refusal.plain()
    clock.advance(seconds=61)
    await h.say("/quiz")
    assert any(k.startswith("grade.") for k in keys(await h.say(ANSWER)))  # the minute passed: graded again
    assert await stored_answers(store) == 6


async def test_concurrent_burst_holds_the_limit_and_other_learners_are_unaffected(
    bank: Bank, store: SqlStore, clock: FakeClock
) -> None:
    bot = limited(bank, store, clock, answers=4)
    flood = Harness(bot, user_id="flood")
    await flood.say("/quiz")
    results = await asyncio.gather(*(bot.handle(flood.incoming(f"{ANSWER} #{i}")) for i in range(60)))
    answered = [r for r in results if r and "limit.answers" not in keys(r)]
    assert len(answered) == 4  # one graded, three "no question open": four answers let through in all
    assert sum("limit.answers" in keys(r) for r in results) == 1
    calm = Harness(bot, user_id="calm")
    await calm.say("/quiz")
    assert any(k.startswith("grade.") for k in keys(await calm.say(ANSWER)))


async def test_group_rounds_are_limited_per_group_and_answers_per_member(
    bank: Bank, store: SqlStore, clock: FakeClock
) -> None:
    bot = limited(bank, store, clock, answers=2, rounds=3)
    admin = Harness(bot, user_id="admin", chat_id="g1", chat_kind=ChatKind.GROUP, is_admin=True)
    started = 0
    for _ in range(10):
        replies = await admin.say("/quiz")
        if "round.title" in keys(replies):
            started += 1
            again = await admin.say("/quiz")  # a round is running: shown again, not counted
            assert "round.already_open" in keys(again)
            member = admin.as_user("m1")
            marks = [keys(await member.say(ANSWER, addressed=True)) for _ in range(4)]
            assert sum("round.standings" in k or "round.first_counts" in k for k in marks) == 2
            assert marks[2] == ["limit.answers"] and marks[3] == []
            clock.advance(seconds=61)
            await admin.say("/reveal")
    assert started == 3
    refused = [r for r in admin.history if "limit.rounds" in r.keys]
    assert len(refused) == 1 and not refused[0].ephemeral and "3 rounds" in refused[0].plain()
    other = Harness(bot, user_id="admin", chat_id="g2", chat_kind=ChatKind.GROUP, is_admin=True)
    assert "round.title" in keys(await other.say("/quiz"))  # another group has its own allowance
    clock.advance(hours=1)
    assert "round.title" in keys(await admin.say("/mc"))  # an hour later: rounds again


async def test_telegram_burst_from_one_user_gets_the_limit_then_one_slow_down(
    bank: Bank, store: SqlStore, clock: FakeClock
) -> None:
    api = FakeBotApi()
    await api.start()
    adapter = TelegramAdapter(limited(bank, store, clock, answers=3), TOKEN, base_url=api.base_url, poll_timeout=1)
    await adapter.start()
    try:
        for _ in range(20):
            api.message(user(77, "Burst"), chat(77), "/quiz")
            api.message(user(77, "Burst"), chat(77), ANSWER)
        await api.wait_for(
            lambda: sum("Slow down" in t for t in api.texts(77)) == 1 and len(api.texts(77)) >= 24, timeout=30
        )
        await asyncio.sleep(0.3)  # nothing more follows
    finally:
        await adapter.stop()
        await api.stop()
    texts = api.texts(77)
    assert sum("Slow down" in t for t in texts) == 1
    assert await stored_answers(store) <= 3
    assert sum("Score" in t for t in texts) <= 3  # at most 3 answers let through (graded or "no question open")


async def test_stats_and_export_are_limited_per_learner_and_say_so_once(
    bank: Bank, store: SqlStore, clock: FakeClock
) -> None:
    bot = system(bank, store, clock, seed=3).bot  # the default limits: documents are limited out of the box
    ada, bob = Harness(bot), Harness(bot, user_id="u2", user_name="Bob")
    count = bot.limiter.limits.documents.count
    said = [keys(await ada.say(command)) for command in ["/stats", "/export"] * count]
    drawn = [k for k in said if k != ["limit.documents"] and k]
    assert len(drawn) == count and said.count(["limit.documents"]) == 1 and said.count([]) == count - 1
    refusal = next(r for r in ada.history if "limit.documents" in r.keys)
    assert f"at most {count} every 10 minutes" in refusal.plain()
    assert keys(await bob.say("/stats")) != ["limit.documents"]  # per learner: someone else is not held up
    assert keys(await ada.say("/help")) != ["limit.documents"]  # and other commands go on
    clock.advance(minutes=11)
    assert keys(await ada.say("/stats")) != ["limit.documents"]
