"""Fixtures for the Discord adapter: a fake Discord on loopback and the real adapter started against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.discord.adapter import DiscordAdapter
from bot.core.app import StudyBot
from tests.adapters.discord.fake_discord import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


def make_adapter(bot: StudyBot, fake: FakeDiscord, **options: object) -> DiscordAdapter:
    return DiscordAdapter(
        bot,
        "fake-token",
        api_base_url=fake.base_url,
        gateway_url=fake.gateway_url,
        ready_timeout=10,
        client_options={"guild_ready_timeout": 0.05},
        **options,
    )  # type: ignore[arg-type]


@pytest.fixture
async def adapter(studybot: StudyBot, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    a = make_adapter(studybot, fake)
    await a.start()
    yield a
    await a.stop()
