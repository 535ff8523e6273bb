"""One learner across platforms (/link), appeals against a grade, and forgetting a learner."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from bot.core.actions import ConfirmForget
from bot.core.context import Ctx
from bot.core.events import Reply, ReplyKind
from bot.core.modes import Mode
from bot.core.ports.answers import NewAppeal

LINK_VALID = timedelta(minutes=10)
# No 0/O or 1/I/L: codes are read off one screen and typed into another.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
APPEAL_WITHIN = timedelta(hours=24)
FORGET_CONFIRM_WITHIN = timedelta(minutes=5)


async def link(ctx: Ctx, arg: str) -> list[Reply]:
    arg = arg.strip()
    if arg.lower() in {"off", "unlink", "关闭", "取消"}:
        return await unlink(ctx)
    if not arg:
        # secrets, not the shared random generator: a code merges accounts, it must not be predictable.
        code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
        await ctx.tx.links.create(code, ctx.learner.id, ctx.inc.user.platform, ctx.now + LINK_VALID)
        minutes = int(LINK_VALID.total_seconds() // 60)
        return [
            ctx.reply(
                (ctx.part("link.code", "title", code=code), ctx.part("link.how", "note", minutes=minutes)),
                ephemeral=True,
            )
        ]
    guard, who = ctx.services.link_attempts, str(ctx.learner.id)
    refusal = guard.check(who, ctx.now)
    if refusal is not None:
        return [ctx.say("link.too_many", ReplyKind.ERROR, minutes=refusal.minutes)]
    code = arg.upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in _ALPHABET for c in code):
        guard.hit(who, ctx.now)
        return [ctx.say("link.bad", ReplyKind.ERROR)]
    if await ctx.tx.links.owner(code) == ctx.learner.id:
        return [ctx.say("link.same")]  # checked first, so showing it here does not use the code up
    taken = await ctx.tx.links.take(code, ctx.now)
    if taken is None:
        guard.hit(who, ctx.now)
        return [ctx.say("link.bad", ReplyKind.ERROR)]
    owner, platform = taken
    if owner == ctx.learner.id:
        return [ctx.say("link.same")]
    if platform == ctx.inc.user.platform:
        return [ctx.say("link.same_platform", ReplyKind.ERROR)]
    await ctx.tx.learners.merge(ctx.learner.id, owner)
    platforms = sorted({u.platform for u in await ctx.tx.learners.identities(owner)})
    return [ctx.say("link.done", platforms=", ".join(platforms))]


async def unlink(ctx: Ctx) -> list[Reply]:
    if len(await ctx.tx.learners.identities(ctx.learner.id)) < 2:
        return [ctx.say("link.not_linked")]
    await ctx.tx.learners.detach(ctx.inc.user, ctx.inc.user_name, ctx.now)
    return [ctx.say("link.off")]


async def appeal(ctx: Ctx, reason: str) -> list[Reply]:
    last = await ctx.tx.answers.last(ctx.learner.id)
    if last is None or ctx.now - last.answered_at > APPEAL_WITHIN or last.mode in {Mode.MC, Mode.CARD}:
        return [ctx.say("appeal.nothing")]
    if await ctx.tx.appeals.exists(last.id):
        return [ctx.say("appeal.already")]
    appeal = NewAppeal(ctx.learner.id, last.question_id, last.id, last.text, last.score, last.verdict, reason.strip())
    await ctx.tx.appeals.add(appeal, ctx.now)
    return [ctx.say("appeal.saved")]


async def forget(ctx: Ctx, arg: str) -> list[Reply]:
    if arg.strip().lower() in {"confirm", "yes", "确认"}:
        return await _forget_now(ctx)
    stamp = int(ctx.now.timestamp())
    return [
        ctx.reply(
            (ctx.part("forget.warning", "title"), ctx.part("forget.how", "note")),
            kind=ReplyKind.INFO,
            buttons=((ctx.button("btn.forget", ConfirmForget(stamp), "/forget confirm"),),),
            ephemeral=True,
        )
    ]


async def forget_button(ctx: Ctx, stamp: int) -> list[Reply]:
    if ctx.now.timestamp() - stamp > FORGET_CONFIRM_WITHIN.total_seconds():
        return [ctx.say("forget.expired")]
    return await _forget_now(ctx)


async def _forget_now(ctx: Ctx) -> list[Reply]:
    prefix = ctx.file_prefix  # before the learner is gone
    await ctx.tx.learners.delete(ctx.learner.id)
    if ctx.services.assessor is not None:  # the judge's cached verdicts on this learner's answers go too
        ctx.services.assessor.forget(str(ctx.learner.id))
    return [replace(ctx.say("forget.done"), forget_files=prefix)]
