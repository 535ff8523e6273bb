"""The one signal the core gives the scheduler: "when to wake may have changed".

Features mark a context (`ctx.rescheduled = True`) when they change a subscription or a reminder;
the core sets the signal once that transaction has committed, so whoever waits on it reads the
new schedule. The scheduler is handed the same object when it is built: nothing is assigned
onto the core afterwards.
"""

from __future__ import annotations

import asyncio


class Wakeup:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self) -> None:
        """Return once the signal is set, and clear it (changes meanwhile set it again)."""
        await self._event.wait()
        self._event.clear()
