"""/interview [topic] [n]: a mock interview. n questions, no feedback until the end, then a report.

The questions come from across the bank (or one topic), one per topic while topics last, and in
mixed difficulty (1, 2, 3, 1, …). After a good answer (score >= 60) the next question is a deeper
follow-up when the bank has one: the same concept, at least as hard, as bot.core.related finds it;
a weak answer moves on to a new question instead. Each answer is graded and recorded like any
other (it counts for reviews), but the learner only hears "noted" until the last one; then the
report: per question the score and the points missed, the weakest areas, and what to review.

The interview's plan and results are a small JSON document kept with the learner's chat
(`tx.refs`, a day's lifetime); its current question is an ordinary open session (mode INTERVIEW).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from bot.content.schema import Question
from bot.core.actions import AnswerForm, Skip
from bot.core.context import Ctx
from bot.core.events import Part, Reply, ReplyKind
from bot.core.features.progress import record
from bot.core.features.quiz import grade_answer, pct
from bot.core.modes import Mode
from bot.core.ports.sessions import OpenQuestion
from bot.core.related import related_questions

DEFAULT_QUESTIONS = 5
MAX_QUESTIONS = 10
DEEPER_FROM = 0.6  # a score this good earns a deeper follow-up
LIFETIME = timedelta(days=1)
WEAKEST_SHOWN = 2


@dataclass
class Result:
    question_id: str
    score: float
    missed: list[int]
    follow_up: bool


@dataclass
class Interview:
    n: int
    plan: list[str]  # planned questions not asked yet, in order
    results: list[Result] = field(default_factory=list)
    current: str | None = None
    current_is_follow_up: bool = False

    def dump(self) -> str:
        return json.dumps(asdict(self))

    @staticmethod
    def load(raw: str) -> Interview:
        data = json.loads(raw)
        data["results"] = [Result(**r) for r in data["results"]]
        return Interview(**data)


def _key(ctx: Ctx) -> str:
    return f"interview:{ctx.chat.id}:{ctx.learner.id}"


async def _load(ctx: Ctx) -> Interview | None:
    raw = await ctx.tx.refs.get(_key(ctx), ctx.now)
    return Interview.load(raw) if raw else None


async def _save(ctx: Ctx, interview: Interview | None) -> None:
    # A finished interview is overwritten with an empty value that expires at once.
    if interview is None:
        await ctx.tx.refs.put(_key(ctx), "", ctx.now)
    else:
        await ctx.tx.refs.put(_key(ctx), interview.dump(), ctx.now + LIFETIME)


def parse_args(args: str) -> tuple[str, int | None]:
    """`[topic] [n]` in either order: the topic words, and the number when one is given."""
    words, n = [], None
    for word in args.split():
        if word.isdigit() and n is None:
            n = int(word)
        else:
            words.append(word)
    return " ".join(words), n


def plan_questions(ctx: Ctx, pool: list[Question], n: int) -> list[str]:
    """n questions: one per topic while topics last, difficulties cycling 1, 2, 3."""
    rng = ctx.services.rng
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for q in pool:
        by_topic[q.topic].append(q)
    topics = sorted(by_topic)
    rng.shuffle(topics)
    chosen: list[Question] = []
    used: set[str] = set()
    while len(chosen) < n and len(used) < len(pool):
        for topic in topics:
            if len(chosen) == n:
                break
            want = 1 + len(chosen) % 3
            left = [q for q in by_topic[topic] if q.id not in used]
            if not left:
                continue
            # The wanted difficulty when the topic has it, else the closest one.
            best = min(abs(q.difficulty - want) for q in left)
            q = rng.choice([q for q in left if abs(q.difficulty - want) == best])
            used.add(q.id)
            chosen.append(q)
    return [q.id for q in chosen]


async def interview(ctx: Ctx, args: str) -> list[Reply]:
    topic_arg, n = parse_args(args)
    if topic_arg.lower() in {"stop", "end", "结束"}:
        return await stop(ctx)
    if n is not None and not 1 <= n <= MAX_QUESTIONS:
        return [ctx.say("interview.bad_n", ReplyKind.ERROR, max=MAX_QUESTIONS)]
    pool = [q for q in ctx.bank.questions if q.answered]
    if topic_arg:
        topic = ctx.bank.find_topic(topic_arg)
        if topic is None:
            return [ctx.say("quiz.unknown_topic", ReplyKind.ERROR, topic=topic_arg[:64])]
        pool = [q for q in pool if q.topic == topic.id]
    count = min(n or DEFAULT_QUESTIONS, len(pool))
    if count == 0:
        return [ctx.say("quiz.none")]
    state = Interview(n=count, plan=plan_questions(ctx, pool, count))
    intro = ctx.say("interview.start", n=count)
    return [intro, *await _ask_next(ctx, state)]


async def _ask_next(ctx: Ctx, state: Interview, follow_up: Question | None = None) -> list[Reply]:
    q = follow_up or ctx.question(state.plan.pop(0))
    assert q is not None  # planned from this bank
    state.current, state.current_is_follow_up = q.id, follow_up is not None
    await _save(ctx, state)
    session = await ctx.open_session(q.id, Mode.INTERVIEW)
    number = len(state.results) + 1
    title = "interview.title_deeper" if follow_up else "interview.title"
    parts = (
        ctx.part(title, "title", i=number, n=state.n, topic=ctx.topic_name(q.topic), difficulty=q.difficulty),
        Part(q.prompt.get(ctx.lang)),
        ctx.part("interview.how", "note"),
    )
    buttons = ((ctx.button("btn.skip", Skip(session.id), "/skip"),),)
    return [ctx.reply(parts, kind=ReplyKind.QUESTION, buttons=buttons, answer_form=AnswerForm(session=session.id))]


def _deeper(ctx: Ctx, q: Question, state: Interview) -> Question | None:
    """A follow-up on the same concept, never easier, not asked in this interview."""
    seen = {r.question_id for r in state.results} | set(state.plan)
    return next((o for o in related_questions(ctx.bank, q) if o.id not in seen), None)


async def answer(ctx: Ctx, session: OpenQuestion, q: Question, text: str) -> list[Reply]:
    state = await _load(ctx)
    grade, score, verdict = grade_answer(ctx, q, text)
    await record(ctx, q, Mode.INTERVIEW, score, verdict.value, text)
    await ctx.tx.sessions.close(session.id)
    if state is None:  # the interview expired under an open question: graded like any answer
        return [ctx.say("interview.expired")]
    return await _next(ctx, state, q, score, list(grade.missed) + [w.index for w in grade.wrong if w.kind == "point"])


async def skip(ctx: Ctx, session: OpenQuestion, q: Question) -> list[Reply]:
    """A skipped interview question scores 0 and misses every point (it is not recorded for reviews)."""
    await ctx.tx.sessions.close(session.id)
    state = await _load(ctx)
    if state is None:
        return [ctx.say("interview.expired")]
    return await _next(ctx, state, q, 0.0, list(range(len(q.key_points))))


async def _next(ctx: Ctx, state: Interview, q: Question, score: float, missed: list[int]) -> list[Reply]:
    state.results.append(Result(q.id, score, sorted(set(missed)), state.current_is_follow_up))
    if len(state.results) >= state.n:
        await _save(ctx, None)
        return [report(ctx, state)]
    deeper = _deeper(ctx, q, state) if score >= DEEPER_FROM else None
    if deeper is not None and state.plan:
        state.plan.pop()  # the follow-up takes the place of the last planned question
    if not state.plan and deeper is None:
        await _save(ctx, None)
        return [report(ctx, state)]
    return [ctx.say("interview.noted"), *await _ask_next(ctx, state, deeper)]


async def stop(ctx: Ctx) -> list[Reply]:
    state = await _load(ctx)
    if state is None:
        return [ctx.say("interview.none")]
    session = await ctx.tx.sessions.get(ctx.chat.id, ctx.learner.id)
    if session is not None and session.mode is Mode.INTERVIEW:
        await ctx.tx.sessions.close(session.id)
    await _save(ctx, None)
    if not state.results:
        return [ctx.say("interview.stopped")]
    return [report(ctx, state)]


def report(ctx: Ctx, state: Interview) -> Reply:
    """Per question: score and missed points; then the weakest areas and what to review."""
    parts: list[Part] = [ctx.part("interview.report", "title", n=len(state.results))]
    by_topic: dict[str, list[float]] = defaultdict(list)
    for i, result in enumerate(state.results, 1):
        q = ctx.question(result.question_id)
        if q is None:
            continue
        by_topic[q.topic].append(result.score)
        key = "interview.row_deeper" if result.follow_up else "interview.row"
        parts.append(ctx.part(key, "title", i=i, topic=ctx.topic_name(q.topic), score=pct(result.score)))
        parts.append(Part(q.prompt.get(ctx.lang), "note"))
        parts.extend(Part(q.key_points[k].text(ctx.lang), "miss") for k in result.missed if k < len(q.key_points))
    mean = sum(r.score for r in state.results) / len(state.results)
    parts.append(ctx.part("interview.overall", "title", score=pct(mean)))
    weakest = sorted(by_topic.items(), key=lambda kv: (sum(kv[1]) / len(kv[1]), kv[0]))[:WEAKEST_SHOWN]
    weak = [(t, sum(s) / len(s)) for t, s in weakest if sum(s) / len(s) < DEEPER_FROM]
    if weak:
        names = ctx.t("list.separator").join(f"{ctx.topic_name(t)} ({pct(s)})" for t, s in weak)
        parts.append(ctx.part("interview.weakest", "item", topics=names))
        parts.append(ctx.part("interview.review", "item", commands=" · ".join(f"/quiz {t}" for t, _ in weak)))
    else:
        parts.append(ctx.part("interview.strong", "item"))
    return ctx.reply(parts, kind=ReplyKind.RESULT)
