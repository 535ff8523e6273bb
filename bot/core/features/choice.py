"""Multiple choice: one true statement and three distractors, shuffled, graded at once."""

from __future__ import annotations

from dataclasses import replace

from bot.content.schema import Question
from bot.core.actions import Action, Ask, Pick
from bot.core.context import Ctx
from bot.core.events import Button, Part, Poll, Reply, ReplyKind
from bot.core.features.progress import leech_part, record, settle_pending_rating
from bot.core.features.quiz import choose, open_quiz
from bot.core.grading import Verdict
from bot.core.modes import Mode
from bot.core.ports.sessions import OpenQuestion

# Telegram's quiz-poll explanation holds at most 200 characters.
EXPLANATION_MAX = 200


def option_texts(q: Question, order: tuple[int, ...], lang: str) -> list[str]:
    assert q.choice is not None
    texts = [q.choice.correct.get(lang), *(d.get(lang) for d in q.choice.distractors)]
    return [texts[i] for i in order]


def explanation(q: Question, lang: str) -> str:
    # The first key point is the idea the true statement rests on.
    text = q.key_points[0].text(lang) if q.key_points else q.choice.correct.get(lang)  # type: ignore[union-attr]
    return text if len(text) <= EXPLANATION_MAX else text[: EXPLANATION_MAX - 1] + "…"


def shuffled_options(ctx: Ctx, q: Question) -> tuple[int, ...]:
    assert q.choice is not None
    order = list(range(1 + len(q.choice.distractors)))
    ctx.services.rng.shuffle(order)
    return tuple(order)


async def ask(ctx: Ctx, topic_arg: str = "") -> list[Reply]:
    await settle_pending_rating(ctx)
    chosen = await choose(ctx, topic_arg, need_choice=True)
    if isinstance(chosen, Reply):
        return [chosen]
    picked = chosen[0]
    order = shuffled_options(ctx, picked)
    session = await ctx.open_session(picked.id, Mode.MC, order)
    return [mc_reply(ctx, picked, session.options, tuple(Pick(session.id, i) for i in range(len(order))))]


def mc_reply(ctx: Ctx, picked: Question, options: tuple[int, ...], picks: tuple[Action, ...]) -> Reply:
    """The multiple-choice question; picking option i is the action picks[i]."""
    texts = option_texts(picked, options, ctx.lang)
    parts = [
        ctx.part("mc.title", "title", topic=ctx.topic_name(picked.topic)),
        Part(picked.prompt.get(ctx.lang)),
        replace(ctx.part("mc.prompt"), in_poll=True),
        *(Part(f"{i + 1}. {text}", "item", in_poll=True) for i, text in enumerate(texts)),
        replace(ctx.part("mc.pick", "note", n=len(texts)), in_poll=True),
    ]
    return ctx.reply(
        parts,
        kind=ReplyKind.QUESTION,
        buttons=tuple((Button(str(i + 1), picks[i], str(i + 1)),) for i in range(len(texts))),
        poll=Poll(
            question=picked.prompt.get(ctx.lang),
            options=tuple(texts),
            correct=options.index(0),
            explanation=explanation(picked, ctx.lang),
            answers=picks,
        ),
    )


async def pick(ctx: Ctx, session_id: int, index: int) -> list[Reply]:
    found = await open_quiz(ctx, session_id)
    if isinstance(found, Reply):
        return [found]
    session, q = found
    return await _grade_pick(ctx, session, q, index)


def option_number(text: str, n: int) -> int | None:
    """The 0-based option a typed answer picks ("2", "2.", "2)"), or None. ASCII digits only:
    "²" passes str.isdigit() but not int()."""
    choice = text.strip().rstrip(".)").strip()
    if not (choice.isascii() and choice.isdigit() and len(choice) <= 3):
        return None
    index = int(choice) - 1
    return index if 0 <= index < n else None


async def pick_by_text(ctx: Ctx, session: OpenQuestion, q: Question, text: str) -> list[Reply]:
    n = len(session.options)
    index = option_number(text, n)
    if index is None:
        return [ctx.say("mc.pick", n=n)]
    return await _grade_pick(ctx, session, q, index)


async def _grade_pick(ctx: Ctx, session: OpenQuestion, q: Question, index: int) -> list[Reply]:
    if session.mode is not Mode.MC or not 0 <= index < len(session.options) or q.choice is None:
        return [ctx.stale()]
    right = session.options[index] == 0
    score = 1.0 if right else 0.0
    verdict = Verdict.CORRECT if right else Verdict.INCORRECT
    texts = option_texts(q, session.options, ctx.lang)
    recorded = await record(ctx, q, Mode.MC, score, verdict.value, texts[index])
    await ctx.tx.sessions.close(session.id)
    key = "mc.right" if right else "mc.wrong"
    parts = [ctx.part(key, "title", choice=q.choice.correct.get(ctx.lang)), *leech_part(ctx, recorded)]
    if q.answer is not None:
        parts += [ctx.part("grade.reference", "title"), Part(q.answer.get(ctx.lang), "spoiler")]
    return [ctx.reply(parts, kind=ReplyKind.RESULT, buttons=((ctx.button("btn.next", Ask(Mode.MC), "/mc"),),))]
