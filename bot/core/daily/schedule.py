"""When a subscription is due: local wall-clock times in an IANA zone, daylight saving included.

A time that does not exist on a spring-forward day (02:30 when clocks jump 02:00 -> 03:00) is
sent once, at the next valid minute (03:00). A time that happens twice on a fall-back day is
sent once, at its first occurrence. Each delivery belongs to one local date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = frozenset(range(7))
WORKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})
_TIME = re.compile(r"^([01]?\d|2[0-3])[:：.h]([0-5]\d)$")


@dataclass(frozen=True)
class When:
    hour: int
    minute: int
    tz: str
    days: frozenset[int] = EVERY_DAY  # 0 = Monday


def parse_time(text: str) -> tuple[int, int] | None:
    match = _TIME.match(text.strip().lower())
    return (int(match.group(1)), int(match.group(2))) if match else None


def parse_days(text: str) -> frozenset[int] | None:
    """ "mon,wed,fri", "weekdays", "weekends", "daily", "every day", "mon-fri" -> weekday numbers."""
    t = text.strip().lower().replace(" ", "")
    named = {
        "daily": EVERY_DAY,
        "everyday": EVERY_DAY,
        "all": EVERY_DAY,
        "每天": EVERY_DAY,
        "weekdays": WORKDAYS,
        "工作日": WORKDAYS,
        "weekends": WEEKEND,
        "weekend": WEEKEND,
        "周末": WEEKEND,
    }
    if t in named:
        return named[t]
    days: set[int] = set()
    for piece in t.split(","):
        if "-" in piece:
            start, _, end = piece.partition("-")
            if start[:3] not in WEEKDAYS or end[:3] not in WEEKDAYS:
                return None
            a, b = WEEKDAYS.index(start[:3]), WEEKDAYS.index(end[:3])
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif piece[:3] in WEEKDAYS and (len(piece) == 3 or piece.startswith(WEEKDAYS[WEEKDAYS.index(piece[:3])])):
            days.add(WEEKDAYS.index(piece[:3]))
        else:
            return None
    return frozenset(days) if days else None


def local_occurrence(when: When, day: date) -> datetime:
    """The UTC instant of `when` on local `day`: the next valid minute if the time does not exist
    that day, the first of two if it happens twice."""
    tz = ZoneInfo(when.tz)
    wall = datetime.combine(day, time(when.hour, when.minute))
    for shift in range(0, 181):  # DST gaps are at most a few hours long
        candidate = (wall + timedelta(minutes=shift)).replace(tzinfo=tz, fold=0)
        round_trip = candidate.astimezone(UTC).astimezone(tz)
        if round_trip.replace(tzinfo=None) == candidate.replace(tzinfo=None):
            return candidate.astimezone(UTC)
    return wall.replace(tzinfo=tz).astimezone(UTC)  # pragma: no cover - no zone has such a gap


def next_occurrence(when: When, after: datetime) -> tuple[datetime, date]:
    """The first delivery strictly after `after`, and the local date it belongs to."""
    tz = ZoneInfo(when.tz)
    start = after.astimezone(tz).date()
    for offset in range(0, 9):
        day = start + timedelta(days=offset)
        if day.weekday() not in when.days:
            continue
        moment = local_occurrence(when, day)
        if moment > after:
            return moment, day
    raise ValueError("a subscription with no weekdays is never due")


def occurrence_on(when: When, day: date) -> datetime | None:
    return local_occurrence(when, day) if day.weekday() in when.days else None
