"""Free-text questions: ask, answer (graded), hint, reveal, skip.

/quiz prefers the learner's due reviews; otherwise unseen questions, then weak topics.
"""

from __future__ import annotations

from bot.content.schema import Question
from bot.core.actions import RATING_NAMES, AnswerForm, Ask, FollowUp, Hint, Rate, Reveal, Skip
from bot.core.context import Ctx
from bot.core.events import Button, Part, Reply, ReplyKind
from bot.core.features.assessing import first_answer_notice, judge_parts
from bot.core.features.progress import leech_part, new_answer, record, settle_pending_rating
from bot.core.grading import Grade, Verdict, rubric_for
from bot.core.grading.grade import MAX_GRADED_CHARS, Flag, verdict_for
from bot.core.modes import HINT_MODES, RATE_MODES, Mode
from bot.core.picking import pick_question
from bot.core.ports.assessing import Assessment
from bot.core.ports.sessions import OpenQuestion
from bot.core.related import related_question

# Each hint lowers the best score reachable on that question by this much.
HINT_PENALTY = 0.2
MIN_CAP = 0.2
# Below this an answer is weak: the reply offers a follow-up question on the same concept.
FOLLOW_UP_BELOW = 0.6
# Below this a first attempt gets one more try before the model answer is shown.
RETRY_BELOW = FOLLOW_UP_BELOW


def hint_cap(hints: int) -> float:
    return max(MIN_CAP, 1.0 - HINT_PENALTY * hints)


def pct(score: float) -> int:
    return round(score * 100)


async def choose(
    ctx: Ctx, topic_arg: str, *, need_choice: bool = False, prefer_due: bool = True
) -> tuple[Question, Mode] | Reply:
    """The next question and its mode (REVIEW when a card is due), or a reply saying why not."""
    none_key, topic_name = ("mc.none" if need_choice else "quiz.none"), ""
    pool: tuple[Question, ...] = ctx.bank.questions
    topic_id = None
    if topic_arg:
        topic = ctx.bank.find_topic(topic_arg)
        if topic is None:
            return ctx.say("quiz.unknown_topic", ReplyKind.ERROR, topic=topic_arg[:64])
        topic_id = topic.id
        pool = ctx.bank.by_topic.get(topic.id, ())
        none_key = "mc.none_in_topic" if need_choice else "quiz.none_in_topic"
        topic_name = topic.name.get(ctx.lang)
    if prefer_due and not need_choice:
        for card in await ctx.tx.cards.due(ctx.learner.id, ctx.now):
            q = ctx.question(card.question_id)
            if q is not None and q.answered and (topic_id is None or q.topic == topic_id):
                return q, Mode.REVIEW
    candidates = [q for q in pool if (q.choice is not None if need_choice else q.answered)]
    history = {h.question_id: h for h in await ctx.tx.answers.history(ctx.learner.id)}
    accuracy = {a.topic: a.mean_score for a in await ctx.tx.answers.topic_accuracy(ctx.learner.id)}
    asked_at = await ctx.tx.sessions.asked_at(ctx.learner.id)
    current = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
    picked = pick_question(
        candidates,
        history,
        asked_at,
        accuracy,
        ctx.now,
        ctx.services.rng,
        exclude=current.question_id if current else None,
    )
    if picked is None:
        return ctx.say(none_key, topic=topic_name)
    return picked, Mode.QUIZ


async def ask(ctx: Ctx, topic_arg: str = "") -> list[Reply]:
    await settle_pending_rating(ctx)
    chosen = await choose(ctx, topic_arg)
    if isinstance(chosen, Reply):
        return [chosen]
    return await ask_question(ctx, *chosen)


async def ask_question(ctx: Ctx, q: Question, mode: Mode) -> list[Reply]:
    return [question_reply(ctx, q, await ctx.open_session(q.id, mode))]


def question_reply(ctx: Ctx, q: Question, session: OpenQuestion) -> Reply:
    sid = session.id
    title = "review.title" if session.mode is Mode.REVIEW else "quiz.title"
    return ctx.reply(
        (
            ctx.part(title, "title", topic=ctx.topic_name(q.topic), difficulty=q.difficulty),
            Part(q.prompt.get(ctx.lang)),
            how_to_answer(ctx, "quiz.prompt_private", "discord.prompt_private"),
        ),
        kind=ReplyKind.QUESTION,
        buttons=(
            (
                ctx.button("btn.hint", Hint(sid), "/hint"),
                ctx.button("btn.reveal", Reveal(sid), "/reveal"),
                ctx.button("btn.skip", Skip(sid), "/skip"),
            ),
        ),
        answer_form=AnswerForm(session=sid),
    )


def how_to_answer(ctx: Ctx, typed_key: str, form_key: str) -> Part:
    """How to answer: by writing a message, or (`form_text`) where answers go through a button and a form."""
    return Part(ctx.t(typed_key), "note", typed_key, form_text=ctx.t(form_key))


async def open_quiz(ctx: Ctx, session_id: int | None = None) -> tuple[OpenQuestion, Question] | Reply:
    """The learner's open question, or the reply to give when there is none."""
    session = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
    if session is None or (session_id is not None and session.id != session_id):
        return ctx.stale() if session_id is not None else ctx.say("quiz.no_open")
    q = ctx.question(session.question_id)
    if q is None:  # the question left the bank since it was asked
        await ctx.tx.sessions.close(session.id)
        return ctx.say("quiz.no_open")
    return session, q


def grade_answer(
    ctx: Ctx, q: Question, text: str, hints: int = 0, assessed: Assessment | None = None
) -> tuple[Grade, float, Verdict]:
    """The offline grade, or the assessor's (`assessed`, made before the transaction) when there is one."""
    grade = assessed.grade if assessed is not None else ctx.services.grader.grade(rubric_for(q), text, ctx.lang)
    score = min(grade.score, hint_cap(hints))
    return grade, score, verdict_for(score)


async def answer(ctx: Ctx, session: OpenQuestion, q: Question, text: str) -> list[Reply]:
    target = ("session", session.id)
    if ctx.answered_something_else(target):  # the question changed while the judge was thinking
        return [ctx.stale("quiz.answer_stale")]
    assessed = ctx.assessment(target, q.id, text)
    grade, score, verdict = grade_answer(ctx, q, text, session.hints, assessed)
    recorded = await record(ctx, q, session.mode, score, verdict.value, text, session.hints)
    if grade.score >= RETRY_BELOW:  # after a weak answer the retry's session replaces this one (offer_retry)
        await ctx.tx.sessions.close(session.id)
    extra = leech_part(ctx, recorded) + await first_answer_notice(ctx)
    due = len(await ctx.tx.cards.due(ctx.learner.id, ctx.now))
    if due:
        extra.append(ctx.part("review.more_due", "note", n=due))
    if grade.score < RETRY_BELOW:  # the answer itself was weak (a hint cap alone is no reason to retry)
        return [await offer_retry(ctx, q, grade, score, verdict, session.hints, extra)]
    reply = grade_reply(ctx, q, grade, score, verdict, session.hints, assessed)
    return [ctx.reply(reply.parts + tuple(extra), kind=reply.kind, buttons=(next_buttons(ctx, q, score),))]


def next_buttons(ctx: Ctx, q: Question, score: float) -> tuple[Button, ...]:
    """Next question, and after a weak answer a follow-up on the same concept."""
    buttons: list[Button] = [ctx.button("btn.next", Ask(Mode.QUIZ), "/quiz")]
    if score < FOLLOW_UP_BELOW and related_question(ctx.bank, q) is not None:
        buttons.insert(0, ctx.button("btn.follow_up", FollowUp(q.id), "/followup"))
    return tuple(buttons)


async def offer_retry(
    ctx: Ctx, q: Question, grade: Grade, score: float, verdict: Verdict, hints: int, extra: list[Part]
) -> Reply:
    """A weak first attempt: its score and what it covered, then one more try before the model answer.

    The missed points and the model answer stay hidden (they would be the retry's answer); the
    first attempt is what the schedule counted already."""
    retry = await ctx.open_session(q.id, Mode.RETRY)
    parts: list[Part] = [
        ctx.part("grade.score", "title", score=pct(score), verdict=ctx.t(f"verdict.{verdict.value}")),
        ctx.part(grade.feedback),
    ]
    if grade.covered:
        parts.append(ctx.part("grade.covered", "title"))
        parts.extend(Part(q.key_points[i].text(ctx.lang), "ok") for i in grade.covered)
    parts.extend(wrong_parts(ctx, q, grade))  # corrections of what was said, not the missing points
    parts.append(ctx.part("retry.offer", "note", missed=len(q.key_points) - len(grade.covered)))
    del hints  # the cap already applied to the score shown
    buttons = (ctx.button("btn.reveal", Reveal(retry.id), "/reveal"), ctx.button("btn.skip", Skip(retry.id), "/skip"))
    return ctx.reply(
        tuple(parts) + tuple(extra), kind=ReplyKind.RESULT, buttons=(buttons,), answer_form=AnswerForm(session=retry.id)
    )


async def answer_retry(ctx: Ctx, session: OpenQuestion, q: Question, text: str) -> list[Reply]:
    """The second try: graded and explained in full, with the model answer; not scheduled again."""
    grade, score, verdict = grade_answer(ctx, q, text)
    await ctx.tx.sessions.close(session.id)
    reply = grade_reply(ctx, q, grade, score, verdict, 0)
    parts = (*reply.parts, ctx.part("retry.first_counts", "note"))
    return [ctx.reply(parts, kind=reply.kind, buttons=(next_buttons(ctx, q, score),))]


def grade_parts(
    ctx: Ctx, q: Question, grade: Grade, score: float, verdict: Verdict, hints: int, assessed: Assessment | None = None
) -> list[Part]:
    """Score, verdict and comment: what a learner sees about their own answer (and the judge's words)."""
    parts: list[Part] = [
        ctx.part("grade.score", "title", score=pct(score), verdict=ctx.t(f"verdict.{verdict.value}")),
        ctx.part(grade.feedback),
    ]
    if Flag.TRUNCATED in grade.flags:
        parts.append(ctx.part("feedback.truncated", "note", chars=MAX_GRADED_CHARS))
    if hints and score < grade.score:
        parts.append(ctx.part("grade.capped", "note", cap=pct(hint_cap(hints)), hints=hints))
    parts.extend(key_point_parts(ctx, q, grade))
    parts.extend(judge_parts(ctx, assessed))
    return parts


def grade_reply(
    ctx: Ctx, q: Question, grade: Grade, score: float, verdict: Verdict, hints: int, assessed: Assessment | None = None
) -> Reply:
    parts = grade_parts(ctx, q, grade, score, verdict, hints, assessed)
    parts.extend(reference_parts(ctx, q))
    return ctx.reply(parts, kind=ReplyKind.RESULT)


def reference_parts(ctx: Ctx, q: Question) -> list[Part]:
    parts = [ctx.part("grade.reference", "title")]
    if q.answer is not None:
        parts.append(Part(q.answer.get(ctx.lang), "spoiler"))
    return parts


def key_point_parts(ctx: Ctx, q: Question, grade: Grade) -> list[Part]:
    parts: list[Part] = []
    if grade.covered:
        parts.append(ctx.part("grade.covered", "title"))
        parts.extend(Part(q.key_points[i].text(ctx.lang), "ok") for i in grade.covered)
    if grade.named:
        parts.append(ctx.part("grade.named", "title"))
        parts.extend(Part(q.key_points[i].text(ctx.lang), "item") for i in grade.named)
    parts.extend(wrong_parts(ctx, q, grade))
    if grade.missed:
        parts.append(ctx.part("grade.missed", "title"))
        parts.extend(Part(q.key_points[i].text(ctx.lang), "miss") for i in grade.missed)
    return parts


def wrong_parts(ctx: Ctx, q: Question, grade: Grade) -> list[Part]:
    """What the answer said that is wrong, each with the fact or the correction."""
    if not grade.wrong:
        return []
    parts = [ctx.part("grade.wrong", "title")]
    for w in grade.wrong:
        if w.kind == "point":
            fact = q.key_points[w.index].text(ctx.lang)
        else:
            fact = q.misconceptions[w.index].correction.get(ctx.lang)
        parts.append(ctx.part("grade.said_wrong", "miss", said=_quote(w.said), fact=fact))
    return parts


def _quote(said: str, limit: int = 120) -> str:
    return said if len(said) <= limit else said[: limit - 1].rstrip() + "…"


async def hint(ctx: Ctx, session_id: int | None = None) -> list[Reply]:
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, q = found
    if session.mode not in HINT_MODES:
        return [ctx.say("hint.not_quiz")]
    if session.hints >= len(q.key_points):
        return [ctx.say("hint.none_left")]
    hints = await ctx.tx.sessions.add_hint(session.id)
    point = q.key_points[hints - 1].text(ctx.lang)
    return [
        ctx.reply(
            (
                ctx.part("hint.text", n=hints, point=point),
                ctx.part("hint.cap", "note", cap=pct(hint_cap(hints))),
            )
        )
    ]


async def reveal(ctx: Ctx, session_id: int | None = None) -> list[Reply]:
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, q = found
    if session.mode in RATE_MODES:
        return [ctx.say("review.rate_how")]
    if session.mode is Mode.INTERVIEW:
        return [ctx.say("interview.no_feedback")]
    if session.mode is Mode.RETRY:  # the first attempt was counted already: no rating, no miss
        await ctx.tx.sessions.close(session.id)
        parts = [*reference_parts(ctx, q), ctx.part("grade.points", "title")]
        parts.extend(Part(kp.text(ctx.lang), "item") for kp in q.key_points)
        return [ctx.reply(parts, kind=ReplyKind.RESULT, buttons=(next_buttons(ctx, q, 0.0),))]
    if session.mode is Mode.CARD:  # a flashcard: seeing the answer is the point, not a miss
        title, mode = "review.card_back", Mode.RATE_CARD
    else:
        mode = Mode.RATE
        title = "reveal.title"
        await ctx.tx.answers.add(new_answer(ctx, q, session.mode, 0.0, Verdict.INCORRECT.value, "", session.hints))
    # The card waits for the learner's own rating (Again if they move on without one).
    rate = await ctx.open_session(q.id, mode)
    parts = [ctx.part(title, "title")]
    if q.answer is not None:
        parts.append(Part(q.answer.get(ctx.lang), "spoiler"))
    parts.extend(Part(kp.text(ctx.lang), "item") for kp in q.key_points)
    parts.append(ctx.part("review.rate_prompt", "note"))
    return [ctx.reply(parts, kind=ReplyKind.RESULT, buttons=(rating_buttons(ctx, rate.id),))]


def rating_buttons(ctx: Ctx, session_id: int) -> tuple[Button, ...]:
    return tuple(ctx.button(f"btn.rate_{name}", Rate(session_id, name), name) for name in RATING_NAMES)


async def skip(ctx: Ctx, session_id: int | None = None) -> list[Reply]:
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, _ = found
    await settle_pending_rating(ctx)
    await ctx.tx.sessions.close(session.id)
    next_replies = await ask(ctx)
    return [ctx.say("skip.done"), *next_replies]
