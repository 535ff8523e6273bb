"""/stats: answers, accuracy, streaks, readiness per topic, and a chart."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from bot.core.clock import local_date
from bot.core.context import Ctx
from bot.core.documents import DayPoint, StatsChart
from bot.core.events import Attachment, Part, Reply
from bot.core.ports.answers import DayStat
from bot.core.srs import retrievability
from bot.core.streaks import streaks

CHART_DAYS = 30


async def stats(ctx: Ctx) -> list[Reply]:
    learner = ctx.learner
    today = local_date(ctx.now, learner.tz)
    daily = await ctx.tx.answers.daily(learner.id, today - timedelta(days=CHART_DAYS - 1))
    accuracy = await ctx.tx.answers.topic_accuracy(learner.id)
    total = sum(a.attempts for a in accuracy)
    if total == 0:
        return [ctx.say("stats.empty")]
    mean = sum(a.mean_score * a.attempts for a in accuracy) / total
    streak = streaks(await ctx.tx.answers.active_days(learner.id), today)
    cards = await ctx.tx.cards.all(learner.id)
    per_topic: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        q = ctx.question(card.question_id)
        if q is not None:
            per_topic[q.topic].append(retrievability(card, ctx.now))
    readiness = sorted(((t, sum(v) / len(v)) for t, v in per_topic.items()), key=lambda tv: tv[1])
    due = len(await ctx.tx.cards.due(learner.id, ctx.now, limit=1000))

    parts = [
        ctx.part("stats.title", "title"),
        ctx.part("stats.answered", n=total, accuracy=round(mean * 100)),
        ctx.part("stats.streak", current=streak.current, best=streak.best),
        ctx.part("stats.due", n=due),
    ]
    if streak.grace_used_on is not None:
        parts.append(ctx.part("stats.grace", "note", day=streak.grace_used_on.isoformat()))
    if readiness:
        parts.append(ctx.part("stats.readiness", "title"))
        parts.extend(
            Part(ctx.t("stats.topic_row", topic=ctx.topic_name(t), value=round(v * 100)), "item") for t, v in readiness
        )
    drawing = StatsChart(f"studybot · {today.isoformat()}", chart_days(daily, today), tuple(readiness))
    chart = Attachment(f"studybot-stats-{today.isoformat()}.png", b"", "image", ctx.t("stats.chart_caption"), drawing)
    return [ctx.reply(parts, attachment=chart)]


def chart_days(daily: list[DayStat], today: date, days: int = CHART_DAYS) -> tuple[DayPoint, ...]:
    """One point per local day, oldest first, ending today (days without answers included)."""
    by_day = {d.day: d for d in daily}
    out = []
    for day in (today - timedelta(days=i) for i in range(days - 1, -1, -1)):
        stat = by_day.get(day)
        out.append(DayPoint(day, stat.answers if stat else 0, stat.mean_score * 100 if stat else None))
    return tuple(out)
