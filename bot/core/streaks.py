"""Streaks: consecutive local days with at least one answer.

The rule: a day counts when the learner answered at least once that day, in the time zone
they had then. One missed day is forgiven (a grace day) if no other grace day was used in
the 7 days before it; the grace day keeps the streak alive but does not add to it. Today
never breaks a streak: it is not over yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

GRACE_EVERY = timedelta(days=7)


@dataclass(frozen=True)
class Streaks:
    current: int
    best: int
    grace_used_on: date | None = None  # the last grace day of the current streak


def streaks(active_days: Sequence[date], today: date) -> Streaks:
    days = sorted(set(d for d in active_days if d <= today))
    best = run = 0
    last: date | None = None
    grace: date | None = None
    for day in days:
        if last is not None and day - last == timedelta(days=1):
            run += 1
        elif last is not None and day - last == timedelta(days=2) and _grace_ok(grace, day - timedelta(days=1)):
            run += 1
            grace = day - timedelta(days=1)
        else:
            run, grace = 1, None
        best = max(best, run)
        last = day
    if last is None:
        return Streaks(0, 0)
    gap = today - last
    alive = gap <= timedelta(days=1) or (gap == timedelta(days=2) and _grace_ok(grace, today - timedelta(days=1)))
    if alive and gap == timedelta(days=2):
        grace = today - timedelta(days=1)
    return Streaks(run if alive else 0, best, grace if alive else None)


def _grace_ok(last_grace: date | None, missed: date) -> bool:
    return last_grace is None or missed - last_grace >= GRACE_EVERY
