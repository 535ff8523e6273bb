"""Abuse limits: how many answers one learner may have graded, how many rounds one group may start.

Sliding windows held in memory, per process: a flood is stopped before it costs grading or
writes, without a database round trip per message (with several replicas, each enforces the
limit on the updates it takes). Time is the core's clock, so a test can burst at one instant
and then step past the window. A learner who is over the limit is told once per wait, not once
per message: answering every message of a flood would be the flood's echo.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    count: int  # events allowed per window; 0 means no limit
    window: timedelta


@dataclass(frozen=True)
class Limits:
    answers: Limit = Limit(0, timedelta(minutes=1))  # graded answers per learner
    rounds: Limit = Limit(0, timedelta(hours=1))  # new group rounds per group
    # /stats and /export per learner: each draws a chart or packs a deck (CPU for a second or so),
    # so a flood of them must not take the machine from everyone else.
    documents: Limit = Limit(5, timedelta(minutes=10))

    @classmethod
    def per(cls, answers_per_minute: int = 0, rounds_per_hour: int = 0) -> Limits:
        return cls(Limit(answers_per_minute, timedelta(minutes=1)), Limit(rounds_per_hour, timedelta(hours=1)))


# Wrong /link codes a learner may enter per window. With 31^8 possible codes, a few live at any time
# and 5 guesses a quarter of an hour, guessing one would take longer than the universe has existed.
LINK_ATTEMPTS = Limit(5, timedelta(minutes=15))


@dataclass(frozen=True)
class Refusal:
    """Over the limit: `wait` seconds until the next event is allowed; `tell` once per wait."""

    wait: float
    tell: bool

    @property
    def seconds(self) -> int:
        return max(1, math.ceil(self.wait))

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.wait / 60))


class SlidingWindow:
    """At most `limit.count` events per key in any `limit.window`; the least recently seen keys are
    forgotten beyond `max_keys`, so memory stays bounded however many people write."""

    def __init__(self, limit: Limit, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.max_keys = max_keys
        self._events: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._told_until: dict[str, datetime] = {}

    def hit(self, key: str, now: datetime) -> Refusal | None:
        """Count one event for `key` now; a Refusal (nothing counted) when it is over the limit."""
        refusal = self.check(key, now)
        if refusal is None and self.limit.count > 0:
            self._events[key].append(now)
            self._told_until.pop(key, None)
            self._forget_oldest()
        return refusal

    def check(self, key: str, now: datetime) -> Refusal | None:
        """A Refusal when `key` is over the limit now; counts nothing (count failures with `hit`)."""
        if self.limit.count <= 0:
            return None
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
        self._events.move_to_end(key)
        start = now - self.limit.window
        while events and events[0] <= start:
            events.popleft()
        if len(events) < self.limit.count:
            return None
        free_at = events[0] + self.limit.window
        told = self._told_until.get(key)
        tell = told is None or told <= now
        if tell:
            self._told_until[key] = free_at
        return Refusal((free_at - now).total_seconds(), tell)

    def full(self, key: str, now: datetime) -> bool:
        """Whether `key` is at its limit now; unlike `check`, changes nothing (not even who was told)."""
        if self.limit.count <= 0:
            return False
        start = now - self.limit.window
        return sum(1 for e in self._events.get(key, ()) if e > start) >= self.limit.count

    def _forget_oldest(self) -> None:
        while len(self._events) > self.max_keys:
            key, _ = self._events.popitem(last=False)
            self._told_until.pop(key, None)


class Limiter:
    """The core's limits, one window each."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.answers = SlidingWindow(self.limits.answers)
        self.rounds = SlidingWindow(self.limits.rounds)
        self.documents = SlidingWindow(self.limits.documents)
