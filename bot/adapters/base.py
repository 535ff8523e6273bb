"""What every platform adapter offers the launcher: start, stop, and send on the core's behalf."""

from __future__ import annotations

from typing import Protocol

from bot.core.events import ChatRef, Reply
from bot.core.sending import SendResult


class TokenRejected(Exception):
    """The platform refused the bot's token at start-up: retrying cannot help."""


class Unreachable(Exception):
    """The platform could not be reached at start-up (network, DNS, 5xx): worth retrying."""


class Adapter(Protocol):
    platform: str

    async def start(self) -> None:
        """Connect and begin taking updates; returns once running (not when stopped)."""
        ...

    async def stop(self) -> None:
        """Stop taking updates, finish what is in flight, disconnect."""
        ...

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        """Deliver a message the core sends on its own; how it ended."""
        ...
