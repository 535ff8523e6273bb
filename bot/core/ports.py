"""What the core needs from storage, as Protocols the core owns.

bot/storage implements them with SQLAlchemy Core; the core never sees a connection.
One `Tx` is one database transaction: everything done through it is committed together
when the `async with store.transaction()` block ends, before the core answers the user.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.core.documents import Drawing
from bot.core.events import ChatKind, ChatRef, Reply, UserRef
from bot.core.modes import Mode


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
    mode: Mode
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


class LearnerRepo(Protocol):
    async def resolve(self, user: UserRef, name: str, lang: str | None, now: datetime) -> Learner: ...
    async def get(self, learner_id: int) -> Learner | None: ...
    async def set_lang(self, learner_id: int, lang: str) -> None: ...
    async def set_tz(self, learner_id: int, tz: str) -> None: ...
    async def identities(self, learner_id: int) -> list[UserRef]: ...
    async def merge(self, source_id: int, target_id: int) -> None:
        """Move everything of learner `source_id` to `target_id`, then delete the source."""
        ...

    async def detach(self, user: UserRef, name: str, now: datetime) -> Learner:
        """Give `user` a learner of its own again, taking that platform's answers and a copy of the cards."""
        ...

    async def delete(self, learner_id: int) -> None: ...


class ChatRepo(Protocol):
    async def resolve(self, ref: ChatRef, kind: ChatKind, now: datetime) -> Chat: ...
    async def get(self, chat_id: int) -> Chat | None: ...
    async def find(self, ref: ChatRef) -> Chat | None: ...
    async def set_active(self, ref: ChatRef, active: bool) -> bool: ...
    async def move(self, old: ChatRef, new: ChatRef) -> bool:
        """A chat got a new id on its platform (a Telegram group became a supergroup)."""
        ...

    async def set_lang(self, chat_id: int, lang: str) -> None: ...
    async def set_tz(self, chat_id: int, tz: str) -> None: ...


class SessionRepo(Protocol):
    async def get(self, chat_id: int, learner_id: int | None) -> OpenQuestion | None: ...
    async def open(
        self,
        chat_id: int,
        learner_id: int | None,
        question_id: str,
        mode: Mode,
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
        mode: Mode,
        score: float,
        verdict: str,
        hints: int,
        text: str,
        now: datetime,
        local_day: date,
    ) -> int: ...
    async def history(self, learner_id: int) -> list[QuestionHistory]: ...
    async def topic_accuracy(self, learner_id: int) -> list[TopicAccuracy]: ...
    async def last(self, learner_id: int) -> LastAnswer | None: ...
    async def daily(self, learner_id: int, since: date) -> list[DayStat]: ...
    async def active_days(self, learner_id: int) -> list[date]: ...


class CardRepo(Protocol):
    async def get(self, learner_id: int, question_id: str) -> CardState | None: ...
    async def put(self, learner_id: int, card: CardState) -> None: ...
    async def due(self, learner_id: int, now: datetime, limit: int = 20) -> list[CardState]: ...
    async def all(self, learner_id: int) -> list[CardState]: ...
    async def next_due(self, learner_id: int) -> datetime | None: ...


class RoundRepo(Protocol):
    async def open(
        self,
        chat_id: int,
        question_id: str,
        mode: Mode,
        options: tuple[int, ...],
        started_by: int | None,
        now: datetime,
        closes_at: datetime,
    ) -> Round: ...
    async def current(self, chat_id: int) -> Round | None: ...
    async def used_questions(self, chat_id: int) -> set[str]: ...
    async def get(self, round_id: int) -> Round | None: ...
    async def answer(
        self, round_id: int, learner_id: int, name: str, score: float, verdict: str, text: str, now: datetime
    ) -> bool:
        """Record (or replace) a member's answer; True when it replaced an earlier one."""
        ...

    async def answers(self, round_id: int) -> list[RoundAnswer]: ...
    async def close(self, round_id: int, now: datetime) -> bool:
        """Close an open round; False when somebody closed it first."""
        ...

    async def due_to_close(self, now: datetime, limit: int = 100) -> list[Round]: ...
    async def leaderboard(self, chat_id: int, since: datetime | None, limit: int = 10) -> list[LeaderRow]: ...


class LinkRepo(Protocol):
    async def create(self, code: str, learner_id: int, platform: str, expires_at: datetime) -> None: ...
    async def owner(self, code: str) -> int | None: ...
    async def take(self, code: str, now: datetime) -> tuple[int, str] | None:
        """Use a code once: (learner id, platform) if it exists, is unexpired and unused."""
        ...


@dataclass(frozen=True)
class Subscription:
    id: int
    chat_id: int
    chat: ChatRef
    chat_kind: ChatKind
    chat_lang: str | None
    chat_tz: str | None
    learner_id: int | None  # the subscriber of a private chat
    hour: int
    minute: int
    tz: str
    days: frozenset[int]
    topic: str | None
    role: str | None  # a Discord role to ping
    active: bool
    next_due_at: datetime


@dataclass(frozen=True)
class Delivery:
    subscription: Subscription
    local_date: date
    question_id: str
    attempts: int = 0
    round_id: int | None = None


class SubscriptionRepo(Protocol):
    async def for_chat(self, chat_id: int) -> Subscription | None: ...
    async def save(
        self,
        chat_id: int,
        learner_id: int | None,
        hour: int,
        minute: int,
        tz: str,
        days: frozenset[int],
        topic: str | None,
        role: str | None,
        next_due_at: datetime,
        now: datetime,
    ) -> Subscription: ...
    async def deactivate(self, chat_id: int) -> bool: ...
    async def deactivate_chat(self, ref: ChatRef) -> int: ...
    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None: ...
    async def due(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Subscription]:
        """Active subscriptions due by `now`, locked for this transaction where the engine can
        (PostgreSQL: FOR UPDATE SKIP LOCKED, so processes share the fan-out)."""
        ...

    async def advance(self, subscription_id: int, next_due_at: datetime) -> None: ...
    async def used_questions(self, subscription_ids: list[int]) -> dict[int, set[str]]: ...
    async def existing(self, keys: list[tuple[int, date]]) -> set[tuple[int, date]]:
        """Which of these (subscription, local date) deliveries are in the ledger already."""
        ...

    async def claim_many(self, batch: list[Delivery], worker: str, now: datetime) -> None: ...
    async def stale_claims(self, cutoff: datetime, limit: int, platforms: Sequence[str]) -> list[Delivery]: ...
    async def oldest_claim(self, platforms: Sequence[str]) -> datetime | None: ...
    async def renew(self, keys: list[tuple[int, date]], worker: str, now: datetime) -> set[tuple[int, date]]:
        """Restart these claims' lease where `worker` still holds them; the keys it still holds."""
        ...

    async def reclaim(self, delivery: Delivery, worker: str, now: datetime, cutoff: datetime) -> bool: ...
    async def confirm(self, keys: list[tuple[int, date]], now: datetime) -> None: ...
    async def fail(self, keys: list[tuple[int, date]], status: str) -> None: ...
    async def set_round(self, subscription_id: int, local_date: date, round_id: int) -> None: ...
    async def ledger(self, subscription_id: int) -> list[tuple[date, str, str]]: ...


@dataclass(frozen=True)
class Reminder:
    learner_id: int
    chat: ChatRef
    hour: int
    minute: int
    next_due_at: datetime


class ReminderRepo(Protocol):
    async def get(self, learner_id: int) -> Reminder | None: ...
    async def save(self, learner_id: int, chat_id: int, hour: int, minute: int, next_due_at: datetime) -> None: ...
    async def delete(self, learner_id: int) -> bool: ...
    async def due(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Reminder]: ...
    async def advance(self, learner_id: int, next_due_at: datetime) -> None: ...
    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None: ...


class BatchRepo(Protocol):
    """Set-at-a-time operations for the fan-out of the question of the day."""

    async def learners(self, ids: Sequence[int]) -> dict[int, Learner]: ...
    async def due_cards(self, learner_ids: Sequence[int], now: datetime) -> dict[int, list[str]]: ...
    async def open_sessions(
        self, items: Sequence[tuple[int, int, str, Mode]], now: datetime
    ) -> dict[int, OpenQuestion]: ...
    async def open_rounds(self, items: Sequence[tuple[int, str, datetime]], now: datetime) -> dict[int, Round]: ...
    async def advance_subscriptions(self, items: Sequence[tuple[int, datetime]]) -> None: ...


class RefRepo(Protocol):
    async def put(self, key: str, value: str, expires_at: datetime) -> None: ...
    async def get(self, key: str, now: datetime) -> str | None: ...


class AppealRepo(Protocol):
    async def add(
        self,
        learner_id: int,
        question_id: str,
        answer_id: int | None,
        answer_text: str,
        score: float,
        verdict: str,
        reason: str,
        now: datetime,
    ) -> int: ...
    async def all(self) -> list[Appeal]: ...


class Tx(Protocol):
    @property
    def learners(self) -> LearnerRepo: ...
    @property
    def chats(self) -> ChatRepo: ...
    @property
    def sessions(self) -> SessionRepo: ...
    @property
    def answers(self) -> AnswerRepo: ...
    @property
    def cards(self) -> CardRepo: ...
    @property
    def rounds(self) -> RoundRepo: ...
    @property
    def links(self) -> LinkRepo: ...
    @property
    def appeals(self) -> AppealRepo: ...
    @property
    def refs(self) -> RefRepo: ...
    @property
    def subscriptions(self) -> SubscriptionRepo: ...
    @property
    def reminders(self) -> ReminderRepo: ...
    @property
    def batch(self) -> BatchRepo: ...


class Messenger(Protocol):
    """Sends what the core says on its own (round summaries, the question of the day)."""

    platform: str

    async def send(self, chat: ChatRef, reply: Reply) -> bool:
        """Deliver `reply`; False when the chat cannot be reached (blocked, gone)."""
        ...


class Renderer(Protocol):
    """Turns what the core describes into bytes: a chart into a PNG, a deck into an Anki package.

    Called after the transaction that read the data has committed, never inside one."""

    async def render(self, drawing: Drawing) -> bytes: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...
    async def close(self) -> None: ...
