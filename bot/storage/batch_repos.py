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
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.modes import Mode
from bot.core.ports import Learner, OpenQuestion, Round
from bot.storage.tables import asked, cards, learners, rounds, sessions, subscriptions

_CHUNK = 400
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int = _CHUNK) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class SqlBatch:
    def __init__(self, conn: AsyncConnection) -> None:
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

    async def open_sessions(
        self, items: Sequence[tuple[int, int, str, Mode]], now: datetime
    ) -> dict[int, OpenQuestion]:
        """Open (chat, learner, question, mode) sessions, replacing any open ones; keyed by chat id."""
        if not items:
            return {}
        # executemany with bound parameters: one compiled statement, whatever the batch size.
        await self.conn.execute(
            delete(sessions).where(sessions.c.chat_id == bindparam("c"), sessions.c.learner_id == bindparam("l")),
            [{"c": c, "l": lid} for c, lid, _, _ in items],
        )
        await self.conn.execute(
            delete(asked).where(asked.c.learner_id == bindparam("l"), asked.c.question_id == bindparam("q")),
            [{"l": lid, "q": q} for _, lid, q, _ in items],
        )
        await self.conn.execute(
            insert(asked),
            [
                {"learner_id": lid, "question_id": q, "asked_at": now}
                for _, lid, q, _ in dict(((lid, q), (c, lid, q, m)) for c, lid, q, m in items).values()
            ],
        )
        rows = [
            {"chat_id": c, "learner_id": lid, "question_id": q, "mode": m, "hints": 0, "options": "", "asked_at": now}
            for c, lid, q, m in items
        ]
        result = await self.conn.execute(
            insert(sessions).returning(sessions.c.id, sessions.c.chat_id, sort_by_parameter_order=True), rows
        )
        opened: dict[int, OpenQuestion] = {}
        for row, (c, lid, q, m) in zip(result.all(), items, strict=True):
            opened[c] = OpenQuestion(row.id, c, lid, q, m, 0, (), now)
        return opened

    async def open_rounds(self, items: Sequence[tuple[int, str, datetime]], now: datetime) -> dict[int, Round]:
        """Open (chat, question, closes at) free-text rounds; keyed by chat id."""
        if not items:
            return {}
        rows = [
            {
                "chat_id": c,
                "question_id": q,
                "mode": Mode.QUIZ,
                "options": "",
                "started_by": None,
                "started_at": now,
                "closes_at": closes,
            }
            for c, q, closes in items
        ]
        result = await self.conn.execute(insert(rounds).returning(rounds.c.id, sort_by_parameter_order=True), rows)
        return {
            c: Round(row.id, c, q, Mode.QUIZ, (), None, now, closes)
            for row, (c, q, closes) in zip(result.all(), items, strict=True)
        }

    async def advance_subscriptions(self, items: Sequence[tuple[int, datetime]]) -> None:
        if items:
            q = update(subscriptions).where(subscriptions.c.id == bindparam("sid")).values(next_due_at=bindparam("due"))
            await self.conn.execute(q, [{"sid": sid, "due": due} for sid, due in items])
