"""Group rounds: one question for a whole group, every member's answer, and the leaderboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.modes import Mode


@dataclass(frozen=True)
class NewRound:
    chat_id: int
    question_id: str
    mode: Mode  # QUIZ or MC
    closes_at: datetime
    options: tuple[int, ...] = ()
    started_by: int | None = None  # None: the question of the day


@dataclass(frozen=True)
class Round:
    id: int
    chat_id: int
    question_id: str
    mode: Mode  # QUIZ or MC
    options: tuple[int, ...]
    started_by: int | None
    started_at: datetime
    closes_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class RoundAnswer:
    learner_id: int
    name: str
    score: float
    verdict: str
    text: str
    answered_at: datetime


@dataclass(frozen=True)
class LeaderRow:
    learner_id: int
    name: str
    points: float
    rounds: int


class RoundRepo(Protocol):
    async def open(self, new: NewRound, now: datetime) -> Round: ...
    async def current(self, chat_id: int) -> Round | None:
        """The chat's newest round not closed yet (its time may be up)."""
        ...

    async def used_questions(self, chat_id: int) -> set[str]: ...
    async def get(self, round_id: int) -> Round | None: ...
    async def answer(self, round_id: int, answer: RoundAnswer) -> bool:
        """Record (or replace) a member's answer; True when it replaced an earlier one."""
        ...

    async def answers(self, round_id: int) -> list[RoundAnswer]:
        """Best score first; ties by who answered first."""
        ...

    async def close(self, round_id: int, now: datetime) -> bool:
        """Close an open round; False when somebody closed it first."""
        ...

    async def due_to_close(self, now: datetime, limit: int = 100) -> list[Round]: ...
    async def leaderboard(self, chat_id: int, since: datetime | None, limit: int = 10) -> list[LeaderRow]:
        """Points (the sum of scores) per member over rounds started since `since`; ties by name."""
        ...
