"""What every platform adapter offers the launcher: start, stop, and send on the core's behalf."""

from __future__ import annotations

import asyncio
from typing import Protocol

from bot.core.events import ChatRef, Reply
from bot.core.sending import SendResult


class TokenRejected(Exception):
    """The platform refused the bot's token at start-up: retrying cannot help."""


class Unreachable(Exception):
    """The platform could not be reached at start-up (network, DNS, 5xx): worth retrying."""


class Revocation:
    """The platform rejected the bot's token while running (revoked or reset by its owner).

    Nothing the bot sends can succeed any more, and retrying cannot help: the adapter reports it
    here once and the launcher stops that platform with one line (README, Telegram / Discord)."""

    def __init__(self) -> None:
        self._seen = asyncio.Event()
        self.reason = ""

    def report(self, reason: str) -> None:
        if not self._seen.is_set():
            self.reason = reason
            self._seen.set()

    @property
    def reported(self) -> bool:
        return self._seen.is_set()

    async def wait(self) -> str:
        await self._seen.wait()
        return self.reason


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

    async def revoked(self) -> str:
        """Wait until the platform rejects the bot's token while running; why (one line, no token)."""
        ...
