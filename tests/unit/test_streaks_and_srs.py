from datetime import UTC, date, datetime, timedelta

from fsrs import Rating

from bot.core.srs import LEECH_LAPSES, rating_for_score, retrievability, review
from bot.core.streaks import streaks

D = date(2026, 3, 10)


def days(*offsets: int) -> list[date]:
    return [D + timedelta(days=o) for o in offsets]


def test_consecutive_days_and_today_not_over() -> None:
    assert streaks(days(0, 1, 2), D + timedelta(days=2)).current == 3
    assert streaks(days(0, 1, 2), D + timedelta(days=3)).current == 3  # today is not over yet
    assert streaks([], D) == streaks([], D)
    assert streaks([], D).current == 0


def test_one_grace_day_per_week() -> None:
    s = streaks(days(0, 1, 3, 4), D + timedelta(days=4))
    assert (s.current, s.grace_used_on) == (4, D + timedelta(days=2))
    # a second miss within 7 days of the first breaks it
    s = streaks(days(0, 1, 3, 4, 6), D + timedelta(days=6))
    assert s.current == 1 and s.best == 4
    # a second miss a week later is forgiven again
    s = streaks(days(0, 1, 3, 4, 5, 6, 7, 8, 9, 11), D + timedelta(days=11))
    assert s.current == 10


def test_two_missed_days_break_the_streak_and_best_is_kept() -> None:
    s = streaks(days(0, 1, 2, 3, 6), D + timedelta(days=6))
    assert (s.current, s.best) == (1, 4)
    assert streaks(days(0, 1), D + timedelta(days=4)).current == 0


def test_yesterday_missed_today_still_open_uses_grace() -> None:
    s = streaks(days(0, 1, 2), D + timedelta(days=4))
    assert s.current == 3 and s.grace_used_on == D + timedelta(days=3)


def test_rating_mapping() -> None:
    assert rating_for_score(0.9) == Rating.Good and rating_for_score(0.85) == Rating.Good
    assert rating_for_score(0.7) == Rating.Hard and rating_for_score(0.6) == Rating.Hard
    assert rating_for_score(0.59) == Rating.Again


def test_review_moves_due_dates_and_flags_leeches() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    card, leech = review(None, "q", Rating.Good, now)
    assert card.due > now and card.reps == 1 and not leech
    became = []
    for _i in range(LEECH_LAPSES + 1):
        now = card.due + timedelta(days=1)
        card, leech = review(card, "q", Rating.Again, now)
        became.append(leech)
    assert card.leech and became.count(True) == 1
    assert 0 <= retrievability(card, now + timedelta(days=3)) <= 1
