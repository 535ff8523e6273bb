"""The question of the day: subscriptions, the delivery ledger (exactly once per local date),
evening reminders, and the set-at-a-time work of a fan-out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple, Protocol

from bot.core.events import ChatKind, ChatRef
from bot.core.ports.people import Learner
from bot.core.ports.rounds import NewRound, Round
from bot.core.ports.sessions import OpenQuestion, SessionStart


@dataclass(frozen=True)
class DailyPlan:
    """What /daily sets for a chat: when (local time, zone, weekdays), what, and whom to ping."""

    chat_id: int
    learner_id: int | None  # the subscriber of a private chat
    hour: int
    minute: int
    tz: str
    days: frozenset[int]  # 0 = Monday
    topic: str | None
    role: str | None  # a Discord role to ping
    next_due_at: datetime


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
    paused: str | None = None  # why the platform would not take our messages (active is then False)


class DeliveryKey(NamedTuple):
    subscription_id: int
    local_date: date


@dataclass(frozen=True)
class Delivery:
    subscription: Subscription
    local_date: date
    question_id: str
    attempts: int = 0
    round_id: int | None = None
    last_error: str | None = None  # why the previous try did not go through (a retried delivery)

    @property
    def key(self) -> DeliveryKey:
        return DeliveryKey(self.subscription.id, self.local_date)


class Postponed(NamedTuple):
    """A claim the platform did not take yet: tried again at `retry_at`."""

    key: DeliveryKey
    retry_at: datetime
    error: str


@dataclass(frozen=True)
class LedgerEntry:
    """What became of one day's delivery (what /daily tells about today)."""

    local_date: date
    status: str  # claimed, sent, failed, missed, abandoned
    attempts: int
    last_error: str | None


class NextDue(NamedTuple):
    subscription_id: int
    at: datetime


class SubscriptionRepo(Protocol):
    async def for_chat(self, chat_id: int) -> Subscription | None: ...
    async def save(self, plan: DailyPlan, now: datetime) -> Subscription:
        """Subscribe the chat, or change its subscription (made active again)."""
        ...

    async def deactivate(self, chat_id: int) -> bool: ...
    async def deactivate_chat(self, ref: ChatRef) -> int: ...
    async def pause_chat(self, ref: ChatRef, reason: str) -> int:
        """Pause the chat's active subscriptions (the platform would not take our messages)."""
        ...

    async def resume(self, chat_id: int, next_due_at: datetime) -> bool:
        """Make a paused subscription active again, next due at `next_due_at`; False if none was paused."""
        ...

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None: ...
    async def due(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Subscription]:
        """Active subscriptions due by `now`, locked for this transaction where the engine can
        (PostgreSQL: FOR UPDATE SKIP LOCKED, so processes share the fan-out)."""
        ...

    async def advance(self, subscription_id: int, next_due_at: datetime) -> None: ...
    async def used_questions(self, subscription_ids: Sequence[int]) -> dict[int, set[str]]:
        """The questions each subscription was sent already (from the ledger)."""
        ...


class DeliveryLedger(Protocol):
    """One row per (subscription, local date): claimed by a worker, then sent, failed or missed."""

    async def existing(self, keys: Sequence[DeliveryKey]) -> set[DeliveryKey]:
        """Which of these deliveries are in the ledger already."""
        ...

    async def claim_many(self, batch: Sequence[Delivery], worker: str, now: datetime) -> None: ...
    async def stale_claims(self, cutoff: datetime, limit: int, platforms: Sequence[str]) -> list[Delivery]:
        """Claims not renewed since `cutoff` (their worker died), locked where the engine can.
        Postponed claims are not among them: they wait for their own time (`due_retries`)."""
        ...

    async def due_retries(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Delivery]:
        """Postponed claims whose time has come, locked where the engine can."""
        ...

    async def oldest_claim(self, platforms: Sequence[str]) -> datetime | None:
        """When the oldest claim not postponed was made (its lease runs out a lease later)."""
        ...

    async def next_retry(self, platforms: Sequence[str]) -> datetime | None:
        """The earliest time a postponed claim is due again."""
        ...

    async def postpone(self, items: Sequence[Postponed]) -> None:
        """Leave these claims for another try at their `retry_at` (whoever is first then)."""
        ...

    async def latest(self, subscription_id: int) -> LedgerEntry | None:
        """The subscription's most recent delivery, whatever became of it."""
        ...

    async def renew(self, keys: Sequence[DeliveryKey], worker: str, now: datetime) -> set[DeliveryKey]:
        """Restart these claims' lease where `worker` still holds them; the keys it still holds."""
        ...

    async def reclaim(self, delivery: Delivery, worker: str, now: datetime, cutoff: datetime) -> bool:
        """Take over a stale claim or a postponed one now due (once, whoever is first); one more
        attempt counted."""
        ...

    async def confirm(self, keys: Sequence[DeliveryKey], now: datetime) -> None: ...
    async def fail(self, keys: Sequence[DeliveryKey], status: str) -> None:
        """Settle these claims as `failed` (unreachable), `missed` (its local day passed) or
        `abandoned` (given up after its retries)."""
        ...


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
    async def due_cards(self, learner_ids: Sequence[int], now: datetime) -> dict[int, list[str]]:
        """Each learner's due questions, most overdue first."""
        ...

    async def open_sessions(self, starts: Sequence[SessionStart], now: datetime) -> dict[int, OpenQuestion]:
        """Open these sessions (replacing what was open), keyed by chat id."""
        ...

    async def open_rounds(self, rounds: Sequence[NewRound], now: datetime) -> dict[int, Round]:
        """Open these rounds, keyed by chat id."""
        ...

    async def advance_subscriptions(self, items: Sequence[NextDue]) -> None: ...
