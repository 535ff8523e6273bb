"""Subscriptions and the delivery ledger of the question of the day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update

from bot.core.daily.schedule import WEEKDAYS
from bot.core.events import ChatKind, ChatRef
from bot.core.ports.daily import DailyPlan, Delivery, DeliveryKey, LedgerEntry, Postponed, Reminder, Subscription
from bot.storage.connection import Conn
from bot.storage.prepared import Prepared
from bot.storage.tables import chats, deliveries, reminders, subscriptions


def _days_text(days: frozenset[int]) -> str:
    return ",".join(WEEKDAYS[d] for d in sorted(days))


def _days(text: str) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(d) for d in text.split(",") if d in WEEKDAYS)


_COLUMNS = (
    *subscriptions.c,
    chats.c.platform,
    chats.c.external_id,
    chats.c.kind,
    chats.c.lang.label("chat_lang"),
    chats.c.tz.label("chat_tz"),
)


def _subscription(row: Any) -> Subscription:
    r = row._mapping
    return Subscription(
        id=r["id"],
        chat_id=r["chat_id"],
        chat=ChatRef(r["platform"], r["external_id"]),
        chat_kind=ChatKind(r["kind"]),
        chat_lang=r["chat_lang"],
        chat_tz=r["chat_tz"],
        learner_id=r["learner_id"],
        hour=r["hour"],
        minute=r["minute"],
        tz=r["tz"],
        days=_days(r["days"]),
        topic=r["topic"],
        role=r["role"],
        active=bool(r["active"]),
        next_due_at=r["next_due_at"],
        paused=r["paused"],
    )


def _joined() -> Any:
    return select(*_COLUMNS).join(chats, chats.c.id == subscriptions.c.chat_id)


_FOR_CHAT = Prepared(
    _joined().where(subscriptions.c.chat_id == bindparam("chat_id"))
)  # every command asks (a paused chat)


class SqlSubscriptions:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def for_chat(self, chat_id: int) -> Subscription | None:
        row = await _FOR_CHAT.first(self.conn, {"chat_id": chat_id})
        return _subscription(row) if row is not None else None

    async def save(self, plan: DailyPlan, now: datetime) -> Subscription:
        values = {
            "learner_id": plan.learner_id,
            "hour": plan.hour,
            "minute": plan.minute,
            "tz": plan.tz,
            "days": _days_text(plan.days),
            "topic": plan.topic,
            "role": plan.role,
            "active": True,
            "paused": None,
            "next_due_at": plan.next_due_at,
        }
        q = update(subscriptions).where(subscriptions.c.chat_id == plan.chat_id).values(**values)
        result = await self.conn.execute(q)
        if not result.rowcount:
            await self.conn.execute(insert(subscriptions).values(chat_id=plan.chat_id, created_at=now, **values))
        found = await self.for_chat(plan.chat_id)
        assert found is not None
        return found

    async def deactivate(self, chat_id: int) -> bool:
        on = subscriptions.c.active.is_(True) | subscriptions.c.paused.is_not(None)
        q = update(subscriptions).where(subscriptions.c.chat_id == chat_id, on)
        return bool((await self.conn.execute(q.values(active=False, paused=None))).rowcount)

    @staticmethod
    def _of_chat(ref: ChatRef) -> Any:
        ids = select(chats.c.id).where(chats.c.platform == ref.platform, chats.c.external_id == ref.id)
        return subscriptions.c.chat_id.in_(ids)

    async def deactivate_chat(self, ref: ChatRef) -> int:
        q = update(subscriptions).where(self._of_chat(ref)).values(active=False, paused=None)
        return int((await self.conn.execute(q)).rowcount or 0)

    async def pause_chat(self, ref: ChatRef, reason: str) -> int:
        q = update(subscriptions).where(self._of_chat(ref), subscriptions.c.active.is_(True))
        return int((await self.conn.execute(q.values(active=False, paused=reason[:200]))).rowcount or 0)

    async def resume(self, chat_id: int, next_due_at: datetime) -> bool:
        q = update(subscriptions).where(subscriptions.c.chat_id == chat_id, subscriptions.c.paused.is_not(None))
        q = q.values(active=True, paused=None, next_due_at=next_due_at)
        return bool((await self.conn.execute(q)).rowcount)

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None:
        value: datetime | None = await self.conn.scalar(
            select(func.min(subscriptions.c.next_due_at))
            .join(chats, chats.c.id == subscriptions.c.chat_id)
            .where(subscriptions.c.active.is_(True), chats.c.platform.in_(list(platforms)))
        )
        return value

    async def due(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Subscription]:
        q = (
            _joined()
            .where(
                subscriptions.c.active.is_(True),
                subscriptions.c.next_due_at <= now,
                chats.c.platform.in_(list(platforms)),
            )
            .order_by(subscriptions.c.next_due_at)
            .limit(limit)
            .with_for_update(of=subscriptions, skip_locked=True)  # ignored by SQLite (one writer anyway)
        )
        return [_subscription(r) for r in await self.conn.execute(q)]

    async def advance(self, subscription_id: int, next_due_at: datetime) -> None:
        await self.conn.execute(
            update(subscriptions).where(subscriptions.c.id == subscription_id).values(next_due_at=next_due_at)
        )

    async def used_questions(self, subscription_ids: Sequence[int]) -> dict[int, set[str]]:
        used: dict[int, set[str]] = defaultdict(set)
        for start in range(0, len(subscription_ids), 500):
            chunk = subscription_ids[start : start + 500]
            q = select(deliveries.c.subscription_id, deliveries.c.question_id).where(
                deliveries.c.subscription_id.in_(chunk)
            )
            for r in await self.conn.execute(q):
                used[r.subscription_id].add(r.question_id)
        return used


class SqlDeliveries:
    """The delivery ledger: one row per (subscription, local date)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def existing(self, keys: Sequence[DeliveryKey]) -> set[DeliveryKey]:
        found: set[DeliveryKey] = set()
        by_sub = defaultdict(set)
        for s, d in keys:
            by_sub[s].add(d)
        ids = list(by_sub)
        for start in range(0, len(ids), 500):
            q = select(deliveries.c.subscription_id, deliveries.c.local_date).where(
                deliveries.c.subscription_id.in_(ids[start : start + 500])
            )
            found.update(
                DeliveryKey(r.subscription_id, r.local_date)
                for r in await self.conn.execute(q)
                if r.local_date in by_sub[r.subscription_id]
            )
        return found

    async def claim_many(self, batch: Sequence[Delivery], worker: str, now: datetime) -> None:
        if batch:
            await self.conn.execute(
                insert(deliveries),
                [
                    {
                        "subscription_id": d.subscription.id,
                        "local_date": d.local_date,
                        "question_id": d.question_id,
                        "status": "claimed",
                        "claimed_by": worker[:64],
                        "claimed_at": now,
                        "attempts": 1,
                        "round_id": d.round_id,
                    }
                    for d in batch
                ],
            )

    def _claims(self, limit: int, platforms: Sequence[str], *when: Any) -> Any:
        return (
            select(
                *_COLUMNS,
                deliveries.c.local_date,
                deliveries.c.question_id,
                deliveries.c.attempts,
                deliveries.c.round_id,
                deliveries.c.last_error,
            )
            .select_from(deliveries)
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .join(chats, chats.c.id == subscriptions.c.chat_id)
            .where(deliveries.c.status == "claimed", chats.c.platform.in_(list(platforms)), *when)
            .limit(limit)
            .with_for_update(of=deliveries, skip_locked=True)
        )

    async def _deliveries(self, q: Any) -> list[Delivery]:
        return [
            Delivery(_subscription(r), r.local_date, r.question_id, r.attempts, r.round_id, r.last_error)
            for r in await self.conn.execute(q)
        ]

    async def stale_claims(self, cutoff: datetime, limit: int, platforms: Sequence[str]) -> list[Delivery]:
        when = (deliveries.c.retry_at.is_(None), deliveries.c.claimed_at < cutoff)
        return await self._deliveries(self._claims(limit, platforms, *when).order_by(deliveries.c.claimed_at))

    async def due_retries(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Delivery]:
        q = self._claims(limit, platforms, deliveries.c.retry_at <= now).order_by(deliveries.c.retry_at)
        return await self._deliveries(q)

    async def renew(self, keys: Sequence[DeliveryKey], worker: str, now: datetime) -> set[DeliveryKey]:
        """Restart the lease of these claims if they are still `worker`'s; the ones that still are."""
        if not keys:
            return set()
        mine = and_(deliveries.c.claimed_by == worker[:64], deliveries.c.status == "claimed")
        q = (
            update(deliveries)
            .where(
                deliveries.c.subscription_id == bindparam("k_sub"), deliveries.c.local_date == bindparam("k_day"), mine
            )
            .values(claimed_at=now)
        )
        await self.conn.execute(q, [{"k_sub": s, "k_day": d} for s, d in keys])
        wanted = set(keys)
        ids = sorted({s for s, _ in keys})
        held: set[DeliveryKey] = set()
        for start in range(0, len(ids), 500):
            rows = await self.conn.execute(
                select(deliveries.c.subscription_id, deliveries.c.local_date).where(
                    deliveries.c.subscription_id.in_(ids[start : start + 500]), mine
                )
            )
            held.update(k for r in rows if (k := DeliveryKey(r.subscription_id, r.local_date)) in wanted)
        return held

    async def oldest_claim(self, platforms: Sequence[str]) -> datetime | None:
        q = (
            select(func.min(deliveries.c.claimed_at))
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .join(chats, chats.c.id == subscriptions.c.chat_id)
            .where(
                deliveries.c.status == "claimed",
                deliveries.c.retry_at.is_(None),
                chats.c.platform.in_(list(platforms)),
            )
        )
        value: datetime | None = await self.conn.scalar(q)
        return value

    async def next_retry(self, platforms: Sequence[str]) -> datetime | None:
        q = (
            select(func.min(deliveries.c.retry_at))
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .join(chats, chats.c.id == subscriptions.c.chat_id)
            .where(deliveries.c.status == "claimed", chats.c.platform.in_(list(platforms)))
        )
        value: datetime | None = await self.conn.scalar(q)
        return value

    async def postpone(self, items: Sequence[Postponed]) -> None:
        if not items:
            return
        q = (
            update(deliveries)
            .where(
                deliveries.c.subscription_id == bindparam("k_sub"),
                deliveries.c.local_date == bindparam("k_day"),
                deliveries.c.status == "claimed",
            )
            .values(retry_at=bindparam("k_at"), last_error=bindparam("k_error"))
        )
        await self.conn.execute(
            q,
            [{"k_sub": k.subscription_id, "k_day": k.local_date, "k_at": at, "k_error": e[:200]} for k, at, e in items],
        )

    async def latest(self, subscription_id: int) -> LedgerEntry | None:
        q = (
            select(deliveries.c.local_date, deliveries.c.status, deliveries.c.attempts, deliveries.c.last_error)
            .where(deliveries.c.subscription_id == subscription_id)
            .order_by(deliveries.c.local_date.desc())
            .limit(1)
        )
        row = (await self.conn.execute(q)).first()
        return LedgerEntry(row.local_date, row.status, row.attempts, row.last_error) if row is not None else None

    async def reclaim(self, delivery: Delivery, worker: str, now: datetime, cutoff: datetime) -> bool:
        q = (
            update(deliveries)
            .where(
                deliveries.c.subscription_id == delivery.subscription.id,
                deliveries.c.local_date == delivery.local_date,
                deliveries.c.status == "claimed",
                or_(
                    and_(deliveries.c.retry_at.is_(None), deliveries.c.claimed_at < cutoff),
                    deliveries.c.retry_at <= now,
                ),
            )
            .values(claimed_by=worker[:64], claimed_at=now, attempts=deliveries.c.attempts + 1, retry_at=None)
        )
        return bool((await self.conn.execute(q)).rowcount)

    async def confirm(self, keys: Sequence[DeliveryKey], now: datetime) -> None:
        await self._set(keys, status="sent", sent_at=now)

    async def fail(self, keys: Sequence[DeliveryKey], status: str) -> None:
        await self._set(keys, status=status)

    async def _set(self, keys: Sequence[DeliveryKey], **values: Any) -> None:
        if not keys:
            return
        # executemany with bound parameters: one compiled statement for any number of rows.
        q = (
            update(deliveries)
            .where(deliveries.c.subscription_id == bindparam("k_sub"), deliveries.c.local_date == bindparam("k_day"))
            .values(**values)
        )
        await self.conn.execute(q, [{"k_sub": s, "k_day": d} for s, d in keys])


class SqlReminders:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    @staticmethod
    def _reminder(row: Any) -> Reminder:
        r = row._mapping
        return Reminder(
            r["learner_id"], ChatRef(r["platform"], r["external_id"]), r["hour"], r["minute"], r["next_due_at"]
        )

    def _select(self) -> Any:
        columns = (*reminders.c, chats.c.platform, chats.c.external_id)
        return select(*columns).join(chats, chats.c.id == reminders.c.chat_id)

    async def get(self, learner_id: int) -> Reminder | None:
        row = (await self.conn.execute(self._select().where(reminders.c.learner_id == learner_id))).first()
        return self._reminder(row) if row is not None else None

    async def save(self, learner_id: int, chat_id: int, hour: int, minute: int, next_due_at: datetime) -> None:
        values = {"chat_id": chat_id, "hour": hour, "minute": minute, "next_due_at": next_due_at}
        q = update(reminders).where(reminders.c.learner_id == learner_id).values(**values)
        if not (await self.conn.execute(q)).rowcount:
            await self.conn.execute(insert(reminders).values(learner_id=learner_id, **values))

    async def delete(self, learner_id: int) -> bool:
        return bool((await self.conn.execute(delete(reminders).where(reminders.c.learner_id == learner_id))).rowcount)

    async def due(self, now: datetime, limit: int, platforms: Sequence[str]) -> list[Reminder]:
        q = (
            self._select()
            .where(reminders.c.next_due_at <= now, chats.c.platform.in_(list(platforms)))
            .order_by(reminders.c.next_due_at)
            .limit(limit)
            .with_for_update(of=reminders, skip_locked=True)
        )
        return [self._reminder(r) for r in await self.conn.execute(q)]

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None:
        q = (
            select(func.min(reminders.c.next_due_at))
            .join(chats, chats.c.id == reminders.c.chat_id)
            .where(chats.c.platform.in_(list(platforms)))
        )
        value: datetime | None = await self.conn.scalar(q)
        return value

    async def advance(self, learner_id: int, next_due_at: datetime) -> None:
        await self.conn.execute(
            update(reminders).where(reminders.c.learner_id == learner_id).values(next_due_at=next_due_at)
        )
