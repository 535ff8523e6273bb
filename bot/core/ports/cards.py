"""Spaced-repetition cards: one per learner and question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class CardState:
    """An FSRS card as stored; bot.core.srs turns it into the `fsrs` package's Card and back."""

    question_id: str
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0
    leech: bool = False


class CardRepo(Protocol):
    async def get(self, learner_id: int, question_id: str) -> CardState | None: ...
    async def put(self, learner_id: int, card: CardState) -> None: ...
    async def due(self, learner_id: int, now: datetime, limit: int = 20) -> list[CardState]:
        """Cards due by `now`, most overdue first (ties by question id)."""
        ...

    async def all(self, learner_id: int) -> list[CardState]: ...
    async def next_due(self, learner_id: int) -> datetime | None: ...
