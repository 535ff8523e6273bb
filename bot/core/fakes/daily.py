"""Subscriptions, the delivery ledger, reminders and the fan-out's batch work, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.events import ChatRef
from bot.core.fakes.learning import open_round, open_session
from bot.core.fakes.state import MAX_WORKER, DeliveryRow, ReminderRow, State, SubscriptionRow
from bot.core.ports.daily import (
    DailyPlan,
    Delivery,
    DeliveryKey,
    LedgerEntry,
    NextDue,
    Postponed,
    Reminder,
    Subscription,
)
from bot.core.ports.people import Learner
from bot.core.ports.rounds import NewRound, Round
from bot.core.ports.sessions import OpenQuestion, SessionStart


def subscription(s: State, row: SubscriptionRow) -> Subscription:
    """The row joined with its chat, as the SQL repository reads it."""
    chat = s.chats[row.chat_id]
    return Subscription(
        row.id,
        row.chat_id,
        chat.ref,
        chat.kind,
        chat.lang,
        chat.tz,
        row.learner_id,
        row.hour,
        row.minute,
        row.tz,
        row.days,
        row.topic,
        row.role,
        row.active,
        row.next_due_at,
        row.paused,
    )


def _on(s: State, chat_id: int, platforms: Sequence[str]) -> bool:
    chat = s.chats.get(chat_id)
    return chat is not None and chat.ref.platform in platforms


class MemorySubscriptions:
    def __init__(self, state: State) -> None:
        self.s = state

    def _row(self, chat_id: int) -> SubscriptionRow | None:
        return next((r for r in self.s.subscriptions.values() if r.chat_id == chat_id), None)

    async def for_chat(self, chat_id: int) -> Subscription | None:
        row = self._row(chat_id)
        return subscription(self.s, row) if row is not None else None

    async def save(self, plan: DailyPlan, now: datetime) -> Subscription:
        p = plan
        row = self._row(p.chat_id)
        sid = row.id if row is not None else self.s.next_id("subscriptions")
        row = SubscriptionRow(
            sid, p.chat_id, p.learner_id, p.hour, p.minute, p.tz, p.days, p.topic, p.role, True, p.next_due_at
        )
        self.s.subscriptions[sid] = row
        return subscription(self.s, row)

    async def deactivate(self, chat_id: int) -> bool:
        row = self._row(chat_id)
        if row is None or not (row.active or row.paused):
            return False
        row.active, row.paused = False, None
        return True

    def _of_chat(self, ref: ChatRef) -> list[SubscriptionRow]:
        chat = self.s.chat_by_ref(ref)
        return [r for r in self.s.subscriptions.values() if chat is not None and r.chat_id == chat.id]

    async def deactivate_chat(self, ref: ChatRef) -> int:
        rows = self._of_chat(ref)
        for row in rows:
            row.active, row.paused = False, None
        return len(rows)

    async def pause_chat(self, ref: ChatRef, reason: str) -> int:
        rows = [r for r in self._of_chat(ref) if r.active]
        for row in rows:
            row.active, row.paused = False, reason[:200]
        return len(rows)

    async def resume(self, chat_id: int, next_due_at: datetime) -> bool:
        row = self._row(chat_id)
        if row is None or row.paused is None:
            return False
        row.active, row.paused, row.next_due_at = True, None, next_due_at
        return True

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None:
        rows = self.s.subscriptions.values()
        return min((r.next_due_at for r in rows if r.active and _on(self.s, r.chat_id, platforms)), default=None)

    async def due(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Subscription]:
        rows = [
            r
            for r in self.s.subscriptions.values()
            if r.active and r.next_due_at <= now and _on(self.s, r.chat_id, platforms)
        ]
        return [subscription(self.s, r) for r in sorted(rows, key=lambda r: r.next_due_at)[:limit]]

    async def advance(self, subscription_id: int, next_due_at: datetime) -> None:
        if subscription_id in self.s.subscriptions:
            self.s.subscriptions[subscription_id].next_due_at = next_due_at

    async def used_questions(self, subscription_ids: Sequence[int]) -> dict[int, set[str]]:
        wanted = set(subscription_ids)
        used: dict[int, set[str]] = {}
        for (sid, _), row in self.s.deliveries.items():
            if sid in wanted:
                used.setdefault(sid, set()).add(row.question_id)
        return used


class MemoryDeliveries:
    def __init__(self, state: State) -> None:
        self.s = state

    def _delivery(self, key: DeliveryKey, row: DeliveryRow) -> Delivery:
        sub = subscription(self.s, self.s.subscriptions[key.subscription_id])
        return Delivery(sub, key.local_date, row.question_id, row.attempts, row.round_id, row.last_error)

    def _claimed_on(self, platforms: Sequence[str]) -> list[tuple[DeliveryKey, DeliveryRow]]:
        return [
            (DeliveryKey(*key), row)
            for key, row in self.s.deliveries.items()
            if row.status == "claimed" and _on(self.s, self.s.subscriptions[key[0]].chat_id, platforms)
        ]

    async def existing(self, keys: Sequence[DeliveryKey]) -> set[DeliveryKey]:
        return {DeliveryKey(*k) for k in keys if k in self.s.deliveries}

    async def claim_many(self, batch: Sequence[Delivery], worker: str, now: datetime) -> None:
        for d in batch:
            if d.key in self.s.deliveries:
                raise ValueError(f"delivery {d.key} is in the ledger already")  # the primary key refuses it in SQL
            self.s.deliveries[d.key] = DeliveryRow(d.question_id, "claimed", worker[:MAX_WORKER], now, 1, d.round_id)

    async def stale_claims(self, cutoff: datetime, limit: int, platforms: Sequence[str]) -> list[Delivery]:
        stale = sorted(
            ((k, r) for k, r in self._claimed_on(platforms) if r.retry_at is None and r.claimed_at < cutoff),
            key=lambda kr: kr[1].claimed_at,
        )
        return [self._delivery(k, r) for k, r in stale[:limit]]

    async def due_retries(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Delivery]:
        due = [
            (k, r, r.retry_at) for k, r in self._claimed_on(platforms) if r.retry_at is not None and r.retry_at <= now
        ]
        return [self._delivery(k, r) for k, r, _ in sorted(due, key=lambda kra: kra[2])[:limit]]

    async def oldest_claim(self, platforms: Sequence[str]) -> datetime | None:
        return min((r.claimed_at for _, r in self._claimed_on(platforms) if r.retry_at is None), default=None)

    async def next_retry(self, platforms: Sequence[str]) -> datetime | None:
        return min((r.retry_at for _, r in self._claimed_on(platforms) if r.retry_at is not None), default=None)

    async def postpone(self, items: Sequence[Postponed]) -> None:
        for key, at, error in items:
            row = self.s.deliveries.get(key)
            if row is not None and row.status == "claimed":
                row.retry_at, row.last_error = at, error[:200]

    async def latest(self, subscription_id: int) -> LedgerEntry | None:
        mine = [(day, row) for (sid, day), row in self.s.deliveries.items() if sid == subscription_id]
        if not mine:
            return None
        day, row = max(mine, key=lambda dr: dr[0])
        return LedgerEntry(day, row.status, row.attempts, row.last_error)

    async def renew(self, keys: Sequence[DeliveryKey], worker: str, now: datetime) -> set[DeliveryKey]:
        held: set[DeliveryKey] = set()
        for key in keys:
            row = self.s.deliveries.get(key)
            if row is not None and row.status == "claimed" and row.claimed_by == worker[:MAX_WORKER]:
                row.claimed_at = now
                held.add(DeliveryKey(*key))
        return held

    async def reclaim(self, delivery: Delivery, worker: str, now: datetime, cutoff: datetime) -> bool:
        row = self.s.deliveries.get(delivery.key)
        if row is None or row.status != "claimed":
            return False
        if (row.retry_at is None and row.claimed_at >= cutoff) or (row.retry_at is not None and row.retry_at > now):
            return False
        row.claimed_by, row.claimed_at, row.attempts = worker[:MAX_WORKER], now, row.attempts + 1
        row.retry_at = None
        return True

    async def confirm(self, keys: Sequence[DeliveryKey], now: datetime) -> None:
        for key in keys:
            row = self.s.deliveries.get(key)
            if row is not None:
                row.status, row.sent_at = "sent", now

    async def fail(self, keys: Sequence[DeliveryKey], status: str) -> None:
        for key in keys:
            row = self.s.deliveries.get(key)
            if row is not None:
                row.status = status


class MemoryReminders:
    def __init__(self, state: State) -> None:
        self.s = state

    def _reminder(self, learner_id: int, row: ReminderRow) -> Reminder:
        return Reminder(learner_id, self.s.chats[row.chat_id].ref, row.hour, row.minute, row.next_due_at)

    async def get(self, learner_id: int) -> Reminder | None:
        row = self.s.reminders.get(learner_id)
        return self._reminder(learner_id, row) if row is not None else None

    async def save(self, learner_id: int, chat_id: int, hour: int, minute: int, next_due_at: datetime) -> None:
        self.s.reminders[learner_id] = ReminderRow(chat_id, hour, minute, next_due_at)

    async def delete(self, learner_id: int) -> bool:
        return self.s.reminders.pop(learner_id, None) is not None

    async def due(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Reminder]:
        rows = [
            (lid, r)
            for lid, r in self.s.reminders.items()
            if r.next_due_at <= now and _on(self.s, r.chat_id, platforms)
        ]
        return [self._reminder(lid, r) for lid, r in sorted(rows, key=lambda lr: lr[1].next_due_at)[:limit]]

    async def advance(self, learner_id: int, next_due_at: datetime) -> None:
        if learner_id in self.s.reminders:
            self.s.reminders[learner_id].next_due_at = next_due_at

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None:
        rows = self.s.reminders.values()
        return min((r.next_due_at for r in rows if _on(self.s, r.chat_id, platforms)), default=None)


class MemoryBatch:
    def __init__(self, state: State) -> None:
        self.s = state

    async def learners(self, ids: Sequence[int]) -> dict[int, Learner]:
        return {i: self.s.learners[i] for i in ids if i in self.s.learners}

    async def due_cards(self, learner_ids: Sequence[int], now: datetime) -> dict[int, list[str]]:
        wanted = set(learner_ids)
        due = sorted(
            (c.due, c.question_id, lid) for (lid, _), c in self.s.cards.items() if lid in wanted and c.due <= now
        )
        out: dict[int, list[str]] = {}
        for _, qid, lid in due:
            out.setdefault(lid, []).append(qid)
        return out

    async def open_sessions(self, starts: Sequence[SessionStart], now: datetime) -> dict[int, OpenQuestion]:
        return {s.chat_id: open_session(self.s, s, now) for s in starts}

    async def open_rounds(self, rounds: Sequence[NewRound], now: datetime) -> dict[int, Round]:
        return {n.chat_id: open_round(self.s, n, now) for n in rounds}

    async def advance_subscriptions(self, items: Sequence[NextDue]) -> None:
        for item in items:
            if item.subscription_id in self.s.subscriptions:
                self.s.subscriptions[item.subscription_id].next_due_at = item.at
