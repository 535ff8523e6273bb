"""When a question of the day the platform did not take is tried again, and when it is given up.

- `Retry` (nothing was sent: 5xx, network, a rate limit past the budget): exponential back-off,
  `first` after the first try, doubling per try up to `cap`, never sooner than the platform asked
  (a 429's retry_after). Each delay is shortened by up to a quarter, by a hash of the delivery and
  the try, so that a fan-out that failed all at once does not come back all at once (and a test
  can compute the time).
- `Uncertain` (a timeout after the request left; the platform may have it): tried again after the
  short fixed `uncertain` delay. Discord drops a resend that carries the same nonce within a few
  minutes (README, "What a send can end in"), so the resend must come well inside that; Telegram
  has no such check and nothing tells whether the message arrived, so waiting longer would not
  narrow its duplicate window.
- After `max_attempts` tries the delivery is given up for that day: `abandoned` in the ledger with
  the last reason, which /daily shows. The next day's delivery is due as usual.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.ports.daily import DeliveryKey
from bot.core.sending import Retry, Uncertain


@dataclass(frozen=True)
class RetryPolicy:
    first: timedelta = timedelta(seconds=60)
    cap: timedelta = timedelta(minutes=30)
    uncertain: timedelta = timedelta(seconds=30)
    max_attempts: int = 8  # first + cap: about 1 h 40 min of trying before giving up

    def delay(self, key: DeliveryKey, attempts: int, result: Retry | Uncertain) -> timedelta:
        """How long to wait after the `attempts`-th try ended in `result`."""
        if isinstance(result, Uncertain):
            return self.uncertain
        full: timedelta = min(self.cap, self.first * 2 ** max(attempts - 1, 0))
        spread = int.from_bytes(
            hashlib.sha256(f"{key.subscription_id}|{key.local_date}|{attempts}".encode()).digest()[:2]
        )
        wait: timedelta = full * (1 - spread / 65536 / 4)
        return max(wait, timedelta(seconds=result.after))

    def next_try(self, key: DeliveryKey, attempts: int, result: Retry | Uncertain, now: datetime) -> datetime | None:
        """When to try again, or None: given up (that many tries went by)."""
        if attempts >= self.max_attempts:
            return None
        return now + self.delay(key, attempts, result)
