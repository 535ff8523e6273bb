"""An answer form names the question or round it was opened for; a stale one is refused, not graded.

Discord's Answer form (a modal) may be submitted long after it was opened: meanwhile the learner
may have asked for another question, or the round may have closed and a new one started.
Grading it against whatever is open now would score an answer to one question against
another. Instead the learner is told, privately, that the question has closed, sees their
answer text back (it is never lost silently) and, when something else is open, gets it again.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import AnswerForm
from bot.core.context import Ctx
from bot.core.events import Reply, ReplyKind
from bot.core.features import quiz, rounds

ECHO_CHARS = 1500


async def refuse_if_stale(ctx: Ctx, form: AnswerForm, text: str) -> list[Reply] | None:
    """None when the form's question or round is the one open now; otherwise the refusal."""
    current: Reply | None = None
    if form.round is not None:
        rnd = await ctx.tx.rounds.current(ctx.chat.id)
        is_open = rnd is not None and rnd.closes_at > ctx.now
        if is_open and rnd is not None and rnd.id == form.round:
            return None
        q = ctx.question(rnd.question_id) if is_open and rnd is not None else None
        if rnd is not None and q is not None:
            current = rounds.round_question(ctx, rnd, q)
    elif form.session is not None:
        session = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
        if session is not None and session.id == form.session:
            return None
        q = ctx.question(session.question_id) if session is not None else None
        if session is not None and q is not None:
            current = quiz.question_reply(ctx, q, session)
    else:
        return None
    key = "form.stale" if current is not None else "form.stale_none"
    refusal = replace(ctx.say(key, ReplyKind.ERROR, answer=text[:ECHO_CHARS]), ephemeral=True, stale=True)
    return [refusal] + ([replace(current, ephemeral=True)] if current is not None else [])
