"""Small facts an adapter keeps across restarts and processes (a poll's actions, a sync's hash)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class RefRepo(Protocol):
    async def put(self, key: str, value: str, expires_at: datetime) -> None: ...
    async def get(self, key: str, now: datetime) -> str | None:
        """The value, unless it expired by `now`."""
        ...
