"""An uncertain question of the day on Telegram: the Bot API posted it but answered after the read
timeout. Telegram has no way to ask whether a message arrived and no idempotency key, so the
README's documented behaviour holds: it is sent once more after `RetryPolicy.uncertain` (at least
once; this is the duplicate the README's table names), recorded as sent, and never sent again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.storage.store import SqlStore
from bot.storage.tables import deliveries
from tests.adapters.telegram.fake_bot_api import FakeBotApi
from tests.harness import Harness
from tests.wiring import daily_service


async def test_a_late_answer_is_sent_once_more_then_settled(
    studybot: StudyBot, quick: TelegramAdapter, fake_api: FakeBotApi, clock: FakeClock, store: SqlStore
) -> None:
    await Harness(studybot, "telegram", "41").say("/daily 09:05 UTC")
    daily = daily_service(studybot, {"telegram": quick}, worker="w1")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    fake_api.holds[41] = [1.5]  # posted, but answered after the adapter's 0.5 s read timeout
    assert (await daily.run_due()).retried == 1
    await fake_api.wait_for(lambda: fake_api.delivered)  # Telegram really has it
    assert (await daily.run_due()).reclaimed == 0  # not resent at once
    clock.advance(seconds=daily.retries.uncertain.total_seconds())
    report = await daily.run_due()
    assert (report.reclaimed, report.sent) == (1, 1)
    assert fake_api.delivered == [41, 41]  # the documented duplicate: nothing on Telegram could tell
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(deliveries.c.status))).scalar() == "sent"
    clock.advance(minutes=10)
    report = await daily.run_due()
    assert (report.claimed, report.reclaimed) == (0, 0) and fake_api.delivered == [41, 41]
