"""`studybot run`: every platform whose token is set, on one event loop; the terminal chat if none.

SIGTERM / SIGINT stop the adapters (no new updates, in-flight replies finish), then the
database closes; the process exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping
from datetime import timedelta

from bot.adapters.base import Adapter
from bot.adapters.terminal import PLATFORM, TerminalChat
from bot.core.app import Outgoing, StudyBot
from bot.core.daily.service import DailyService
from bot.core.ports import Messenger
from bot.scheduling.scheduler import Scheduler
from bot.settings import Settings

log = logging.getLogger(__name__)

def build_adapters(settings: Settings, bot: StudyBot) -> list[Adapter]:
    adapters: list[Adapter] = []
    if settings.telegram_bot_token is not None:
        from bot.adapters.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter.from_settings(settings, bot))
    if settings.discord_bot_token is not None:
        from bot.adapters.discord.adapter import build_discord_adapter

        adapters.append(build_discord_adapter(settings, bot))
    return adapters


def scheduler_for(bot: StudyBot, messengers: Mapping[str, Messenger], lease_seconds: float = 120) -> Scheduler:
    """The question of the day, reminders and round closing, sent through these messengers."""

    async def post(outgoing: Outgoing) -> bool:
        messenger = messengers.get(outgoing.chat.platform)
        return True if messenger is None else await messenger.send(outgoing.chat, outgoing.reply)

    return Scheduler(bot, DailyService(bot, messengers, lease=timedelta(seconds=lease_seconds)), post)


async def serve(bot: StudyBot, adapters: list[Adapter], stop: asyncio.Event, lease_seconds: float = 120) -> None:
    started: list[Adapter] = []
    scheduler = scheduler_for(bot, {a.platform: a for a in adapters}, lease_seconds)
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter running", adapter.platform)
        await scheduler.start()
        await stop.wait()
        log.info("stopping")
    finally:
        await scheduler.stop()
        for adapter in reversed(started):
            try:
                await asyncio.wait_for(adapter.stop(), timeout=20)
            except Exception:
                log.exception("stopping the %s adapter failed", adapter.platform)


async def run_terminal(bot: StudyBot, chat: TerminalChat) -> None:
    """The terminal chat, with the question of the day and round timers delivered into it."""
    scheduler = scheduler_for(bot, {PLATFORM: chat})
    await scheduler.start()
    try:
        await chat.run()
    finally:
        await scheduler.stop()


async def launch(settings: Settings) -> int:
    from bot.runtime import running_bot

    async with running_bot(settings) as bot:
        adapters = build_adapters(settings, bot)
        if not adapters:
            log.info("no platform token set: starting the terminal chat")
            await run_terminal(bot, TerminalChat(bot, out_dir=settings.output_dir))
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(bot, adapters, stop, settings.delivery_lease_seconds)
    return 0
