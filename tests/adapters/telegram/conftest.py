from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.core.app import StudyBot
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def telegram(fake_api: FakeBotApi, studybot: StudyBot) -> AsyncIterator[TelegramAdapter]:
    adapter = TelegramAdapter(studybot, TOKEN, base_url=fake_api.base_url, poll_timeout=1)
    await adapter.start()
    yield adapter
    await adapter.stop()


@pytest.fixture
async def quick(fake_api: FakeBotApi, studybot: StudyBot) -> AsyncIterator[TelegramAdapter]:
    """Short timeouts and back-off, so a slow or failing API shows within a test's patience."""
    adapter = TelegramAdapter(
        studybot, TOKEN, base_url=fake_api.base_url, poll_timeout=1, read_timeout=0.5, backoff=(0.01, 0.01, 0.01)
    )
    await adapter.start()
    yield adapter
    await adapter.stop()
