"""Hot-path statements run on SQLite's driver directly (bot/storage/prepared.py): the values that go
in and come out must be exactly those of the same statement run through SQLAlchemy, on both engines."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from bot.core.events import ChatKind, ChatRef, UserRef
from bot.core.modes import Mode
from bot.core.ports.answers import NewAnswer
from bot.core.ports.cards import CardState
from bot.storage import learning_repos, repos, tables
from bot.storage.prepared import Prepared
from bot.storage.store import SqlStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEXTS = (
    "attention weighs every token",
    "注意力机制为每个词元分配权重",
    "tab\tand\nnewline",
    "’quotes’ «and» emoji 🙂",
    "",
)


def _card(rng: random.Random, question_id: str) -> CardState:
    def when() -> datetime:
        return NOW + timedelta(days=rng.uniform(-40, 40), microseconds=rng.randrange(1_000_000))

    return CardState(
        question_id=question_id,
        state=rng.randrange(4),
        step=rng.choice((None, 0, 1, 2)),
        stability=rng.choice((None, rng.uniform(0, 400))),
        difficulty=rng.choice((None, rng.uniform(1, 10))),
        due=when(),
        last_review=rng.choice((None, when())),
        reps=rng.randrange(50),
        lapses=rng.randrange(9),
        leech=rng.random() < 0.3,
    )


async def _both_ways(store: SqlStore, statement: Prepared, params: dict[str, object]) -> tuple[list[Any], list[Any]]:
    """The rows as the repositories get them, and as SQLAlchemy gives them for the same statement."""
    async with store.transaction() as tx:
        prepared = await statement.rows(tx.conn, params)
        plain = list((await tx.conn.execute(statement.statement, params)).all())
    return prepared, plain


@pytest.mark.parametrize("seed", range(4))
async def test_rows_read_and_written_on_the_driver_equal_sqlalchemys(store: SqlStore, seed: int) -> None:
    rng = random.Random(seed)
    async with store.transaction() as tx:
        learner = await tx.learners.resolve(UserRef("t", f"u{seed}"), "Ada", "en", NOW)
        chat = await tx.chats.resolve(ChatRef("t", f"c{seed}"), ChatKind.PRIVATE, NOW)
        cards = [_card(rng, f"q{i}") for i in range(rng.randrange(5, 15))]
        for card in cards:
            await tx.cards.put(learner.id, card)
        for card in rng.sample(cards, len(cards) // 2):  # written again: the update path
            await tx.cards.put(learner.id, _card(rng, card.question_id))
        for i in range(rng.randrange(3, 12)):
            when = NOW + timedelta(minutes=i, microseconds=rng.randrange(1_000_000))
            answer = NewAnswer(
                learner.id, chat.id, f"q{rng.randrange(5)}", rng.choice(("rag", "llm")), rng.choice(list(Mode)),
                round(rng.random(), 3), "partly", rng.randrange(3), rng.choice(TEXTS), when, date(2026, 3, 2),
            )  # fmt: skip
            await tx.answers.add(answer)
    by_learner: dict[str, Any] = {"learner_id": learner.id}
    checks: list[tuple[Prepared, dict[str, Any]]] = [
        (learning_repos._CARDS_DUE, {**by_learner, "now": NOW + timedelta(days=rng.uniform(-40, 40)), "limit": 20}),
        (learning_repos._CARD, {**by_learner, "qid": cards[0].question_id}),
        (repos._HISTORY, by_learner),
        (repos._TOPIC_ACCURACY, by_learner),
        (repos._LEARNER_BY_IDENTITY, {"platform": "t", "external_id": f"u{seed}"}),
        (repos._CHAT_BY_REF, {"platform": "t", "external_id": f"c{seed}"}),
    ]
    for statement, params in checks:
        prepared, plain = await _both_ways(store, statement, params)
        assert [tuple(r) for r in prepared] == [tuple(r) for r in plain]
        assert [dict(r._mapping) for r in prepared] == [dict(r._mapping) for r in plain]
    async with store.transaction() as tx:
        stored = {c.question_id: c for c in await tx.cards.all(learner.id)}
        for card in cards:
            got = await tx.cards.get(learner.id, card.question_id)
            assert got == stored[card.question_id]
            assert got is not None and got.due.tzinfo is not None and isinstance(got.leech, bool)


async def test_a_constraint_broken_on_the_driver_raises_what_sqlalchemy_raises(store: SqlStore) -> None:
    card = _card(random.Random(1), "q1")
    async with store.transaction() as tx:
        learner = await tx.learners.resolve(UserRef("t", "u"), "Ada", "en", NOW)
        await tx.cards.put(learner.id, card)
    values = {"learner_id": learner.id, "question_id": "q1", **learning_repos.card_values(card)}
    with pytest.raises(IntegrityError):
        async with store.transaction() as tx:
            await Prepared(insert(tables.cards)).write(tx.conn, values)  # the same card twice
    async with store.transaction() as tx:  # rolled back, and the store goes on
        assert await tx.cards.get(learner.id, "q1") == card
