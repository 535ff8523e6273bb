"""What the core asks to have drawn or packed: chart series and deck notes, as plain data.

The core decides what goes into a chart or a deck; a `Renderer` (bot.core.ports) turns it into
bytes — a PNG, an Anki package — outside the core, after the transaction that read the data
has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DayPoint:
    day: date
    answers: int
    accuracy: float | None  # percent; None on a day without answers


@dataclass(frozen=True)
class ChartText:
    """The chart's words, in one language."""

    answers: str = "answers"
    score: str = "average score %"
    period: str = "last 30 days"
    mastery: str = "mastered %"
    empty: str = "no questions met yet"


@dataclass(frozen=True)
class StatsChart:
    """/stats: the average score over the last days, and mastery (0..1) per topic, weakest first.

    Words and topic names are in the learner's language; `latin` is the same chart in English with
    topic ids, for a renderer that has no font for the learner's script."""

    title: str
    days: tuple[DayPoint, ...]
    readiness: tuple[tuple[str, float], ...]
    text: ChartText = ChartText()
    latin: StatsChart | None = None


@dataclass(frozen=True)
class DeckNote:
    question_id: str
    topic: str
    prompt: str
    answer: str
    key_points: tuple[str, ...]


@dataclass(frozen=True)
class Deck:
    """/export: an Anki deck; `key` keeps its id stable across exports, so re-imports update it."""

    name: str
    key: str
    lang: str
    notes: tuple[DeckNote, ...]


Drawing = StatsChart | Deck
