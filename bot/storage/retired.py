"""Learners' progress follows merged questions: rows on a retired id move to the id it was merged into.

Run at start-up with the bank's successors (`Bank.successors`); idempotent, since moved rows no
longer carry a retired id. Where a learner already has a card (or an "asked" mark) for the kept
question, the more recently reviewed card (the later mark) stays and the other is dropped: both
tables allow one row per learner and question.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Table, delete, select, update

from bot.storage.connection import Conn
from bot.storage.learning_repos import card_from_row
from bot.storage.tables import answers, appeals, asked, cards, deliveries, rounds, sessions

# Tables with a question id and no per-question uniqueness: a plain rename is enough.
_PLAIN: tuple[Table, ...] = (answers, appeals, rounds, sessions, deliveries)


async def follow_retired(conn: Conn, successors: Mapping[str, str]) -> int:
    """Move every row on a retired id to its successor; the number of rows moved or merged."""
    moved = 0
    for old, kept in sorted(successors.items()):
        moved += await _merge_cards(conn, old, kept)
        moved += await _merge_asked(conn, old, kept)
        for table in _PLAIN:
            result = await conn.execute(update(table).where(table.c.question_id == old).values(question_id=kept))
            moved += result.rowcount or 0
    return moved


async def _merge_cards(conn: Conn, old: str, kept: str) -> int:
    rows = (await conn.execute(select(cards).where(cards.c.question_id == old))).all()
    for r in rows:
        theirs = card_from_row(r)
        where_kept = (cards.c.learner_id == r.learner_id) & (cards.c.question_id == kept)
        mine = (await conn.execute(select(cards).where(where_kept))).first()
        if mine is not None and _reviewed(card_from_row(mine).last_review) >= _reviewed(theirs.last_review):
            await conn.execute(delete(cards).where(cards.c.learner_id == r.learner_id, cards.c.question_id == old))
            continue
        if mine is not None:
            await conn.execute(delete(cards).where(where_kept))
        await conn.execute(
            update(cards).where(cards.c.learner_id == r.learner_id, cards.c.question_id == old).values(question_id=kept)
        )
    return len(rows)


async def _merge_asked(conn: Conn, old: str, kept: str) -> int:
    rows = (await conn.execute(select(asked).where(asked.c.question_id == old))).all()
    for r in rows:
        where_kept = (asked.c.learner_id == r.learner_id) & (asked.c.question_id == kept)
        mine = await conn.scalar(select(asked.c.asked_at).where(where_kept))
        if mine is not None and mine < r.asked_at:
            await conn.execute(update(asked).where(where_kept).values(asked_at=r.asked_at))
        if mine is None:
            await conn.execute(
                update(asked)
                .where(asked.c.learner_id == r.learner_id, asked.c.question_id == old)
                .values(question_id=kept)
            )
        else:
            await conn.execute(delete(asked).where(asked.c.learner_id == r.learner_id, asked.c.question_id == old))
    return len(rows)


def _reviewed(at: datetime | None) -> datetime:
    return at if at is not None else datetime.min.replace(tzinfo=UTC)
