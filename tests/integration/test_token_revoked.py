"""A platform that rejects the bot's token while running is stopped alone, with one line; the
others go on; when none is left, `serve` ends the way a token rejected at start-up does (exit 2)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.adapters.base import Revocation
from bot.bootstrap import System
from bot.core.events import ChatRef, Reply
from bot.core.sending import Delivered, SendResult
from bot.launcher import run_until_stopped


class Platform:
    """An adapter that only does what the launcher asks of it."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.revocation = Revocation()
        self.stopped = asyncio.Event()

    async def start(self) -> None:
        """Nothing to connect."""

    async def stop(self) -> None:
        self.stopped.set()

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        return Delivered()

    async def revoked(self) -> str:
        return await self.revocation.wait()


async def test_one_platform_stops_alone_and_the_last_one_ends_the_run(
    system: System, caplog: pytest.LogCaptureFixture
) -> None:
    telegram, discord = Platform("telegram"), Platform("discord")
    system.daily.messengers.update({"telegram": telegram, "discord": discord})
    stop = asyncio.Event()
    running = asyncio.create_task(run_until_stopped(system, [telegram, discord], stop))
    with caplog.at_level(logging.CRITICAL, logger="bot.launcher"):
        telegram.revocation.report("Telegram rejected TELEGRAM_BOT_TOKEN while running (401 Unauthorized)")
        await asyncio.wait_for(telegram.stopped.wait(), timeout=10)
    assert not running.done() and not discord.stopped.is_set()  # Discord goes on
    assert set(system.daily.messengers) == {"discord"}  # nothing more is claimed for Telegram here
    [line] = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert (
        line
        == "Telegram rejected TELEGRAM_BOT_TOKEN while running (401 Unauthorized): stopping telegram (fix the token and restart)"
    )
    discord.revocation.report("Discord rejected DISCORD_BOT_TOKEN while running (401 Unauthorized)")
    assert await asyncio.wait_for(running, timeout=10) == (
        "Discord rejected DISCORD_BOT_TOKEN while running (401 Unauthorized)"
    )
    assert discord.stopped.is_set() and not system.daily.messengers


async def test_a_stop_signal_ends_the_run_without_a_word_about_tokens(system: System) -> None:
    telegram = Platform("telegram")
    stop = asyncio.Event()
    running = asyncio.create_task(run_until_stopped(system, [telegram], stop))
    stop.set()
    assert await asyncio.wait_for(running, timeout=10) is None
    assert not telegram.stopped.is_set()  # serve stops what is left, in order
