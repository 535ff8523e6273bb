"""The LLM judge through real PTB and the fake Bot API: the reply carries its words, escaped; failures don't show."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.content.bank import Bank
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.storage.store import SqlStore
from tests.adapters.telegram.fake_bot_api import FakeBotApi, chat, user
from tests.judging.chat import judged_system
from tests.judging.fake_openai import FakeOpenAI

ADA, PRIVATE = user(11, "Ada", lang="en"), chat(11)
VERDICT = {
    "score": 1.0,
    "key_points": [],
    "wrong_claims": [{"claim": "<b>rank</b> & <a href='x'>size</a>", "correction": "rank < 64"}],
    "feedback": "Close <tg-spoiler>enough</tg-spoiler>.",
}


@pytest.fixture
async def openai_fake() -> AsyncIterator[FakeOpenAI]:
    server = FakeOpenAI(verdict=dict(VERDICT))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def studybot(bank: Bank, store: SqlStore, clock: FakeClock, openai_fake: FakeOpenAI) -> StudyBot:
    return judged_system(bank, store, clock, openai_fake, timeout=5.0).bot


async def answer_a_question(fake_api: FakeBotApi, bank: Bank) -> str:
    fake_api.message(ADA, PRIVATE, "/quiz")
    [question] = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", 11))
    shown = question.params["text"].replace("&#x27;", "'").replace("&quot;", '"')
    q = next(q for q in bank.questions if q.prompt.en in shown)
    assert q.answer is not None
    fake_api.message(ADA, PRIVATE, q.answer.en)
    graded = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", 11)[1:])
    return str(graded[0].params["text"])


@pytest.mark.parametrize("mode", ["good", "500"])
async def test_a_judged_answer_on_telegram(
    mode: str, fake_api: FakeBotApi, telegram: TelegramAdapter, bank: Bank, openai_fake: FakeOpenAI
) -> None:
    openai_fake.mode = mode
    text = await answer_a_question(fake_api, bank)
    assert "Score:" in text and openai_fake.requests
    if mode == "good":
        assert "&lt;b&gt;rank&lt;/b&gt; &amp; &lt;a href=" in text and "rank &lt; 64" in text
        assert "Judge: Close &lt;tg-spoiler&gt;enough&lt;/tg-spoiler&gt;." in text
    else:
        assert "Judge:" not in text and "The judge's corrections" not in text
