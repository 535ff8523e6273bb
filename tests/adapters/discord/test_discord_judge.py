"""The LLM judge through real discord.py and the fake Discord: a judge still thinking never misses the deadline.

The adapter defers an interaction the core has not answered in time (`defer_after`, 2 s in production,
short here); the verdict follows up when the judge answers, privately to the one who answered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.adapters.discord.adapter import DiscordAdapter
from bot.content.bank import Bank
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.storage.store import SqlStore
from tests.adapters.discord.conftest import make_adapter
from tests.adapters.discord.fake_discord import ADMIN_PERMS, APP_ID, FakeDiscord
from tests.adapters.discord.test_adapter import ADA, BOB, answer_id, callback, is_ephemeral, live_text, shown, text_of
from tests.judging.chat import judged_system
from tests.judging.fake_openai import FakeOpenAI


@pytest.fixture
async def openai_fake() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI(
        verdict={"score": 1.0, "key_points": [], "wrong_claims": [], "feedback": "**Bold** claim, @everyone."},
        gate=asyncio.Event(),
    )
    await server.start()
    yield server
    assert server.gate is not None
    server.gate.set()
    await server.stop()


@pytest.fixture
def studybot(bank: Bank, store: SqlStore, clock: FakeClock, openai_fake: FakeOpenAI) -> StudyBot:
    return judged_system(bank, store, clock, openai_fake, timeout=30.0).bot


@pytest.fixture
async def deferring(studybot: StudyBot, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    a = make_adapter(studybot, fake, defer_after=0.05)
    await a.start()
    yield a
    await a.stop()


async def test_a_round_answer_is_deferred_while_the_judge_thinks_then_followed_up(
    deferring: DiscordAdapter, fake: FakeDiscord, openai_fake: FakeOpenAI
) -> None:
    start = await fake.slash("quiz", user=ADA, permissions=ADMIN_PERMS)
    (question,) = await shown(fake, start)
    submit = await fake.submit(
        "sbm:" + answer_id(question)[4:], {"answer": "low-rank adapters on a frozen base"}, user=BOB
    )
    await openai_fake.asked.wait()  # the judge has the answer and has not replied
    cb = await callback(fake, submit)
    assert cb.json["type"] == 6  # acknowledged (a deferred update) before the verdict exists
    assert openai_fake.gate is not None
    openai_fake.gate.set()
    hook = rf"/webhooks/{APP_ID}/{submit['token']}"
    followups = await fake.wait_for(lambda: fake.find("POST", hook))
    # A fair round: while it is open the answerer sees the score and verdict only (the judge's
    # feedback and corrections could name what was missed); the standings go to the channel.
    [private] = (r.json for r in followups)
    assert is_ephemeral(private) and "Score:" in text_of(private) and "Judge:" not in text_of(private)
    standings = await fake.wait_for(lambda: [m for m in fake.posted.values() if "answered so far" in live_text(m)])
    assert "Judge:" not in live_text(standings[0])
