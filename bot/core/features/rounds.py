"""Group rounds: one question for a whole group or channel, a leaderboard per group.

Every member may answer until the round closes (a later answer replaces an earlier one). The
group sees who answered and their score, never their text; each member gets their own
feedback privately. The round closes after `round_minutes`, or when its starter or an admin
reveals it; then the model answer and a summary are posted, and every member's final
answer counts for their own statistics and reviews.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.content.schema import Question
from bot.core.actions import AnswerForm, RoundPick, RoundReveal
from bot.core.clock import zone
from bot.core.context import Ctx
from bot.core.events import Part, Reply, ReplyKind
from bot.core.features.assessing import first_answer_notice
from bot.core.features.choice import mc_reply, option_number, option_texts, shuffled_options
from bot.core.features.progress import record
from bot.core.features.quiz import grade_answer, grade_parts, how_to_answer, pct, reference_parts
from bot.core.grading.grader import verdict_for
from bot.core.modes import Mode
from bot.core.picking import pick_question
from bot.core.ports.rounds import NewRound, Round, RoundAnswer


async def start(ctx: Ctx, topic_arg: str, mode: Mode = Mode.QUIZ) -> list[Reply]:
    current = await ctx.tx.rounds.current(ctx.chat.id)
    if current is not None:
        q = ctx.question(current.question_id)
        if q is not None and current.closes_at > ctx.now:
            return [ctx.say("round.already_open"), round_question(ctx, current, q)]
        return await close(ctx, current) + await start(ctx, topic_arg, mode)
    pool: tuple[Question, ...] = ctx.bank.questions
    if topic_arg:
        topic = ctx.bank.find_topic(topic_arg)
        if topic is None:
            return [ctx.say("quiz.unknown_topic", ReplyKind.ERROR, topic=topic_arg[:64])]
        pool = ctx.bank.by_topic.get(topic.id, ())
    candidates = [q for q in pool if (q.choice is not None if mode is Mode.MC else q.answered)]
    used = await ctx.tx.rounds.used_questions(ctx.chat.id)
    # The group's own history decides what is new to it.
    history_at = {qid: ctx.now - timedelta(days=365) for qid in used}
    picked = pick_question(candidates, {}, history_at, {}, ctx.now, ctx.services.rng)
    if picked is None:
        return [ctx.say("mc.none" if mode is Mode.MC else "quiz.none", topic="")]
    options = shuffled_options(ctx, picked) if mode is Mode.MC else ()
    closes = ctx.now + timedelta(minutes=ctx.services.round_minutes)
    rnd = await ctx.tx.rounds.open(NewRound(ctx.chat.id, picked.id, mode, closes, options, ctx.learner.id), ctx.now)
    return [round_question(ctx, rnd, picked)]


def round_question(ctx: Ctx, rnd: Round, q: Question) -> Reply:
    closes = _local_time(ctx, rnd.closes_at)
    if rnd.mode is Mode.MC:
        reply = mc_reply(ctx, q, rnd.options, tuple(RoundPick(rnd.id, i) for i in range(len(rnd.options))))
        return replace(reply, parts=(ctx.part("round.title", "title", closes=closes), *reply.parts))
    return ctx.reply(
        (
            ctx.part("round.title", "title", closes=closes),
            ctx.part("quiz.title", "title", topic=ctx.topic_name(q.topic), difficulty=q.difficulty),
            Part(q.prompt.get(ctx.lang)),
            how_to_answer(ctx, "quiz.prompt_group", "discord.prompt_group"),
        ),
        kind=ReplyKind.QUESTION,
        buttons=((ctx.button("btn.reveal", RoundReveal(rnd.id), "/reveal"),),),
        answer_form=AnswerForm(round=rnd.id),
    )


def _local_time(ctx: Ctx, moment: datetime) -> str:
    return moment.astimezone(zone(ctx.chat.tz or "UTC")).strftime("%H:%M")


async def open_round(ctx: Ctx, round_id: int | None = None) -> tuple[Round, Question] | Reply:
    rnd = await ctx.tx.rounds.current(ctx.chat.id)
    if rnd is None or (round_id is not None and rnd.id != round_id):
        return ctx.stale("round.none_open")
    q = ctx.question(rnd.question_id)
    if q is None or rnd.closes_at <= ctx.now:
        return ctx.stale("round.none_open")
    return rnd, q


async def answer(ctx: Ctx, text: str) -> list[Reply]:
    found = await open_round(ctx)
    if isinstance(found, Reply):
        return []  # a reply to an old question: nothing to grade, nothing to say to the group
    rnd, q = found
    if rnd.mode is Mode.MC:
        index = option_number(text, len(rnd.options))
        if index is None:
            return [ctx.say("mc.pick", n=len(rnd.options))]
        return await pick(ctx, rnd.id, index)
    target = ("round", rnd.id)
    if ctx.answered_something_else(target):
        return []  # written for the round that closed while the judge was thinking, as for any old round
    assessed = ctx.assessment(target, q.id, text)
    grade, score, verdict = grade_answer(ctx, q, text, 0, assessed)
    replaced = await ctx.tx.rounds.answer(rnd.id, _entry(ctx, score, text))
    public = ctx.say("round.replaced" if replaced else "round.answered", name=_name(ctx), score=pct(score))
    parts = grade_parts(ctx, q, grade, score, verdict, 0, assessed) + await first_answer_notice(ctx)
    private = ctx.reply(parts, kind=ReplyKind.RESULT, ephemeral=True)
    return [public, private]


async def pick(ctx: Ctx, round_id: int, index: int) -> list[Reply]:
    found = await open_round(ctx, round_id)
    if isinstance(found, Reply):
        return [replace(found, ephemeral=True)]
    rnd, q = found
    if rnd.mode is not Mode.MC or not 0 <= index < len(rnd.options):
        return [ctx.say("mc.pick", n=len(rnd.options))]
    score = 1.0 if rnd.options[index] == 0 else 0.0
    text = option_texts(q, rnd.options, ctx.lang)[index]
    replaced = await ctx.tx.rounds.answer(rnd.id, _entry(ctx, score, text))
    public = ctx.say("round.replaced_mc" if replaced else "round.answered_mc", name=_name(ctx))
    return [public]


def _name(ctx: Ctx) -> str:
    return (ctx.inc.user_name or ctx.learner.name or "?")[:64]


def _entry(ctx: Ctx, score: float, text: str) -> RoundAnswer:
    return RoundAnswer(ctx.learner.id, _name(ctx), score, verdict_for(score).value, text, ctx.now)


async def reveal(ctx: Ctx, round_id: int | None = None) -> list[Reply]:
    rnd = await ctx.tx.rounds.current(ctx.chat.id)
    if rnd is None or (round_id is not None and rnd.id != round_id):
        return [ctx.stale("round.none_open")]
    if not (ctx.inc.is_admin or rnd.started_by == ctx.learner.id):
        return [replace(ctx.say("round.reveal_refused", ReplyKind.ERROR), ephemeral=True)]
    return await close(ctx, rnd)


async def close(ctx: Ctx, rnd: Round) -> list[Reply]:
    """Close `rnd` (once, whoever gets there first), record every member's answer, post the summary."""
    if not await ctx.tx.rounds.close(rnd.id, ctx.now):
        return []
    q = ctx.question(rnd.question_id)
    entries = await ctx.tx.rounds.answers(rnd.id)
    if q is not None:
        for entry in entries:
            member = await ctx.tx.learners.get(entry.learner_id)
            if member is not None:
                await record(replace(ctx, learner=member), q, Mode.ROUND, entry.score, entry.verdict, entry.text)
    parts = [ctx.part("round.closed", "title", n=len(entries))]
    parts += [
        Part(ctx.t("round.score_row", rank=i, name=e.name, score=pct(e.score)), "item")
        for i, e in enumerate(entries[:10], 1)
    ]
    if q is not None:
        if rnd.mode is Mode.MC and q.choice is not None:
            parts.append(ctx.part("round.correct_choice", choice=q.choice.correct.get(ctx.lang)))
        parts.extend(reference_parts(ctx, q))
        parts.extend(Part(kp.text(ctx.lang), "item") for kp in q.key_points)
    return [ctx.reply(parts, kind=ReplyKind.RESULT)]


async def leaderboard(ctx: Ctx, arg: str) -> list[Reply]:
    if not ctx.in_group:
        return [ctx.say("round.leaderboard_groups_only")]
    period = arg.strip().lower() or "week"
    if period not in {"week", "all", "周", "全部"}:
        return [ctx.say("round.leaderboard_usage")]
    since = None
    if period in {"week", "周"}:
        tz = zone(ctx.chat.tz or "UTC")
        local = ctx.now.astimezone(tz)
        monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        since = monday
    rows = await ctx.tx.rounds.leaderboard(ctx.chat.id, since)
    key = "round.leaderboard_week" if since else "round.leaderboard_all"
    if not rows:
        return [ctx.say("round.leaderboard_empty")]
    parts = [ctx.part(key, "title")]
    parts += [
        Part(ctx.t("round.leader_row", rank=i, name=r.name, points=pct(r.points), rounds=r.rounds), "item")
        for i, r in enumerate(rows, 1)
    ]
    return [ctx.reply(parts)]
