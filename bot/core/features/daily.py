"""/daily: subscribe a chat, group or channel to the question of the day; /remind: evening nudges.

`/daily [HH:MM] [Area/City] [mon,tue,…|weekdays|every day] [topic]` in any order; what is not
given keeps its current value (defaults: 09:00, the chat's time zone, every day, all topics).
In groups and channels only admins may change it.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.clock import canonical_zone
from bot.core.context import Ctx
from bot.core.daily.schedule import (
    EVERY_DAY,
    WEEKDAYS,
    WEEKEND,
    WORKDAYS,
    When,
    next_occurrence,
    parse_days,
    parse_time,
)
from bot.core.events import Reply, ReplyKind
from bot.core.i18n import t
from bot.core.ports.daily import DailyPlan

DEFAULT_TIME = (9, 0)
REMIND_DEFAULT = (20, 0)
_ROLE = re.compile(r"^<@&(\d{1,20})>$")
_OFF = {"off", "stop", "cancel", "关闭", "取消"}


def _local(ctx: Ctx, moment: datetime, tz: str) -> str:
    local = moment.astimezone(ZoneInfo(tz))
    weekday = ctx.t(f"weekday.{WEEKDAYS[local.weekday()]}")
    return ctx.t("daily.moment", date=local.date().isoformat(), weekday=weekday, time=local.strftime("%H:%M"))


def days_text(lang: str, days: frozenset[int]) -> str:
    """The days a subscription is sent on, in `lang`: "weekdays", "Mon, Wed", "周一、周三"."""
    named = {EVERY_DAY: "days.every_day", WORKDAYS: "days.weekdays", WEEKEND: "days.weekends"}
    if days in named:
        return t(lang, named[days])
    return t(lang, "list.separator").join(t(lang, f"weekday.{WEEKDAYS[d]}") for d in sorted(days))


async def daily(ctx: Ctx, args: str) -> list[Reply]:
    current = await ctx.tx.subscriptions.for_chat(ctx.chat.id)
    words = args.split()
    if not words:
        if current is None or not current.active:
            return [ctx.say("daily.none")]
        resumed = [ctx.say("daily.resumed", reason=ctx.resumed_from[:200])] if ctx.resumed_from else []
        today = await ctx.tx.deliveries.latest(current.id)
        gave_up = (
            [ctx.say("daily.gave_up", tries=today.attempts, reason=(today.last_error or "")[:200])]
            if today is not None
            and today.status == "abandoned"
            and today.local_date == ctx.now.astimezone(ZoneInfo(current.tz)).date()
            else []
        )
        return [
            *resumed,
            *gave_up,
            ctx.say(
                "daily.current",
                time=f"{current.hour:02d}:{current.minute:02d}",
                tz=current.tz,
                days=days_text(ctx.lang, current.days),
                topic=current.topic or ctx.t("daily.all_topics"),
                next=_local(ctx, current.next_due_at, current.tz),
            ),
        ]
    if ctx.in_group and not ctx.inc.is_admin:
        return [ctx.refusal("daily.admins_only")]
    if len(words) == 1 and words[0].lower() in _OFF:
        stopped = await ctx.tx.subscriptions.deactivate(ctx.chat.id)
        ctx.rescheduled = True
        return [ctx.say("daily.off" if stopped else "daily.none")]

    hour, minute = (current.hour, current.minute) if current else DEFAULT_TIME
    tz = current.tz if current else ((ctx.chat.tz if ctx.in_group else None) or ctx.learner.tz)
    days = current.days if current else EVERY_DAY
    topic = current.topic if current else None
    role = current.role if current else None
    rest = " ".join(words)
    # "every day" is two words: take it out before splitting the rest.
    for phrase in ("every day", "每 天"):
        if phrase in rest.lower():
            days = EVERY_DAY
            rest = re.sub(re.escape(phrase), " ", rest, flags=re.IGNORECASE)
    for word in rest.split():
        if (t := parse_time(word)) is not None:
            hour, minute = t
        elif "/" in word or word.upper() in {"UTC", "GMT"}:
            zone_name = canonical_zone(word)
            if zone_name is None:
                return [ctx.say("tz.bad", ReplyKind.ERROR, tz=word[:64])]
            tz = zone_name
        elif (d := parse_days(word)) is not None:
            days = d
        elif (m := _ROLE.match(word)) is not None:
            role = m.group(1)
        elif word.lower() in {"all", "any", "全部"}:
            topic = None
        elif (found := ctx.bank.find_topic(word)) is not None:
            topic = found.id
        elif ":" in word or word[:1].isdigit():
            return [ctx.say("daily.bad_time", ReplyKind.ERROR, value=word[:32])]
        else:
            return [ctx.say("daily.usage", ReplyKind.ERROR, value=word[:32])]
    due, _ = next_occurrence(When(hour, minute, tz, days), ctx.now)
    learner_id = None if ctx.in_group else ctx.learner.id
    plan = DailyPlan(ctx.chat.id, learner_id, hour, minute, tz, days, topic, role, due)
    sub = await ctx.tx.subscriptions.save(plan, ctx.now)
    ctx.rescheduled = True
    return [
        ctx.say(
            "daily.set",
            time=f"{hour:02d}:{minute:02d}",
            tz=tz,
            days=days_text(ctx.lang, sub.days),
            topic=topic or ctx.t("daily.all_topics"),
            next=_local(ctx, due, tz),
        )
    ]


async def remind(ctx: Ctx, args: str) -> list[Reply]:
    words = args.lower().split()
    if not words:
        current = await ctx.tx.reminders.get(ctx.learner.id)
        if current is None:
            return [ctx.say("remind.none")]
        return [ctx.say("remind.current", time=f"{current.hour:02d}:{current.minute:02d}", tz=ctx.learner.tz)]
    if words[0] in _OFF:
        await ctx.tx.reminders.delete(ctx.learner.id)
        ctx.rescheduled = True
        return [ctx.say("remind.off")]
    if words[0] not in {"on", "开启", "打开"} and parse_time(words[0]) is None:
        return [ctx.say("remind.usage", ReplyKind.ERROR)]
    at = next((t for w in words if (t := parse_time(w)) is not None), REMIND_DEFAULT)
    if any(parse_time(w) is None and w not in {"on", "开启", "打开"} for w in words):
        return [ctx.say("remind.usage", ReplyKind.ERROR)]
    due, _ = next_occurrence(When(at[0], at[1], ctx.learner.tz), ctx.now)
    await ctx.tx.reminders.save(ctx.learner.id, ctx.chat.id, at[0], at[1], due)
    ctx.rescheduled = True
    return [ctx.say("remind.on", time=f"{at[0]:02d}:{at[1]:02d}", tz=ctx.learner.tz)]
