"""The optional judge in the conversation: what an answer is for, what the learner is told.

The judge is slow and remote, so it is asked before the answer's transaction (no lock is held
while it thinks): `answer_target` finds what the text would answer, the assessor grades it, and
the answer's own transaction uses that verdict only if the same question is still open.
"""

from __future__ import annotations

from datetime import timedelta

from bot.content.schema import Question
from bot.core.context import Ctx, Target
from bot.core.events import Part
from bot.core.modes import HINT_MODES, Mode
from bot.core.ports.assessing import Assessment

# The privacy notice is shown once per learner and host, remembered as a ref that does not expire soon.
NOTICE_KEEP = timedelta(days=100 * 365)


async def answer_target(ctx: Ctx) -> tuple[Target, Question] | None:
    """The free-text question `ctx`'s learner would be answering now, if any."""
    if ctx.in_group:
        rnd = await ctx.tx.rounds.current(ctx.chat.id)
        if rnd is None or rnd.mode is Mode.MC or rnd.closes_at <= ctx.now:
            return None
        q = ctx.question(rnd.question_id)
        return (("round", rnd.id), q) if q is not None else None
    session = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
    if session is None or session.mode not in HINT_MODES:  # free-text questions only
        return None
    q = ctx.question(session.question_id)
    return (("session", session.id), q) if q is not None and q.answered else None


def judge_parts(ctx: Ctx, assessment: Assessment | None) -> list[Part]:
    """The judge's own words: its wrong claims with corrections, and its feedback (plain text, escaped)."""
    if assessment is None or assessment.source != "llm":
        return []
    parts: list[Part] = []
    if assessment.wrong_claims:
        parts.append(ctx.part("judge.wrong_claims", "title"))
        parts.extend(
            ctx.part("judge.wrong_claim", "miss", claim=c.claim, correction=c.correction)
            for c in assessment.wrong_claims
        )
    if assessment.feedback:
        parts.append(ctx.part("judge.feedback", "note", feedback=assessment.feedback))
    return parts


async def first_answer_notice(ctx: Ctx) -> list[Part]:
    """Once per learner (and host), durably: answers are sent to another machine to be graded."""
    host = ctx.services.assessor.sends_answers_to if ctx.services.assessor else None
    if host is None:
        return []
    key = f"judge-notice:{ctx.learner.id}:{host}"
    if await ctx.tx.refs.get(key, ctx.now) is not None:
        return []
    await ctx.tx.refs.put(key, "shown", ctx.now + NOTICE_KEEP)
    return [ctx.part("judge.notice", "note", host=host)]


def help_notice(ctx: Ctx) -> list[Part]:
    host = ctx.services.assessor.sends_answers_to if ctx.services.assessor else None
    return [ctx.part("judge.help", "note", host=host)] if host else []
