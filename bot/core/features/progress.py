"""Recording an answer: the answer row, the FSRS card, and what to tell the learner about it."""

from __future__ import annotations

from dataclasses import dataclass

from fsrs import Rating

from bot.content.schema import Question
from bot.core.clock import local_date
from bot.core.context import Ctx
from bot.core.events import Part
from bot.core.modes import RATE_MODES, Mode
from bot.core.ports.answers import NewAnswer
from bot.core.ports.cards import CardState
from bot.core.srs import rating_for_score, review


@dataclass(frozen=True)
class Recorded:
    answer_id: int
    card: CardState
    became_leech: bool


async def record(
    ctx: Ctx,
    q: Question,
    mode: Mode,
    score: float,
    verdict: str,
    text: str,
    hints: int = 0,
    rating: Rating | None = None,
    learner_id: int | None = None,
) -> Recorded:
    """Store an answer and review its card, in the current transaction (committed before any reply)."""
    who = learner_id or ctx.learner.id
    answer_id = await ctx.tx.answers.add(new_answer(ctx, q, mode, score, verdict, text, hints, who))
    card, leech = await review_card(ctx, q, rating or rating_for_score(score), who)
    return Recorded(answer_id, card, leech)


def new_answer(
    ctx: Ctx, q: Question, mode: Mode, score: float, verdict: str, text: str, hints: int, who: int | None = None
) -> NewAnswer:
    """The answer row: its local day in the learner's time zone (streaks count those)."""
    return NewAnswer(
        learner_id=who or ctx.learner.id,
        chat_id=ctx.chat.id,
        question_id=q.id,
        topic=q.topic,
        mode=mode,
        score=score,
        verdict=verdict,
        hints=hints,
        text=text,
        answered_at=ctx.now,
        local_day=local_date(ctx.now, ctx.learner.tz),
    )


async def review_card(ctx: Ctx, q: Question, rating: Rating, learner_id: int | None = None) -> tuple[CardState, bool]:
    who = learner_id or ctx.learner.id
    card, leech = review(await ctx.tx.cards.get(who, q.id), q.id, rating, ctx.now)
    await ctx.tx.cards.put(who, card)
    return card, leech


def leech_part(ctx: Ctx, recorded: Recorded) -> list[Part]:
    if not recorded.became_leech:
        return []
    return [ctx.part("review.leech", "note", lapses=recorded.card.lapses)]


async def settle_pending_rating(ctx: Ctx) -> None:
    """A revealed answer the learner never rated counts as Again when they move on."""
    session = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
    if session is None or session.mode not in RATE_MODES:
        return
    q = ctx.question(session.question_id)
    if q is not None:
        await review_card(ctx, q, Rating.Again)
    await ctx.tx.sessions.close(session.id)
