"""Time, injected: the core never reads the wall clock itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that tests move by hand."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when there is no such zone."""
    name = name.strip()
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def canonical_zone(name: str) -> str | None:
    """`name` spelled as the tz database spells it ("europe/berlin" -> "Europe/Berlin")."""
    if zone(name) is not None:
        return name.strip()
    folded = name.strip().casefold()
    for candidate in _zone_names():
        if candidate.casefold() == folded:
            return candidate
    return None


def suggest_zones(name: str, limit: int = 3) -> list[str]:
    """Zones whose city is `name` ("berlin", "new york") or close to it ("berln"), best first."""
    import difflib

    wanted = name.strip().casefold().replace(" ", "_").rsplit("/", 1)[-1]
    if not wanted:
        return []
    by_city: dict[str, list[str]] = {}
    for zone_name in _zone_names():
        if "/" in zone_name and not zone_name.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            by_city.setdefault(zone_name.rsplit("/", 1)[1].casefold(), []).append(zone_name)
    exact = by_city.get(wanted, [])
    close = difflib.get_close_matches(wanted, list(by_city), n=limit, cutoff=0.75)
    found = exact + [z for city in close for z in by_city[city] if z not in exact]
    return found[:limit]


_ZONES: list[str] = []


def _zone_names() -> list[str]:
    if not _ZONES:
        _ZONES.extend(sorted(available_timezones()))
    return _ZONES


def local_date(moment: datetime, tz: str) -> date:
    return moment.astimezone(zone(tz) or UTC).date()
