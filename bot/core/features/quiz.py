"""Free-text questions: ask, answer (graded), hint, reveal, skip."""

from __future__ import annotations

from bot.content.schema import Question
from bot.core.context import Ctx
from bot.core.events import Part, Reply, ReplyKind
from bot.core.grading import Grade, Verdict, rubric_for
from bot.core.grading.grader import MAX_GRADED_CHARS, Flag, verdict_for
from bot.core.picking import pick_question
from bot.core.ports import OpenQuestion

# Each hint lowers the best score reachable on that question by this much.
HINT_PENALTY = 0.2
MIN_CAP = 0.2


def hint_cap(hints: int) -> float:
    return max(MIN_CAP, 1.0 - HINT_PENALTY * hints)


def pct(score: float) -> int:
    return round(score * 100)


async def choose(ctx: Ctx, topic_arg: str, *, need_choice: bool = False) -> Question | Reply:
    """The next question for this learner (in `topic_arg`, if given), or a reply saying why not."""
    none_key, topic_name = ("mc.none" if need_choice else "quiz.none"), ""
    pool: tuple[Question, ...] = ctx.bank.questions
    if topic_arg:
        topic = ctx.bank.find_topic(topic_arg)
        if topic is None:
            return ctx.say("quiz.unknown_topic", ReplyKind.ERROR, topic=topic_arg[:64])
        pool = ctx.bank.by_topic.get(topic.id, ())
        none_key = "mc.none_in_topic" if need_choice else "quiz.none_in_topic"
        topic_name = topic.name.get(ctx.lang)
    candidates = [q for q in pool if (q.choice is not None if need_choice else q.answered)]
    history = {h.question_id: h for h in await ctx.tx.answers.history(ctx.learner.id)}
    accuracy = {a.topic: a.mean_score for a in await ctx.tx.answers.topic_accuracy(ctx.learner.id)}
    asked_at = await ctx.tx.sessions.asked_at(ctx.learner.id)
    current = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
    picked = pick_question(
        candidates, history, asked_at, accuracy, ctx.now, ctx.services.rng,
        exclude=current.question_id if current else None,
    )
    if picked is None:
        return ctx.say(none_key, topic=topic_name)
    return picked


async def ask(ctx: Ctx, topic_arg: str = "") -> list[Reply]:
    picked = await choose(ctx, topic_arg)
    if isinstance(picked, Reply):
        return [picked]
    session = await ctx.tx.sessions.open(ctx.chat.id, ctx.learner.id, picked.id, "quiz", (), ctx.now)
    return [question_reply(ctx, picked, session)]


def question_reply(ctx: Ctx, q: Question, session: OpenQuestion) -> Reply:
    sid = session.id
    instruction = "quiz.prompt_group" if ctx.in_group else "quiz.prompt_private"
    return Reply(
        parts=(
            ctx.part("quiz.title", "title", topic=ctx.topic_name(q.topic), difficulty=q.difficulty),
            Part(q.prompt.get(ctx.lang)),
            ctx.part(instruction, "note"),
        ),
        kind=ReplyKind.QUESTION,
        buttons=((
            ctx.button("btn.hint", f"hint:{sid}", "/hint"),
            ctx.button("btn.reveal", f"reveal:{sid}", "/reveal"),
            ctx.button("btn.skip", f"skip:{sid}", "/skip"),
        ),),
        ref=f"session:{sid}",
    )


async def open_quiz(ctx: Ctx, session_id: int | None = None) -> tuple[OpenQuestion, Question] | Reply:
    """The learner's open free-text question, or the reply to give when there is none."""
    session = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
    if session is None or (session_id is not None and session.id != session_id):
        key = "mc.stale" if session_id is not None else "quiz.no_open"
        return ctx.say(key)
    q = ctx.question(session.question_id)
    if q is None:  # the question left the bank since it was asked
        await ctx.tx.sessions.close(session.id)
        return ctx.say("quiz.no_open")
    return session, q


async def answer(ctx: Ctx, session: OpenQuestion, q: Question, text: str) -> list[Reply]:
    grade = ctx.services.grader.grade(rubric_for(q), text, ctx.lang)
    cap = hint_cap(session.hints)
    score = min(grade.score, cap)
    verdict = verdict_for(score)
    await ctx.tx.answers.add(
        ctx.learner.id, ctx.chat.id, q.id, q.topic, session.mode, score, verdict.value, session.hints, text, ctx.now
    )
    await ctx.tx.sessions.close(session.id)
    return [grade_reply(ctx, q, grade, score, verdict, session.hints)]


def grade_reply(ctx: Ctx, q: Question, grade: Grade, score: float, verdict: Verdict, hints: int) -> Reply:
    parts: list[Part] = [
        ctx.part("grade.score", "title", score=pct(score), verdict=ctx.t(f"verdict.{verdict.value}")),
        ctx.part(grade.feedback),
    ]
    if Flag.TRUNCATED in grade.flags:
        parts.append(ctx.part("feedback.truncated", "note", chars=MAX_GRADED_CHARS))
    if hints and score < grade.score:
        parts.append(ctx.part("grade.capped", "note", cap=pct(hint_cap(hints)), hints=hints))
    parts.extend(key_point_parts(ctx, q, grade))
    parts.append(ctx.part("grade.reference", "title"))
    if q.answer is not None:
        parts.append(Part(q.answer.get(ctx.lang), "spoiler"))
    return Reply(
        parts=tuple(parts),
        kind=ReplyKind.RESULT,
        buttons=((ctx.button("btn.next", "quiz:", "/quiz"),),),
    )


def key_point_parts(ctx: Ctx, q: Question, grade: Grade) -> list[Part]:
    parts: list[Part] = []
    if grade.covered:
        parts.append(ctx.part("grade.covered", "title"))
        parts.extend(Part(q.key_points[i].text(ctx.lang), "ok") for i in grade.covered)
    if grade.missed:
        parts.append(ctx.part("grade.missed", "title"))
        parts.extend(Part(q.key_points[i].text(ctx.lang), "miss") for i in grade.missed)
    return parts


async def hint(ctx: Ctx, session_id: int | None = None) -> list[Reply]:
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, q = found
    if session.mode == "mc":
        return [ctx.say("hint.not_quiz")]
    if session.hints >= len(q.key_points):
        return [ctx.say("hint.none_left")]
    hints = await ctx.tx.sessions.add_hint(session.id)
    point = q.key_points[hints - 1].text(ctx.lang)
    return [Reply((
        ctx.part("hint.text", n=hints, point=point),
        ctx.part("hint.cap", "note", cap=pct(hint_cap(hints))),
    ))]


async def reveal(ctx: Ctx, session_id: int | None = None) -> list[Reply]:
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, q = found
    await ctx.tx.answers.add(
        ctx.learner.id, ctx.chat.id, q.id, q.topic, session.mode, 0.0, Verdict.INCORRECT.value, session.hints,
        "", ctx.now,
    )
    await ctx.tx.sessions.close(session.id)
    parts = [ctx.part("reveal.title", "title")]
    if q.answer is not None:
        parts.append(Part(q.answer.get(ctx.lang), "spoiler"))
    parts.extend(Part(kp.text(ctx.lang), "item") for kp in q.key_points)
    return [Reply(tuple(parts), kind=ReplyKind.RESULT, buttons=((ctx.button("btn.next", "quiz:", "/quiz"),),))]


async def skip(ctx: Ctx, session_id: int | None = None) -> list[Reply]:
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, _ = found
    await ctx.tx.sessions.close(session.id)
    next_replies = await ask(ctx)
    return [ctx.say("skip.done"), *next_replies]
