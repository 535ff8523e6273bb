"""The daily purge: how long expired refs, link codes and delivery-ledger rows are kept.

Expired refs and link codes are useless the moment they expire (a used code can never be taken
again), so by default they go at once. The ledger makes the question of the day exactly-once for
a (subscription, local date) and remembers which questions a chat has had; past the retention a
chat may be asked an old question again, so keep it well above a day (the settings enforce ≥ 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.ports.store import Store


@dataclass(frozen=True)
class Retention:
    ledger: timedelta = timedelta(days=90)
    expired: timedelta = timedelta(0)  # refs and link codes, after they expire or are used


@dataclass(frozen=True)
class PurgeReport:
    refs: int
    link_codes: int
    deliveries: int


async def purge(store: Store, now: datetime, retention: Retention) -> PurgeReport:
    """Delete what is past its retention at `now`, in one transaction."""
    async with store.transaction() as tx:
        return PurgeReport(
            refs=await tx.purge.refs_expired_before(now - retention.expired),
            link_codes=await tx.purge.link_codes_done_before(now - retention.expired),
            deliveries=await tx.purge.deliveries_claimed_before(now - retention.ledger),
        )
