"""`studybot run`: every platform whose token is set, on one event loop; the terminal chat if none.

SIGTERM / SIGINT stop the adapters (no new updates, in-flight replies finish), then the
database closes; the process exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping

from bot.adapters.base import Adapter
from bot.core.app import StudyBot
from bot.settings import Settings

log = logging.getLogger(__name__)

# How often group rounds whose time is up are closed and their summaries posted.
ROUND_TICK_SECONDS = 15.0


def build_adapters(settings: Settings, bot: StudyBot) -> list[Adapter]:
    adapters: list[Adapter] = []
    if settings.telegram_bot_token is not None:
        from bot.adapters.telegram.adapter import TelegramAdapter

        adapters.append(TelegramAdapter.from_settings(settings, bot))
    if settings.discord_bot_token is not None:
        from bot.adapters.discord.adapter import build_discord_adapter

        adapters.append(build_discord_adapter(settings, bot))
    return adapters


async def close_rounds_forever(bot: StudyBot, adapters: Mapping[str, Adapter], every: float) -> None:
    while True:
        try:
            for outgoing in await bot.close_due_rounds():
                adapter = adapters.get(outgoing.chat.platform)
                if adapter is not None and not await adapter.send(outgoing.chat, outgoing.reply):
                    await bot.chat_unreachable(outgoing.chat)
        except Exception:  # a failing tick must not end the loop that closes every later round
            log.exception("closing due rounds failed")
        await asyncio.sleep(every)


async def serve(bot: StudyBot, adapters: list[Adapter], stop: asyncio.Event) -> None:
    started: list[Adapter] = []
    ticker: asyncio.Task[None] | None = None
    try:
        for adapter in adapters:
            await adapter.start()
            started.append(adapter)
            log.info("%s adapter running", adapter.platform)
        ticker = asyncio.create_task(
            close_rounds_forever(bot, {a.platform: a for a in adapters}, ROUND_TICK_SECONDS)
        )
        await stop.wait()
        log.info("stopping")
    finally:
        if ticker is not None:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        for adapter in reversed(started):
            try:
                await asyncio.wait_for(adapter.stop(), timeout=20)
            except Exception:
                log.exception("stopping the %s adapter failed", adapter.platform)


async def launch(settings: Settings) -> int:
    from bot.adapters.terminal import TerminalChat
    from bot.runtime import running_bot

    async with running_bot(settings) as bot:
        adapters = build_adapters(settings, bot)
        if not adapters:
            log.info("no platform token set: starting the terminal chat")
            await TerminalChat(bot, out_dir=settings.output_dir).run()
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve(bot, adapters, stop)
    return 0
