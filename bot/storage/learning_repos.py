"""Repositories for the learning features: FSRS cards, group rounds, link codes, appeals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update

from bot.core.modes import Mode
from bot.core.ports.answers import Appeal, NewAppeal
from bot.core.ports.cards import CardState
from bot.core.ports.rounds import LeaderRow, NewRound, Round, RoundAnswer
from bot.storage.connection import Conn
from bot.storage.prepared import Prepared, upsert
from bot.storage.tables import appeals, cards, learners, link_codes, round_answers, rounds

MAX_STORED_TEXT = 8000


# An FSRS card's columns besides its keys (learner, question).
CARD_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses", "leech")


def card_values(card: CardState) -> dict[str, Any]:
    return {field: getattr(card, field) for field in CARD_FIELDS}


def card_from_row(row: Any) -> CardState:
    r = row._mapping
    return CardState(
        question_id=r["question_id"],
        state=r["state"],
        step=r["step"],
        stability=r["stability"],
        difficulty=r["difficulty"],
        due=r["due"],
        last_review=r["last_review"],
        reps=r["reps"],
        lapses=r["lapses"],
        leech=bool(r["leech"]),
    )


# Built once (see bot/storage/repos.py): the card statements of every answer.
_CARD = Prepared(
    select(cards).where(cards.c.learner_id == bindparam("learner_id"), cards.c.question_id == bindparam("qid"))
)
# The SET clause comes from the parameters' card columns (bind names here must not be column names).
_PUT_CARD = upsert(cards, ("learner_id", "question_id"), CARD_FIELDS)
_CARDS_DUE = Prepared(
    select(cards)
    .where(cards.c.learner_id == bindparam("learner_id"), cards.c.due <= bindparam("now"))
    .order_by(cards.c.due, cards.c.question_id)
    .limit(bindparam("limit"))
)


class SqlCards:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def get(self, learner_id: int, question_id: str) -> CardState | None:
        row = await _CARD.first(self.conn, {"learner_id": learner_id, "qid": question_id})
        return card_from_row(row) if row is not None else None

    async def put(self, learner_id: int, card: CardState) -> None:
        values = {"learner_id": learner_id, "question_id": card.question_id, **card_values(card)}
        await _PUT_CARD[self.conn.dialect.name].write(self.conn, values)

    async def due(self, learner_id: int, now: datetime, limit: int = 20) -> list[CardState]:
        rows = await _CARDS_DUE.rows(self.conn, {"learner_id": learner_id, "now": now, "limit": limit})
        return [card_from_row(r) for r in rows]

    async def all(self, learner_id: int) -> list[CardState]:
        return [
            card_from_row(r) for r in await self.conn.execute(select(cards).where(cards.c.learner_id == learner_id))
        ]

    async def next_due(self, learner_id: int) -> datetime | None:
        # min() keeps the column's type, so the UTC conversion applies to the result too.
        value: datetime | None = await self.conn.scalar(
            select(func.min(cards.c.due)).where(cards.c.learner_id == learner_id)
        )
        return value


def _round(row: Any) -> Round:
    r = row._mapping
    return Round(
        id=r["id"],
        chat_id=r["chat_id"],
        question_id=r["question_id"],
        mode=Mode(r["mode"]),
        options=tuple(int(x) for x in r["options"].split(",") if x),
        started_by=r["started_by"],
        started_at=r["started_at"],
        closes_at=r["closes_at"],
        closed_at=r["closed_at"],
    )


class SqlRounds:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def open(self, new: NewRound, now: datetime) -> Round:
        n = new
        result = await self.conn.execute(
            insert(rounds).values(
                chat_id=n.chat_id,
                question_id=n.question_id,
                mode=n.mode,
                options=",".join(map(str, n.options)),
                started_by=n.started_by,
                started_at=now,
                closes_at=n.closes_at,
            )
        )
        rid = int(result.inserted_primary_key[0])  # type: ignore[index]
        return Round(rid, n.chat_id, n.question_id, n.mode, n.options, n.started_by, now, n.closes_at)

    async def current(self, chat_id: int) -> Round | None:
        q = (
            select(rounds)
            .where(rounds.c.chat_id == chat_id, rounds.c.closed_at.is_(None))
            .order_by(rounds.c.id.desc())
            .limit(1)
        )
        row = (await self.conn.execute(q)).first()
        return _round(row) if row is not None else None

    async def used_questions(self, chat_id: int) -> set[str]:
        q = select(rounds.c.question_id).where(rounds.c.chat_id == chat_id).distinct()
        return set((await self.conn.execute(q)).scalars().all())

    async def get(self, round_id: int) -> Round | None:
        row = (await self.conn.execute(select(rounds).where(rounds.c.id == round_id))).first()
        return _round(row) if row is not None else None

    async def answer(self, round_id: int, answer: RoundAnswer) -> bool:
        where = and_(round_answers.c.round_id == round_id, round_answers.c.learner_id == answer.learner_id)
        values = {
            "name": answer.name[:128],
            "score": answer.score,
            "verdict": answer.verdict,
            "text": answer.text[:MAX_STORED_TEXT],
            "answered_at": answer.answered_at,
        }
        result = await self.conn.execute(update(round_answers).where(where).values(**values))
        if result.rowcount:
            return True
        await self.conn.execute(insert(round_answers).values(round_id=round_id, learner_id=answer.learner_id, **values))
        return False

    async def answers(self, round_id: int) -> list[RoundAnswer]:
        q = (
            select(round_answers)
            .where(round_answers.c.round_id == round_id)
            .order_by(round_answers.c.score.desc(), round_answers.c.answered_at, round_answers.c.learner_id)
        )
        return [
            RoundAnswer(r.learner_id, r.name, r.score, r.verdict, r.text, r.answered_at)
            for r in await self.conn.execute(q)
        ]

    async def close(self, round_id: int, now: datetime) -> bool:
        result = await self.conn.execute(
            update(rounds).where(rounds.c.id == round_id, rounds.c.closed_at.is_(None)).values(closed_at=now)
        )
        return bool(result.rowcount)

    async def due_to_close(self, now: datetime, limit: int = 100) -> list[Round]:
        q = (
            select(rounds)
            .where(rounds.c.closed_at.is_(None), rounds.c.closes_at <= now)
            .order_by(rounds.c.closes_at)
            .limit(limit)
            # Several processes close rounds: each takes its own (PostgreSQL; SQLite ignores it).
            .with_for_update(skip_locked=True)
        )
        return [_round(r) for r in await self.conn.execute(q)]

    async def leaderboard(self, chat_id: int, since: datetime | None, limit: int = 10) -> list[LeaderRow]:
        points = func.sum(round_answers.c.score).label("points")
        name = func.max(learners.c.name).label("name")
        q = (
            select(round_answers.c.learner_id, name, points, func.count().label("n"))
            .join(rounds, rounds.c.id == round_answers.c.round_id)
            .join(learners, learners.c.id == round_answers.c.learner_id)
            .where(rounds.c.chat_id == chat_id)
            .group_by(round_answers.c.learner_id)
            # Equal points are listed by name: without a tie-break each engine picks its own order.
            .order_by(points.desc(), name, round_answers.c.learner_id)
            .limit(limit)
        )
        if since is not None:
            q = q.where(rounds.c.started_at >= since)
        return [LeaderRow(r.learner_id, r.name, float(r.points), int(r.n)) for r in await self.conn.execute(q)]


class SqlLinks:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def create(self, code: str, learner_id: int, platform: str, expires_at: datetime) -> None:
        await self.conn.execute(
            insert(link_codes).values(code=code, learner_id=learner_id, platform=platform, expires_at=expires_at)
        )

    async def owner(self, code: str) -> int | None:
        value = await self.conn.scalar(select(link_codes.c.learner_id).where(link_codes.c.code == code))
        return int(value) if value is not None else None

    async def take(self, code: str, now: datetime) -> tuple[int, str] | None:
        # One UPDATE decides: a code used twice at once is taken by exactly one of them.
        result = await self.conn.execute(
            update(link_codes)
            .where(link_codes.c.code == code, link_codes.c.used_at.is_(None), link_codes.c.expires_at > now)
            .values(used_at=now)
        )
        if not result.rowcount:
            return None
        row = (
            await self.conn.execute(
                select(link_codes.c.learner_id, link_codes.c.platform).where(link_codes.c.code == code)
            )
        ).one()
        return int(row.learner_id), str(row.platform)


class SqlAppeals:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def add(self, appeal: NewAppeal, now: datetime) -> int:
        a = appeal
        result = await self.conn.execute(
            insert(appeals).values(
                learner_id=a.learner_id,
                question_id=a.question_id,
                answer_id=a.answer_id,
                answer_text=a.answer_text[:MAX_STORED_TEXT],
                score=a.score,
                verdict=a.verdict,
                reason=a.reason[:2000],
                created_at=now,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    async def exists(self, answer_id: int) -> bool:
        q = select(appeals.c.id).where(appeals.c.answer_id == answer_id).limit(1)
        return (await self.conn.execute(q)).first() is not None

    async def all(self) -> list[Appeal]:
        q = select(appeals).order_by(appeals.c.question_id, appeals.c.created_at.desc(), appeals.c.id.desc())
        return [
            Appeal(r.id, r.learner_id, r.question_id, r.answer_text, r.score, r.verdict, r.reason, r.created_at)
            for r in await self.conn.execute(q)
        ]
