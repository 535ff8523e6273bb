"""How the core says something nobody just asked for (a round's summary, the question of the day)."""

from __future__ import annotations

from typing import Protocol

from bot.core.events import ChatRef, Reply


class Messenger(Protocol):
    """Implemented by each adapter."""

    platform: str

    async def send(self, chat: ChatRef, reply: Reply) -> bool:
        """Deliver `reply`; False when the chat cannot be reached (blocked, gone)."""
        ...
