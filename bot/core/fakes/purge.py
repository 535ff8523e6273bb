"""PurgeRepo in memory (same cut-offs as bot/storage/purge_repos.py)."""

from __future__ import annotations

from datetime import datetime

from bot.core.fakes.state import State


class MemoryPurge:
    def __init__(self, state: State) -> None:
        self.s = state

    async def refs_expired_before(self, cutoff: datetime) -> int:
        before = len(self.s.refs)
        self.s.refs = {k: v for k, v in self.s.refs.items() if v[1] > cutoff}
        return before - len(self.s.refs)

    async def link_codes_done_before(self, cutoff: datetime) -> int:
        before = len(self.s.links)
        self.s.links = {
            k: c for k, c in self.s.links.items() if c.expires_at > cutoff and (c.used_at is None or c.used_at > cutoff)
        }
        return before - len(self.s.links)

    async def deliveries_claimed_before(self, cutoff: datetime) -> int:
        before = len(self.s.deliveries)
        self.s.deliveries = {k: d for k, d in self.s.deliveries.items() if d.claimed_at >= cutoff}
        return before - len(self.s.deliveries)
