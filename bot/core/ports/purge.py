"""Deleting what has outlived its use: expired refs and link codes, old rows of the delivery ledger.

One method per table, each returning how many rows it deleted; `bot.core.purge` decides the cut-offs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class PurgeRepo(Protocol):
    async def refs_expired_before(self, cutoff: datetime) -> int:
        """Delete refs whose `expires_at` is at or before `cutoff`."""
        ...

    async def link_codes_done_before(self, cutoff: datetime) -> int:
        """Delete link codes that expired, or were used, at or before `cutoff`."""
        ...

    async def deliveries_claimed_before(self, cutoff: datetime) -> int:
        """Delete delivery-ledger rows claimed before `cutoff` (whatever their status)."""
        ...
