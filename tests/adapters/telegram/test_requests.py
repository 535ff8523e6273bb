"""The adapter's Bot API requests (aiohttp under python-telegram-bot) against the fake Bot API:
its timeouts end as PTB's errors whose send results say whether the message may have left, and
the overall rate limit is kept without a burst of a whole second's worth."""

from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import TimedOut

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.adapters.telegram.outcomes import result_of
from bot.adapters.telegram.request import AiohttpRequest
from bot.core.app import StudyBot
from bot.core.events import ChatRef, Part, Reply
from bot.core.sending import Delivered, Retry, Uncertain
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi


async def _outcome(bot: Bot) -> object:
    try:
        await bot.send_message(41, "hello")
    except TimedOut as exc:
        return result_of(exc)
    return Delivered()


async def test_a_read_timeout_is_uncertain_and_a_pool_timeout_never_left(fake_api: FakeBotApi) -> None:
    fake_api.holds[41] = [1.5]  # the first send is posted but answered late; it holds the one connection
    bot = Bot(
        TOKEN,
        base_url=fake_api.base_url,
        request=AiohttpRequest(1, read_timeout=0.5, connect_timeout=0.1, pool_timeout=0.1),
    )
    await bot.initialize()
    try:
        late = asyncio.create_task(_outcome(bot))
        await fake_api.wait_for(lambda: fake_api.sent("sendMessage", 41))
        assert isinstance(await _outcome(bot), Retry)  # no connection came free: nothing was sent
        assert isinstance(await late, Uncertain)  # it was sent: resending could post it twice
        assert len(fake_api.sent("sendMessage", 41)) == 1
    finally:
        await bot.shutdown()


async def test_sends_are_paced_without_a_burst(fake_api: FakeBotApi, studybot: StudyBot) -> None:
    rate = 40.0
    adapter = TelegramAdapter(studybot, TOKEN, base_url=fake_api.base_url, poll_timeout=1, max_rate=rate)
    adapter.app = adapter.build()
    await adapter.app.initialize()
    try:
        note = Reply((Part("Question of the day", "title"),), lang="en")
        results = await asyncio.gather(*(adapter.send(ChatRef("telegram", str(100 + i)), note) for i in range(40)))
    finally:
        await adapter.app.shutdown()
    assert all(isinstance(r, Delivered) for r in results)
    arrivals = sorted(c.at for c in fake_api.sent("sendMessage"))
    # A whole second's bucket let all 40 arrive at once; paced, any 0.25 s holds about 10 of them.
    busiest = max(sum(1 for t in arrivals if start <= t < start + 0.25) for start in arrivals)
    assert busiest <= rate * 0.25 + 4, busiest
