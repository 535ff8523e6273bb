"""An uncertain question of the day on Discord: Discord posted it but answered after the adapter's
timeout. The next try resends it with the same nonce and `enforce_nonce`, and Discord answers with
the message it already has: posted once, recorded as sent, never sent again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.adapters.discord.adapter import DiscordAdapter
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.events import ChatKind
from bot.storage.store import SqlStore
from bot.storage.tables import deliveries
from tests.adapters.discord.fake_discord import CHANNEL_ID, FakeDiscord
from tests.harness import Harness
from tests.wiring import daily_service

MESSAGES = rf"/channels/{CHANNEL_ID}/messages"


@pytest.mark.parametrize(("window", "posts"), [(300.0, 1), (0.0, 2)])
async def test_a_late_answer_is_reconciled_by_the_nonce(
    studybot: StudyBot,
    quick: DiscordAdapter,
    fake: FakeDiscord,
    clock: FakeClock,
    store: SqlStore,
    window: float,
    posts: int,
) -> None:
    fake.nonce_window = window  # 0: the resend came after Discord forgot the nonce (README: the window)
    admin = Harness(studybot, "discord", "7", "Ada", str(CHANNEL_ID), ChatKind.GROUP, is_admin=True)
    await admin.say("/daily 09:05 UTC")
    daily = daily_service(studybot, {"discord": quick}, worker="w1")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    fake.fail("POST", MESSAGES, 200, hold=1.0)  # posted, but answered after the adapter's 0.3 s
    assert (await daily.run_due()).retried == 1
    await fake.wait_for(lambda: fake.channel_posts)  # Discord really has it
    clock.advance(seconds=daily.retries.uncertain.total_seconds())
    report = await daily.run_due()
    assert (report.reclaimed, report.sent) == (1, 1)
    first, second = fake.find("POST", MESSAGES)
    assert first.json["nonce"] == second.json["nonce"] and second.json["enforce_nonce"] is True
    assert len(fake.channel_posts) == posts
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(deliveries.c.status))).scalar() == "sent"
    clock.advance(minutes=10)
    report = await daily.run_due()
    assert (report.claimed, report.reclaimed) == (0, 0) and len(fake.find("POST", MESSAGES)) == 2
