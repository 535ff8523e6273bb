"""Group rounds: one question for a whole group or channel, a leaderboard per group.

Fair by one rule: a member's first answer is the one that counts. While a round is open the
member's private feedback shows the score and verdict only; the key points and the model answer
come with the summary, for everybody at once. A second answer is refused privately (it could
only replay what the group has discussed since), so nothing read after answering can raise a
score. The group sees one live message with the standings (names and scores, never answer
texts), edited in place as answers come in. The round closes after `round_minutes`, or when
its starter or an admin reveals it; then the summary is posted and every member's answer counts
for their own statistics and reviews.
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
from bot.core.features.attempts import too_short
from bot.core.features.choice import mc_reply, option_number, option_texts, shuffled_options
from bot.core.features.progress import record
from bot.core.features.quiz import grade_answer, how_to_answer, pct, reference_parts
from bot.core.grading.grade import verdict_for
from bot.core.modes import Mode
from bot.core.names import display_name, storable_name
from bot.core.picking import pick_question
from bot.core.ports.rounds import NewRound, Round, RoundAnswer

STANDING_ROWS = 10  # the live message and the summary name the first ten; "… and N more" after


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
        return replace(
            reply, parts=(ctx.part("round.title", "title", closes=closes), *reply.parts), part_of=live_key(rnd)
        )
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
        part_of=live_key(rnd),
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
        # An answer to a closed round: the member learns why nothing happened, the group hears nothing.
        return [_private(ctx.say("round.late"))]
    rnd, q = found
    if rnd.mode is Mode.MC:
        index = option_number(text, len(rnd.options))
        if index is None:
            return [_private(ctx.say("mc.pick", n=len(rnd.options)))]
        return await pick(ctx, rnd.id, index)
    if too_short(text):
        return [_private(ctx.say("answer.too_short"))]
    target = ("round", rnd.id)
    if ctx.answered_something_else(target):
        return []  # written for the round that closed while the judge was thinking, as for any old round
    entries = await ctx.tx.rounds.answers(rnd.id)
    mine = next((e for e in entries if e.learner_id == ctx.learner.id), None)
    if mine is not None:
        return [_private(ctx.say("round.first_counts", score=pct(mine.score)))]
    grade, score, verdict = grade_answer(ctx, q, text, 0, ctx.assessment(target, q.id, text))
    entry = _entry(ctx, score, text)
    await ctx.tx.rounds.answer(rnd.id, entry)
    # Score and verdict only: key points, corrections and the model answer come with the summary.
    feedback = [
        ctx.part("grade.score", "title", score=pct(score), verdict=ctx.t(f"verdict.{verdict.value}")),
        ctx.part(grade.feedback),
        ctx.part("round.feedback_later", "note"),
        *await first_answer_notice(ctx),
    ]
    private = ctx.reply(feedback, kind=ReplyKind.RESULT, ephemeral=True)
    return [private, standings(ctx, rnd, _ranked([*entries, entry]))]


async def pick(ctx: Ctx, round_id: int, index: int) -> list[Reply]:
    found = await open_round(ctx, round_id)
    if isinstance(found, Reply):
        return [_private(replace(ctx.say("round.late"), stale=True))]
    rnd, q = found
    if rnd.mode is not Mode.MC or not 0 <= index < len(rnd.options):
        return [_private(ctx.say("mc.pick", n=len(rnd.options)))]
    score = 1.0 if rnd.options[index] == 0 else 0.0
    text = option_texts(q, rnd.options, ctx.lang)[index]
    # A pick reveals nothing until the summary, so changing it is fair: the last pick counts.
    # The member's name in the standings is the confirmation; the poll or button shows the pick.
    await ctx.tx.rounds.answer(rnd.id, _entry(ctx, score, text))
    return [standings(ctx, rnd, await ctx.tx.rounds.answers(rnd.id))]


def standings(ctx: Ctx, rnd: Round, entries: list[RoundAnswer]) -> Reply:
    """The round's live message: who answered and (free-text rounds) their scores, never what they wrote."""
    parts = [ctx.part("round.standings", "title", n=len(entries), closes=_local_time(ctx, rnd.closes_at))]
    for i, e in enumerate(entries[:STANDING_ROWS], 1):
        if rnd.mode is Mode.MC:  # a score would give the right option away
            parts.append(Part(ctx.t("round.picked_row", rank=i, name=shown_name(ctx, e.name)), "item"))
        else:
            parts.append(score_row(ctx, i, e))
    if len(entries) > STANDING_ROWS:
        parts.append(ctx.part("round.more", "note", n=len(entries) - STANDING_ROWS))
    return ctx.reply(parts, live=live_key(rnd))


def score_row(ctx: Ctx, rank: int, entry: RoundAnswer) -> Part:
    return Part(ctx.t("round.score_row", rank=rank, name=shown_name(ctx, entry.name), score=pct(entry.score)), "item")


def live_key(rnd: Round) -> str:
    return f"round:{rnd.id}"


def _ranked(entries: list[RoundAnswer]) -> list[RoundAnswer]:
    """Best score first, ties by who answered first (as the store ranks them)."""
    return sorted(entries, key=lambda e: (-e.score, e.answered_at))


def _private(reply: Reply) -> Reply:
    return replace(reply, ephemeral=True)


def shown_name(ctx: Ctx, name: str) -> str:
    return display_name(name, ctx.t("round.someone"))


def _name(ctx: Ctx) -> str:
    return storable_name(ctx.inc.user_name or ctx.learner.name or "")[:64]


def _entry(ctx: Ctx, score: float, text: str) -> RoundAnswer:
    return RoundAnswer(ctx.learner.id, _name(ctx), score, verdict_for(score).value, text, ctx.now)


async def reveal(ctx: Ctx, round_id: int | None = None) -> list[Reply]:
    rnd = await ctx.tx.rounds.current(ctx.chat.id)
    if rnd is None or (round_id is not None and rnd.id != round_id):
        return [ctx.stale("round.none_open")]
    if not (ctx.inc.is_admin or rnd.started_by == ctx.learner.id):
        return [ctx.refusal("round.reveal_refused")]
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
    parts += [score_row(ctx, i, e) for i, e in enumerate(entries[:STANDING_ROWS], 1)]
    if q is not None:
        if rnd.mode is Mode.MC and q.choice is not None:
            parts.append(ctx.part("round.correct_choice", choice=q.choice.correct.get(ctx.lang)))
        parts.extend(reference_parts(ctx, q))
        parts.extend(Part(kp.text(ctx.lang), "item") for kp in q.key_points)
    return [ctx.reply(parts, kind=ReplyKind.RESULT, ends_live=live_key(rnd))]


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
    for i, r in enumerate(rows, 1):
        row = ctx.t("round.leader_row", rank=i, name=shown_name(ctx, r.name), points=pct(r.points), rounds=r.rounds)
        parts.append(Part(row, "item"))
    return [ctx.reply(parts)]
