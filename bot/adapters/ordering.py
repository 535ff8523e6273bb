"""Updates of one chat handled one at a time, in arrival order; different chats at once.

Both platforms deliver a chat's updates in order but let a bot handle them concurrently; without
this, `/lang zh` followed at once by `/quiz` could be answered with an English question, then the
language confirmation. `asyncio.Lock` wakes its waiters first come, first served, so work that
starts in arrival order finishes in it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class ChatQueues:
    """One lock per chat key, kept only while that chat has work in hand."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, key: Hashable | None) -> AsyncIterator[None]:
        """Wait for this chat's earlier updates; None (no chat) waits for nothing."""
        if key is None:
            yield
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
