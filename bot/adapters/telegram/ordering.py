"""PTB's update processor with per-chat order (bot/adapters/ordering.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.adapters.ordering import ChatQueues

MAX_CONCURRENT_UPDATES = 256


def chat_key(update: object) -> Hashable | None:
    """The chat an update belongs to; a poll vote (it names no chat) is ordered per voter."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.poll_answer is not None and update.poll_answer.user is not None:
        return ("user", update.poll_answer.user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self.queues = ChatQueues()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self.queues.turn(chat_key(update)):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
