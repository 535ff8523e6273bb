"""What the core needs from storage, as Protocols the core owns.

bot/storage implements them with SQLAlchemy Core; the core never sees a connection.
One `Tx` is one database transaction: everything done through it is committed together
when the `async with store.transaction()` block ends, before the core answers the user.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.events import ChatKind, ChatRef, UserRef


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    lang: str
    tz: str
    lang_set: bool = False  # chosen with /lang (else it follows the platform's locale)


@dataclass(frozen=True)
class Chat:
    id: int
    ref: ChatRef
    kind: ChatKind
    lang: str | None = None
    tz: str | None = None


@dataclass(frozen=True)
class OpenQuestion:
    """A question waiting for an answer: a learner's in private, or a group's round."""

    id: int
    chat_id: int
    learner_id: int | None  # None for a group round (everyone may answer)
    question_id: str
    mode: str  # "quiz", "mc", "review", "daily"
    hints: int
    options: tuple[int, ...]  # multiple choice: the order options were shown in (0 = correct)
    asked_at: datetime
    started_by: int | None = None


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


class LearnerRepo(Protocol):
    async def resolve(self, user: UserRef, name: str, lang: str | None, now: datetime) -> Learner: ...
    async def get(self, learner_id: int) -> Learner | None: ...
    async def set_lang(self, learner_id: int, lang: str) -> None: ...
    async def set_tz(self, learner_id: int, tz: str) -> None: ...


class ChatRepo(Protocol):
    async def resolve(self, ref: ChatRef, kind: ChatKind, now: datetime) -> Chat: ...
    async def set_lang(self, chat_id: int, lang: str) -> None: ...
    async def set_tz(self, chat_id: int, tz: str) -> None: ...


class SessionRepo(Protocol):
    async def get(self, chat_id: int, learner_id: int | None) -> OpenQuestion | None: ...
    async def open(
        self,
        chat_id: int,
        learner_id: int | None,
        question_id: str,
        mode: str,
        options: tuple[int, ...],
        now: datetime,
        started_by: int | None = None,
    ) -> OpenQuestion: ...
    async def asked_at(self, learner_id: int) -> dict[str, datetime]:
        """When the learner was last shown each question (opening a session marks it)."""
        ...
    async def add_hint(self, session_id: int) -> int: ...
    async def close(self, session_id: int) -> bool:
        """Close the session; False when it was already closed (a second click, a race)."""
        ...


class AnswerRepo(Protocol):
    async def add(
        self,
        learner_id: int,
        chat_id: int,
        question_id: str,
        topic: str,
        mode: str,
        score: float,
        verdict: str,
        hints: int,
        text: str,
        now: datetime,
    ) -> int: ...
    async def history(self, learner_id: int) -> list[QuestionHistory]: ...
    async def topic_accuracy(self, learner_id: int) -> list[TopicAccuracy]: ...


class Tx(Protocol):
    @property
    def learners(self) -> LearnerRepo: ...
    @property
    def chats(self) -> ChatRepo: ...
    @property
    def sessions(self) -> SessionRepo: ...
    @property
    def answers(self) -> AnswerRepo: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...
    async def close(self) -> None: ...
