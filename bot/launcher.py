"""`studybot run`: every platform whose token is set, on one event loop; the terminal chat if none."""

from __future__ import annotations

import logging

from bot.settings import Settings

log = logging.getLogger(__name__)


async def launch(settings: Settings) -> int:
    from bot.adapters.terminal import TerminalChat
    from bot.runtime import running_bot

    async with running_bot(settings) as bot:
        log.info("no platform token set: starting the terminal chat")
        await TerminalChat(bot, out_dir=settings.output_dir).run()
    return 0
