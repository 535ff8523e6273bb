"""Choosing the next question for a learner.

Unseen questions come first, drawn with more weight from the topics the learner is weakest
in; once a pool is exhausted, the weakest-remembered questions come back, but never one
answered in the last `RECENT` hours while others remain.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.content.schema import Question
from bot.core.ports.answers import QuestionHistory

RECENT = timedelta(hours=20)
# A topic nobody has tried yet weighs like one answered at 50 %.
_UNTRIED_ACCURACY = 0.5


def pick_question(
    candidates: Sequence[Question],
    history: Mapping[str, QuestionHistory],
    asked_at: Mapping[str, datetime],
    topic_accuracy: Mapping[str, float],
    now: datetime,
    rng: random.Random,
    exclude: str | None = None,
) -> Question | None:
    pool = [q for q in candidates if q.id != exclude] or list(candidates)
    if not pool:
        return None

    def weight(q: Question) -> float:
        # Weak topics are drawn more often: weight 0.3 at 100 % accuracy, 1.3 at 0 %.
        return 1.3 - topic_accuracy.get(q.topic, _UNTRIED_ACCURACY)

    unseen = [q for q in pool if q.id not in history and q.id not in asked_at]
    if unseen:
        return _weighted(unseen, weight, rng)
    epoch = datetime.min.replace(tzinfo=now.tzinfo)

    def last_seen(q: Question) -> datetime:
        h = history.get(q.id)
        return max(asked_at.get(q.id, epoch), h.last_at if h else epoch)

    def last_score(q: Question) -> float:
        h = history.get(q.id)
        return h.last_score if h else _UNTRIED_ACCURACY  # skipped, never answered

    stale = [q for q in pool if now - last_seen(q) >= RECENT] or pool
    # Worst remembered first: the lowest last score, then the longest ago.
    stale.sort(key=lambda q: (last_score(q), last_seen(q)))
    head = stale[: max(3, len(stale) // 3)]
    return _weighted(head, weight, rng)


def _weighted(items: Sequence[Question], weight: Callable[[Question], float], rng: random.Random) -> Question:
    weights = [max(0.05, weight(q)) for q in items]
    return rng.choices(list(items), weights=weights, k=1)[0]
