"""Messages kept up to date in place (a round's standings), throttled to what a platform allows.

The core marks such a reply with `Reply.live` (a key); each new version replaces the last one.
Here every (chat, key) gets one message: the first version is posted, later ones edit it, at
most one write per `interval` seconds, and only the newest version waiting is written (versions
that arrive during a pause are coalesced). Writing happens in a background task, so whoever
handed a version in (an answer's handler) is never held up by the group's rate limit: its
private feedback goes out at once. `end(key)` (the round's summary) drops what is still waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.events import Reply

log = logging.getLogger(__name__)

Chat = TypeVar("Chat")
Handle = TypeVar("Handle")


@dataclass
class _Live(Generic[Handle]):
    waiting: Reply | None = None
    handle: Handle | None = None
    task: asyncio.Task[None] | None = None
    ended: bool = False
    written: int = 0


class LiveMessages(Generic[Chat, Handle]):
    """`post(chat, reply)` sends a new message and returns its handle (None: not sent);
    `edit(chat, handle, reply)` changes it (False: the message is gone, post a new one)."""

    def __init__(
        self,
        post: Callable[[Chat, Reply], Awaitable[Handle | None]],
        edit: Callable[[Chat, Handle, Reply], Awaitable[bool]],
        interval: float,
    ) -> None:
        self._post = post
        self._edit = edit
        self.interval = interval
        self._live: dict[tuple[Chat, str], _Live[Handle]] = {}

    def update(self, chat: Chat, reply: Reply) -> None:
        """Show `reply` as the newest version of its live message (returns at once)."""
        assert reply.live is not None
        state = self._live.setdefault((chat, reply.live), _Live())
        state.waiting = reply
        if state.task is None or state.task.done():
            state.task = asyncio.create_task(self._write(chat, reply.live, state), name=f"live:{reply.live}")

    def end(self, chat: Chat, key: str) -> None:
        """The live message `key` is final as it is: nothing waiting is written."""
        state = self._live.pop((chat, key), None)
        if state is not None:
            state.ended = True
            state.waiting = None

    async def drain(self) -> None:
        """Wait until every waiting version is written (tests, shutdown)."""
        tasks = [s.task for s in self._live.values() if s.task is not None and not s.task.done()]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _write(self, chat: Chat, key: str, state: _Live[Handle]) -> None:
        while state.waiting is not None and not state.ended:
            reply, state.waiting = state.waiting, None
            try:
                if state.handle is None or not await self._edit(chat, state.handle, reply):
                    state.handle = await self._post(chat, reply)
                state.written += 1
            except Exception:  # a failed write loses one version; the next one is written as usual
                log.exception("updating the live message %s failed", key)
            # The task lives on through the pause, so a version that arrives meanwhile waits for it.
            await asyncio.sleep(self.interval)
