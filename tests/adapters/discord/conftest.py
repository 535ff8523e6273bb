"""Fixtures for the Discord adapter: a fake Discord on loopback and the real adapter started against it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.discord.adapter import DEFER_AFTER, SEND_TIMEOUT, DiscordAdapter
from bot.core.app import StudyBot
from tests.adapters.discord.fake_discord import FakeDiscord


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.close()


def make_adapter(
    bot: StudyBot,
    fake: FakeDiscord,
    *,
    dev_guild: int | None = None,
    defer_after: float = DEFER_AFTER,
    send_timeout: float = SEND_TIMEOUT,
    shard_count: int | None = None,
    shard_ids: tuple[int, ...] | None = None,
) -> DiscordAdapter:
    return DiscordAdapter(
        bot,
        "fake-token",
        api_base_url=fake.base_url,
        gateway_url=fake.gateway_url,
        dev_guild=dev_guild,
        defer_after=defer_after,
        send_timeout=send_timeout,
        ready_timeout=10,
        client_options={"guild_ready_timeout": 0.05},
        shard_count=shard_count,
        shard_ids=shard_ids,
    )


@pytest.fixture
async def adapter(studybot: StudyBot, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    a = make_adapter(studybot, fake)
    await a.start()
    yield a
    await a.stop()


@pytest.fixture
async def quick(studybot: StudyBot, fake: FakeDiscord) -> AsyncIterator[DiscordAdapter]:
    """An adapter that gives up on a post after 0.3 s."""
    a = make_adapter(studybot, fake, send_timeout=0.3)
    await a.start()
    yield a
    await a.stop()
