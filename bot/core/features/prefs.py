"""Per-learner and per-group preferences: language and time zone."""

from __future__ import annotations

from dataclasses import replace

from bot.core.clock import canonical_zone, suggest_zones, zone
from bot.core.context import Ctx
from bot.core.events import Reply, ReplyKind
from bot.core.i18n import LANGUAGES


def _refused(ctx: Ctx) -> list[Reply] | None:
    if ctx.in_group and not ctx.inc.is_admin:
        return [ctx.refusal("group.admins_only")]
    return None


async def lang(ctx: Ctx, arg: str) -> list[Reply]:
    wanted = arg.strip().lower()
    if not wanted:
        return [ctx.say("lang.current")]
    if wanted not in LANGUAGES:
        return [ctx.say("lang.bad", ReplyKind.ERROR)]
    refused = _refused(ctx)
    if refused:
        return refused
    if ctx.in_group:
        await ctx.tx.chats.set_lang(ctx.chat.id, wanted)
    else:
        await ctx.tx.learners.set_lang(ctx.learner.id, wanted)
    ctx.lang = wanted
    return [ctx.say("lang.set")]


def current_tz(ctx: Ctx) -> str:
    return (ctx.chat.tz if ctx.in_group else None) or ctx.learner.tz


async def timezone(ctx: Ctx, arg: str) -> list[Reply]:
    wanted = arg.strip()
    if not wanted:
        return [ctx.say("tz.current", tz=current_tz(ctx))]
    name = canonical_zone(wanted)
    if name is None:
        suggestions = suggest_zones(wanted[:64])
        if suggestions:
            zones = ctx.t("list.or").join(suggestions)
            return [ctx.say("tz.suggest", ReplyKind.ERROR, tz=wanted[:64], zones=zones, first=suggestions[0])]
        return [ctx.say("tz.bad", ReplyKind.ERROR, tz=wanted[:64])]
    refused = _refused(ctx)
    if refused:
        return refused
    if ctx.in_group:
        await ctx.tx.chats.set_tz(ctx.chat.id, name)
        ctx.chat = replace(ctx.chat, tz=name)
    else:
        await ctx.tx.learners.set_tz(ctx.learner.id, name)
        ctx.learner = replace(ctx.learner, tz=name)
    local = ctx.now.astimezone(zone(name)).strftime("%H:%M")
    return [ctx.say("tz.set", tz=name, time=local)]
