"""An optional second opinion on a free-text answer (an LLM judge), behind the offline grader.

The core grades offline as always; when an `Assessor` is configured (bot/judging implements it,
the bootstrap builds it from settings) the core asks it *outside* any database transaction, then
records the result in the answer's own transaction if the question is still the one answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.content.schema import Question
from bot.core.grading import Grade

Source = Literal["llm", "offline-fallback", "offline"]


@dataclass(frozen=True)
class WrongClaim:
    claim: str
    correction: str


@dataclass(frozen=True)
class Assessment:
    """A grade and where it came from: the judge ("llm"), or the offline grade (and `reason` why)."""

    grade: Grade
    source: Source
    reason: str = ""
    wrong_claims: tuple[WrongClaim, ...] = ()
    feedback: str = ""


class Assessor(Protocol):
    @property
    def sends_answers_to(self) -> str | None:
        """The host answers are sent to when that is another machine (learners are told), else None."""
        ...

    async def assess(self, question: Question, answer: str, lang: str, owner: str) -> Assessment:
        """Grade within the configured time-out; never raises (failures give the offline grade)."""
        ...

    def forget(self, owner: str) -> int:
        """Drop what is kept about `owner`'s answers (cached verdicts); how many were dropped."""
        ...

    async def close(self) -> None:
        """Release connections (at shutdown)."""
        ...
