"""Linking learners across platforms: merging two learners into one, and separating them again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, insert, select, update

from bot.core.events import UserRef
from bot.storage.connection import Conn
from bot.storage.learning_repos import card_from_row, card_values
from bot.storage.tables import (
    answers,
    appeals,
    asked,
    cards,
    chats,
    identities,
    learners,
    link_codes,
    reminders,
    round_answers,
    rounds,
    sessions,
    subscriptions,
)


async def merge_learners(conn: Conn, source: int, target: int) -> None:
    """Everything `source` has becomes `target`'s; where both have a row, the stronger one stays."""
    await conn.execute(update(identities).where(identities.c.learner_id == source).values(learner_id=target))
    await conn.execute(update(answers).where(answers.c.learner_id == source).values(learner_id=target))
    await conn.execute(update(appeals).where(appeals.c.learner_id == source).values(learner_id=target))
    await conn.execute(update(rounds).where(rounds.c.started_by == source).values(started_by=target))
    await conn.execute(delete(sessions).where(sessions.c.learner_id == source))
    await conn.execute(delete(link_codes).where(link_codes.c.learner_id == source))

    # Cards: the one with more reviews knows the learner better; ties go to the latest review.
    theirs = {
        r.question_id: card_from_row(r) for r in await conn.execute(select(cards).where(cards.c.learner_id == source))
    }
    ours = {
        r.question_id: card_from_row(r) for r in await conn.execute(select(cards).where(cards.c.learner_id == target))
    }
    for qid, card in theirs.items():
        mine = ours.get(qid)
        if mine is None:
            await conn.execute(insert(cards).values(learner_id=target, question_id=qid, **card_values(card)))
        elif (card.reps, card.last_review or card.due) > (mine.reps, mine.last_review or mine.due):
            await conn.execute(
                update(cards)
                .where(cards.c.learner_id == target, cards.c.question_id == qid)
                .values(**card_values(card))
            )

    mine_asked = {
        r.question_id: r.asked_at for r in await conn.execute(select(asked).where(asked.c.learner_id == target))
    }
    for r in (await conn.execute(select(asked).where(asked.c.learner_id == source))).all():
        if r.question_id not in mine_asked:
            await conn.execute(insert(asked).values(learner_id=target, question_id=r.question_id, asked_at=r.asked_at))
        elif r.asked_at > mine_asked[r.question_id]:
            await conn.execute(
                update(asked)
                .where(asked.c.learner_id == target, asked.c.question_id == r.question_id)
                .values(asked_at=r.asked_at)
            )

    # One answer per member and round: keep the better of the two.
    mine_rounds = {
        r.round_id: r.score
        for r in await conn.execute(select(round_answers).where(round_answers.c.learner_id == target))
    }
    for r in (await conn.execute(select(round_answers).where(round_answers.c.learner_id == source))).all():
        if r.round_id in mine_rounds and mine_rounds[r.round_id] >= r.score:
            continue
        await conn.execute(
            delete(round_answers).where(round_answers.c.round_id == r.round_id, round_answers.c.learner_id == target)
        )
        await conn.execute(
            update(round_answers)
            .where(round_answers.c.round_id == r.round_id, round_answers.c.learner_id == source)
            .values(learner_id=target)
        )
    await conn.execute(delete(learners).where(learners.c.id == source))


async def merge_chats(conn: Conn, source: int, target: int) -> None:
    """Everything of chat `source` becomes `target`'s, then `source` goes (a Telegram group that became
    a supergroup whose new id was seen before the migration message). Nothing cascades away: its
    rounds, sessions, answers, reminders and subscription (with its ledger) move; where the new
    chat already has a subscription, that newer choice stands. Its language and time zone fill
    what the new chat has not set."""
    old = (await conn.execute(select(chats).where(chats.c.id == source))).first()
    new = (await conn.execute(select(chats).where(chats.c.id == target))).first()
    if old is None or new is None:
        return
    fill = {k: old._mapping[k] for k in ("lang", "tz") if new._mapping[k] is None and old._mapping[k] is not None}
    if fill:
        await conn.execute(update(chats).where(chats.c.id == target).values(**fill))
    for table in (sessions, rounds, answers, reminders):
        await conn.execute(update(table).where(table.c.chat_id == source).values(chat_id=target))
    theirs = await conn.scalar(select(subscriptions.c.id).where(subscriptions.c.chat_id == target))
    if theirs is None:
        await conn.execute(update(subscriptions).where(subscriptions.c.chat_id == source).values(chat_id=target))
    await conn.execute(delete(chats).where(chats.c.id == source))


async def detach_identity(conn: Conn, user: UserRef, name: str, now: datetime) -> int | None:
    """Give `user` its own learner again; None when it shares its learner with nobody.

    The new learner takes the answers given on `user`'s platform (streaks and stats follow them)
    and a copy of every card, so neither side starts its reviews from nothing.
    """
    where = and_(identities.c.platform == user.platform, identities.c.external_id == user.id)
    current = await conn.scalar(select(identities.c.learner_id).where(where))
    if current is None:
        return None
    others = await conn.scalar(select(identities.c.platform).where(identities.c.learner_id == current, ~where).limit(1))
    if others is None:
        return None
    old = (await conn.execute(select(learners).where(learners.c.id == current))).one()
    result = await conn.execute(
        insert(learners).values(name=name or old.name, lang=old.lang, lang_set=old.lang_set, tz=old.tz, created_at=now)
    )
    new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    await conn.execute(update(identities).where(where).values(learner_id=new_id))
    platform_chats = select(chats.c.id).where(chats.c.platform == user.platform)
    await conn.execute(
        update(answers)
        .where(answers.c.learner_id == current, answers.c.chat_id.in_(platform_chats))
        .values(learner_id=new_id)
    )
    for r in (await conn.execute(select(cards).where(cards.c.learner_id == current))).all():
        await conn.execute(
            insert(cards).values(learner_id=new_id, question_id=r.question_id, **card_values(card_from_row(r)))
        )
    for r in (await conn.execute(select(asked).where(asked.c.learner_id == current))).all():
        await conn.execute(insert(asked).values(learner_id=new_id, question_id=r.question_id, asked_at=r.asked_at))
    await conn.execute(delete(sessions).where(sessions.c.learner_id == current))
    return new_id
