"""Recorded answers, the statistics read from them, and appeals against a grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.core.modes import Mode


@dataclass(frozen=True)
class NewAnswer:
    learner_id: int
    chat_id: int
    question_id: str
    topic: str
    mode: Mode
    score: float
    verdict: str
    hints: int
    text: str
    answered_at: datetime
    local_day: date  # in the learner's time zone when they answered: streaks count these


@dataclass(frozen=True)
class QuestionHistory:
    question_id: str
    topic: str
    attempts: int
    last_at: datetime
    last_score: float
    best_score: float


@dataclass(frozen=True)
class TopicAccuracy:
    topic: str
    attempts: int
    mean_score: float


@dataclass(frozen=True)
class LastAnswer:
    id: int
    question_id: str
    mode: Mode
    score: float
    verdict: str
    text: str
    answered_at: datetime


@dataclass(frozen=True)
class DayStat:
    day: date
    answers: int
    mean_score: float


class AnswerRepo(Protocol):
    async def add(self, answer: NewAnswer) -> int: ...
    async def history(self, learner_id: int) -> list[QuestionHistory]:
        """Per question answered: attempts, the last answer's time and score, the best score."""
        ...

    async def topic_accuracy(self, learner_id: int) -> list[TopicAccuracy]: ...
    async def last(self, learner_id: int) -> LastAnswer | None: ...
    async def daily(self, learner_id: int, since: date) -> list[DayStat]:
        """Answers and mean score per local day from `since` on, oldest first."""
        ...

    async def active_days(self, learner_id: int) -> list[date]:
        """Local days with at least one answer, oldest first."""
        ...


@dataclass(frozen=True)
class NewAppeal:
    learner_id: int
    question_id: str
    answer_id: int | None
    answer_text: str
    score: float
    verdict: str
    reason: str


@dataclass(frozen=True)
class Appeal:
    id: int
    learner_id: int
    question_id: str
    answer_text: str
    score: float
    verdict: str
    reason: str
    created_at: datetime


class AppealRepo(Protocol):
    async def add(self, appeal: NewAppeal, now: datetime) -> int: ...
    async def exists(self, answer_id: int) -> bool:
        """An appeal about this answer was saved already."""
        ...

    async def all(self) -> list[Appeal]:
        """Grouped by question; newest first within each."""
        ...
