"""Welcome, help and the topic list."""

from __future__ import annotations

from bot.core.commands import description, visible_commands
from bot.core.context import Ctx
from bot.core.events import Part, Reply
from bot.core.features.assessing import help_notice
from bot.core.features.quiz import how_to_answer
from bot.core.srs import MASTERED_STABILITY_DAYS


async def start(ctx: Ctx) -> list[Reply]:
    name = ctx.learner.name or ctx.inc.user_name or ctx.t("start.no_name")
    return [ctx.reply((ctx.part("start.welcome", name=name), ctx.part("start.try")))]


async def help_(ctx: Ctx) -> list[Reply]:
    parts = [ctx.part("help.title", "title")]
    parts += [Part(f"/{name} — {description(name, ctx.lang)}", "item") for name in visible_commands()]
    parts.append(ctx.part("help.rounds", "note"))
    parts.append(how_to_answer(ctx, "help.footer", "help.footer_form"))
    parts.append(ctx.part("help.mastery", "note", days=round(MASTERED_STABILITY_DAYS)))
    parts += help_notice(ctx)
    return [ctx.reply(parts)]


async def topics(ctx: Ctx) -> list[Reply]:
    accuracy = {a.topic: a for a in await ctx.tx.answers.topic_accuracy(ctx.learner.id)}
    parts = [ctx.part("topics.title", "title")]
    for topic in ctx.bank.topics:
        count = sum(1 for q in ctx.bank.by_topic.get(topic.id, ()) if q.answered)
        acc = accuracy.get(topic.id)
        shown = (
            ctx.t("topics.accuracy", accuracy=round(acc.mean_score * 100), attempts=acc.attempts)
            if acc
            else ctx.t("topics.untried")
        )
        parts.append(
            Part(ctx.t("topics.row", name=topic.name.get(ctx.lang), id=topic.id, count=count, accuracy=shown), "item")
        )
    return [ctx.reply(parts)]
