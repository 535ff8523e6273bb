"""/stats: answers, average score, streaks, mastery per topic, weak topics, and a chart.

Readiness is *mastery*: the share of a topic's questions the learner has met whose FSRS card is
mastered (bot.core.srs.mastered: in review with a week or more of stability). Unlike "chance you
recall it now", which is ~100 % right after any review, a failed answer lowers it at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta

from bot.core.clock import local_date
from bot.core.context import Ctx
from bot.core.documents import ChartText, DayPoint, StatsChart
from bot.core.events import Attachment, Part, Reply
from bot.core.i18n import t
from bot.core.ports.answers import DayStat, TopicAccuracy
from bot.core.ports.cards import CardState
from bot.core.srs import MASTERED_STABILITY_DAYS, mastered, struggling
from bot.core.streaks import streaks

CHART_DAYS = 30
# A topic is weak when its average score is below this, or one of its cards lapsed and is being relearned.
WEAK_BELOW = 0.6
WEAK_SHOWN = 3


@dataclass(frozen=True)
class TopicMastery:
    topic: str
    mastered: int
    seen: int
    struggling: int

    @property
    def share(self) -> float:
        return self.mastered / self.seen if self.seen else 0.0


def mastery_by_topic(ctx: Ctx, cards: list[CardState]) -> list[TopicMastery]:
    """Per topic the learner has met: how many of its cards are mastered; lowest share first."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for card in cards:
        q = ctx.question(card.question_id)
        if q is None:
            continue
        row = counts[q.topic]
        row[0] += mastered(card)
        row[1] += 1
        row[2] += struggling(card)
    rows = [TopicMastery(topic, m, seen, s) for topic, (m, seen, s) in counts.items()]
    return sorted(rows, key=lambda r: (r.share, -r.struggling, r.topic))


def weak_topics(accuracy: list[TopicAccuracy], mastery: list[TopicMastery]) -> list[str]:
    """Topics to work on, weakest first: a low average score, or a card lapsed and not yet relearned."""
    relearning = {m.topic for m in mastery if m.struggling}
    weak = [a for a in accuracy if a.mean_score < WEAK_BELOW or a.topic in relearning]
    return [a.topic for a in sorted(weak, key=lambda a: (a.mean_score, a.topic))][:WEAK_SHOWN]


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
    mastery = mastery_by_topic(ctx, await ctx.tx.cards.all(learner.id))
    due = len(await ctx.tx.cards.due(learner.id, ctx.now, limit=1000))

    parts = [
        ctx.part("stats.title", "title"),
        ctx.part("stats.answered", n=total, score=round(mean * 100)),
        ctx.part("stats.streak", current=streak.current, best=streak.best),
        ctx.part("stats.due", n=due),
    ]
    if streak.grace_used_on is not None:
        parts.append(ctx.part("stats.grace", "note", day=streak.grace_used_on.isoformat()))
    if mastery:
        parts.append(ctx.part("stats.mastery", "title", days=round(MASTERED_STABILITY_DAYS)))
        parts.extend(
            Part(
                ctx.t(
                    "stats.topic_row",
                    topic=ctx.topic_name(m.topic),
                    value=round(m.share * 100),
                    n=m.mastered,
                    seen=m.seen,
                ),
                "item",
            )
            for m in mastery
        )
    weak = weak_topics(accuracy, mastery)
    if weak:
        names = ctx.t("list.separator").join(ctx.topic_name(t) for t in weak)
        parts.append(ctx.part("stats.weak", "note", topics=names, command=f"/quiz {weak[0]}"))
    drawing = stats_chart(ctx, today, chart_days(daily, today), mastery)
    chart = Attachment(
        f"{ctx.file_prefix}stats-{today.isoformat()}.png", b"", "image", ctx.t("stats.chart_caption"), drawing
    )
    return [ctx.reply(parts, attachment=chart)]


def stats_chart(ctx: Ctx, today: date, days: tuple[DayPoint, ...], mastery: list[TopicMastery]) -> StatsChart:
    """The chart in the learner's language, with an English twin (topic ids) for fonts without CJK."""
    latin = StatsChart(
        f"studybot · {today.isoformat()}",
        days,
        tuple((m.topic, m.share) for m in mastery),
        chart_text("en", len(days)),
    )
    if ctx.lang == "en":
        return replace(latin, readiness=tuple((ctx.topic_name(m.topic), m.share) for m in mastery))
    return StatsChart(
        f"{ctx.t('stats.title')} · {today.isoformat()}",
        days,
        tuple((ctx.topic_name(m.topic), m.share) for m in mastery),
        chart_text(ctx.lang, len(days)),
        latin,
    )


def chart_text(lang: str, days: int) -> ChartText:
    return ChartText(
        t(lang, "chart.answers"),
        t(lang, "chart.score"),
        t(lang, "chart.period", n=days),
        t(lang, "chart.mastery"),
        t(lang, "chart.empty"),
    )


def chart_days(daily: list[DayStat], today: date, days: int = CHART_DAYS) -> tuple[DayPoint, ...]:
    """One point per local day, oldest first, ending today (days without answers included)."""
    by_day = {d.day: d for d in daily}
    out = []
    for day in (today - timedelta(days=i) for i in range(days - 1, -1, -1)):
        stat = by_day.get(day)
        out.append(DayPoint(day, stat.answers if stat else 0, stat.mean_score * 100 if stat else None))
    return tuple(out)
