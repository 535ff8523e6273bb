"""How the core says something nobody just asked for (a round's summary, the question of the day)."""

from __future__ import annotations

from typing import Protocol

from bot.core.events import ChatRef, Reply
from bot.core.sending import SendResult


class Messenger(Protocol):
    """Implemented by each adapter."""

    platform: str

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        """Deliver `reply` and say how it ended (bot/core/sending.py). It reports; the caller decides
        (settles the ledger, pauses or stops the chat's subscriptions)."""
        ...
