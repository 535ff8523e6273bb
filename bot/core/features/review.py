"""Spaced review: due cards as free-text questions or as flashcards, and the learner's ratings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.actions import AnswerForm, Ask, Reveal
from bot.core.clock import zone
from bot.core.context import Ctx
from bot.core.events import Part, Reply, ReplyKind
from bot.core.features.progress import record, review_card, settle_pending_rating
from bot.core.features.quiz import ask_question, open_quiz
from bot.core.grading.grade import verdict_for
from bot.core.modes import RATE_MODES, Mode
from bot.core.related import related_question
from bot.core.srs import RATING_SCORE, RATINGS


def _when(ctx: Ctx, moment: datetime) -> str:
    local = moment.astimezone(zone(ctx.learner.tz) or ZoneInfo("UTC"))
    return local.strftime("%Y-%m-%d %H:%M")


async def review(ctx: Ctx, arg: str = "") -> list[Reply]:
    await settle_pending_rating(ctx)
    flashcards = arg.strip().lower() in {"cards", "card", "flashcards", "卡片"}
    for card in await ctx.tx.cards.due(ctx.learner.id, ctx.now):
        q = ctx.question(card.question_id)
        if q is None or not q.answered:
            continue
        if not flashcards:
            return await ask_question(ctx, q, Mode.REVIEW)
        session = await ctx.open_session(q.id, Mode.CARD)
        return [
            ctx.reply(
                (
                    ctx.part("review.card_title", "title", topic=ctx.topic_name(q.topic)),
                    Part(q.prompt.get(ctx.lang)),
                    ctx.part("review.card_prompt", "note"),
                ),
                kind=ReplyKind.QUESTION,
                buttons=((ctx.button("btn.show", Reveal(session.id), "/reveal"),),),
                answer_form=AnswerForm(session=session.id),
            )
        ]
    upcoming = await ctx.tx.cards.next_due(ctx.learner.id)
    if upcoming is None:
        return [ctx.say("review.none_yet")]
    return [ctx.say("review.none_due", when=_when(ctx, upcoming))]


async def rate(ctx: Ctx, session_id: int | None, name: str) -> list[Reply]:
    rating = RATINGS.get(name.strip().lower())
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, q = found
    if session.mode not in RATE_MODES or rating is None:
        return [ctx.say("review.rate_how")]
    await ctx.tx.sessions.close(session.id)
    if session.mode is Mode.RATE_CARD:
        # A self-rated flashcard is also an answer, so statistics and streaks see it.
        score = RATING_SCORE[rating]
        recorded = await record(ctx, q, Mode.CARD, score, verdict_for(score).value, "", rating=rating)
        card, became_leech = recorded.card, recorded.became_leech
    else:
        card, became_leech = await review_card(ctx, q, rating)
    parts = [ctx.part("review.rated", rating=ctx.t(f"btn.rate_{name.strip().lower()}"), when=_when(ctx, card.due))]
    if became_leech:
        parts.append(ctx.part("review.leech", "note", lapses=card.lapses))
    due = len(await ctx.tx.cards.due(ctx.learner.id, ctx.now))
    button = (
        ctx.button("btn.review", Ask(Mode.REVIEW), "/review")
        if due
        else ctx.button("btn.next", Ask(Mode.QUIZ), "/quiz")
    )
    return [ctx.reply(parts, buttons=((button,),))]


async def follow_up(ctx: Ctx, question_id: str = "") -> list[Reply]:
    """The question an interviewer would ask next about the last (or the given) question."""
    if not question_id:
        last = await ctx.tx.answers.last(ctx.learner.id)
        question_id = last.question_id if last else ""
    q = ctx.question(question_id)
    nxt = related_question(ctx.bank, q) if q is not None else None
    if nxt is None:
        return [ctx.say("review.no_follow_up")]
    await settle_pending_rating(ctx)
    replies = await ask_question(ctx, nxt, Mode.QUIZ)
    return [ctx.say("review.follow_up"), *replies]
