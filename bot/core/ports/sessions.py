"""The open question of a learner in a chat (one at a time): asked, hinted, answered or closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.modes import Mode


@dataclass(frozen=True)
class SessionStart:
    """A question put to a learner in a chat (replacing the one open there)."""

    chat_id: int
    learner_id: int
    question_id: str
    mode: Mode
    options: tuple[int, ...] = ()  # multiple choice: the order options are shown in (0 = correct)


@dataclass(frozen=True)
class OpenQuestion:
    id: int
    chat_id: int
    learner_id: int | None
    question_id: str
    mode: Mode
    hints: int
    options: tuple[int, ...]
    asked_at: datetime


class SessionRepo(Protocol):
    async def get(self, chat_id: int, learner_id: int | None) -> OpenQuestion | None: ...
    async def open(self, start: SessionStart, now: datetime) -> OpenQuestion:
        """Open `start`, closing what was open for that learner in that chat; marks the question asked."""
        ...

    async def asked_at(self, learner_id: int) -> dict[str, datetime]:
        """When the learner was last shown each question (opening a session marks it)."""
        ...

    async def add_hint(self, session_id: int) -> int:
        """One more hint taken; how many now."""
        ...

    async def close(self, session_id: int) -> bool:
        """Close the session; False when it was already closed (a second click, a race)."""
        ...
