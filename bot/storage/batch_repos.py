"""Set-at-a-time versions of hot operations, for the question of the day's fan-out.

Claiming a batch of a few hundred deliveries costs a handful of statements instead of a few
per delivery: the difference between a fan-out bound by the platform's rate and one bound by
database round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam, delete, insert, select, update

from bot.core.ports.daily import NextDue
from bot.core.ports.people import Learner
from bot.core.ports.rounds import NewRound, Round
from bot.core.ports.sessions import OpenQuestion, SessionStart
from bot.storage.connection import Conn
from bot.storage.tables import asked, cards, learners, rounds, sessions, subscriptions

_CHUNK = 400
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class SqlBatch:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def learners(self, ids: Sequence[int]) -> dict[int, Learner]:
        found: dict[int, Learner] = {}
        for chunk in _chunks(list(ids)):
            for r in await self.conn.execute(select(learners).where(learners.c.id.in_(chunk))):
                found[r.id] = Learner(r.id, r.name, r.lang, r.tz, bool(r.lang_set))
        return found

    async def due_cards(self, learner_ids: Sequence[int], now: datetime) -> dict[int, list[str]]:
        """Each learner's due questions, most overdue first."""
        due: dict[int, list[str]] = defaultdict(list)
        for chunk in _chunks(list(learner_ids)):
            q = (
                select(cards.c.learner_id, cards.c.question_id)
                .where(cards.c.learner_id.in_(chunk), cards.c.due <= now)
                .order_by(cards.c.learner_id, cards.c.due)
            )
            for r in await self.conn.execute(q):
                due[r.learner_id].append(r.question_id)
        return due

    async def open_sessions(self, starts: Sequence[SessionStart], now: datetime) -> dict[int, OpenQuestion]:
        """Open these sessions, replacing any open ones; keyed by chat id."""
        if not starts:
            return {}
        # executemany with bound parameters: one compiled statement, whatever the batch size.
        await self.conn.execute(
            delete(sessions).where(sessions.c.chat_id == bindparam("c"), sessions.c.learner_id == bindparam("l")),
            [{"c": s.chat_id, "l": s.learner_id} for s in starts],
        )
        await self.conn.execute(
            delete(asked).where(asked.c.learner_id == bindparam("l"), asked.c.question_id == bindparam("q")),
            [{"l": s.learner_id, "q": s.question_id} for s in starts],
        )
        once = {(s.learner_id, s.question_id): s for s in starts}.values()
        await self.conn.execute(
            insert(asked), [{"learner_id": s.learner_id, "question_id": s.question_id, "asked_at": now} for s in once]
        )
        rows = [
            {
                "chat_id": s.chat_id,
                "learner_id": s.learner_id,
                "question_id": s.question_id,
                "mode": s.mode,
                "hints": 0,
                "options": ",".join(map(str, s.options)),
                "asked_at": now,
            }
            for s in starts
        ]
        result = await self.conn.execute(
            insert(sessions).returning(sessions.c.id, sessions.c.chat_id, sort_by_parameter_order=True), rows
        )
        return {
            s.chat_id: OpenQuestion(row.id, s.chat_id, s.learner_id, s.question_id, s.mode, 0, s.options, now)
            for row, s in zip(result.all(), starts, strict=True)
        }

    async def open_rounds(self, new: Sequence[NewRound], now: datetime) -> dict[int, Round]:
        """Open these rounds; keyed by chat id."""
        if not new:
            return {}
        rows = [
            {
                "chat_id": n.chat_id,
                "question_id": n.question_id,
                "mode": n.mode,
                "options": ",".join(map(str, n.options)),
                "started_by": n.started_by,
                "started_at": now,
                "closes_at": n.closes_at,
            }
            for n in new
        ]
        result = await self.conn.execute(insert(rounds).returning(rounds.c.id, sort_by_parameter_order=True), rows)
        return {
            n.chat_id: Round(row.id, n.chat_id, n.question_id, n.mode, n.options, n.started_by, now, n.closes_at)
            for row, n in zip(result.all(), new, strict=True)
        }

    async def advance_subscriptions(self, items: Sequence[NextDue]) -> None:
        if items:
            q = update(subscriptions).where(subscriptions.c.id == bindparam("sid")).values(next_due_at=bindparam("due"))
            await self.conn.execute(q, [{"sid": n.subscription_id, "due": n.at} for n in items])
