"""`studybot run`: every platform whose token is set, on one event loop; the terminal chat if none.

SIGTERM / SIGINT stop the scheduler (deliveries in flight finish), then the adapters (no new
updates, in-flight replies finish), then the database closes; the process exits 0. The whole
stop takes at most STUDYBOT_STOP_TIMEOUT seconds (plus a second per step past it): what is
still running then is abandoned, which loses nothing committed — every answer is committed
before its reply is sent, and an unconfirmed delivery is sent again by the next process.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta

from bot.adapters.base import Adapter
from bot.adapters.terminal import PLATFORM, TerminalChat
from bot.core.app import Outgoing, StudyBot
from bot.core.daily.service import DailyService
from bot.core.limits import Limiter, Limits
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


async def serve(
    bot: StudyBot, adapters: list[Adapter], stop: asyncio.Event, lease_seconds: float = 120, stop_timeout: float = 20
) -> None:
    started: list[Adapter] = []
    scheduler = scheduler_for(bot, {a.platform: a for a in adapters}, lease_seconds)
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter running", adapter.platform)
        await scheduler.start()
        await stop.wait()
        log.info("stopping: finishing what is in flight (at most %.0f s)", stop_timeout)
    finally:
        steps = [("scheduler", scheduler.stop)] + [(a.platform, a.stop) for a in reversed(started)]
        await stop_within(steps, stop_timeout)
        log.info("stopped")


async def stop_within(steps: Sequence[tuple[str, Callable[[], Awaitable[None]]]], seconds: float) -> None:
    """Run each stop step in order, all within `seconds` (each step past that gets one second)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    for name, step in steps:
        budget = max(deadline - loop.time(), 1.0)
        try:
            await asyncio.wait_for(step(), timeout=budget)
        except TimeoutError:
            log.warning("stopping %s took longer than %.0f s: left unfinished", name, budget)
        except Exception:
            log.exception("stopping %s failed", name)


def platform_limits(settings: Settings) -> Limits:
    """Abuse limits for the platforms (the terminal chat, one local person, has none)."""
    return Limits.per(settings.answers_per_minute, settings.rounds_per_hour)


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
        bot.limiter = Limiter(platform_limits(settings))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _stop_on(stop, sig))
        await serve(bot, adapters, stop, settings.delivery_lease_seconds, settings.stop_timeout)
    return 0


def _stop_on(stop: asyncio.Event, sig: signal.Signals) -> Callable[[], None]:
    def handler() -> None:
        log.info("%s received", sig.name)
        stop.set()

    return handler
