"""When the question of the day is due: local times, weekdays, daylight saving."""

from datetime import UTC, date, datetime, timedelta

from bot.core.daily.schedule import When, next_occurrence, parse_days, parse_time
from bot.core.features.daily import days_text


def test_spring_forward_sends_once_at_the_next_valid_minute() -> None:
    when = When(2, 30, "Europe/Berlin")  # 2026-03-29: 02:00 -> 03:00
    moment, day = next_occurrence(when, datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert day == date(2026, 3, 29) and moment == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    after, next_day = next_occurrence(when, moment)
    assert next_day == date(2026, 3, 30) and after == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)


def test_fall_back_sends_once_not_twice() -> None:
    when = When(2, 30, "Europe/Berlin")  # 2026-10-25: 02:30 happens twice
    first, day = next_occurrence(when, datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert day == date(2026, 10, 25) and first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    _second, next_day = next_occurrence(when, first)
    assert next_day == date(2026, 10, 26)  # not 01:30 UTC the same day


def test_us_and_southern_hemisphere_zones() -> None:
    ny = When(8, 0, "America/New_York")
    moment, _ = next_occurrence(ny, datetime(2026, 3, 8, 0, tzinfo=UTC))  # DST starts 2026-03-08
    assert moment == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    sydney = When(8, 0, "Australia/Sydney")
    moment, day = next_occurrence(sydney, datetime(2026, 4, 4, 0, tzinfo=UTC))
    assert day == date(2026, 4, 5) and moment.astimezone().utcoffset() is not None


def test_weekdays_only() -> None:
    when = When(9, 0, "UTC", parse_days("weekdays"))  # type: ignore[arg-type]
    moment, day = next_occurrence(when, datetime(2026, 3, 6, 10, tzinfo=UTC))  # a Friday, after 09:00
    assert day.weekday() == 0 and day == date(2026, 3, 9)
    assert moment - datetime(2026, 3, 6, 10, tzinfo=UTC) > timedelta(days=2)


def test_parsing() -> None:
    assert parse_time("07:05") == (7, 5) and parse_time("7.05") == (7, 5) and parse_time("24:00") is None
    assert parse_time("25:61") is None and parse_time("noon") is None
    assert parse_days("mon,wed,fri") == frozenset({0, 2, 4})
    assert parse_days("fri-mon") == frozenset({4, 5, 6, 0}) and parse_days("daily") == frozenset(range(7))
    assert parse_days("funday") is None and parse_days("") is None
    assert days_text("en", frozenset(range(5))) == "weekdays" and days_text("en", frozenset({0, 2})) == "Mon, Wed"
    assert days_text("zh", frozenset(range(5))) == "工作日" and days_text("zh", frozenset({0, 2})) == "周一、周三"
    assert days_text("zh", frozenset(range(7))) == "每天" and days_text("zh", frozenset({5, 6})) == "周末"


def test_every_set_of_days_reads_back_in_english_and_wholly_chinese_in_chinese() -> None:
    import itertools
    import re

    for n in range(1, 8):
        for picked in itertools.combinations(range(7), n):
            days = frozenset(picked)
            assert parse_days(days_text("en", days)) == days  # what /daily shows, /daily takes
            assert not re.search(r"[A-Za-z]", days_text("zh", days)), days
