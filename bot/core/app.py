"""The core's front door: one Incoming in, replies out, state committed in between."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable

from bot.content.bank import Bank
from bot.core.clock import Clock
from bot.core.commands import Command, is_known, parse_command
from bot.core.context import Ctx, Services
from bot.core.events import ChatKind, Incoming, Part, Reply, ReplyKind
from bot.core.features import choice, info, prefs, quiz
from bot.core.grading import Grader
from bot.core.i18n import lang_from_locale, t
from bot.core.ports import Store

log = logging.getLogger(__name__)

# Anything longer is cut before it reaches a feature; a paste this long is never an answer.
MAX_TEXT = 20_000

Handler = Callable[[Ctx, str], Awaitable[list[Reply]]]


async def _answer_text(ctx: Ctx, text: str) -> list[Reply]:
    found = await quiz.open_quiz(ctx)
    if isinstance(found, Reply):
        return [] if ctx.in_group else [found]
    session, q = found
    if session.mode == "mc":
        return await choice.pick_by_text(ctx, session, q, text)
    return await quiz.answer(ctx, session, q, text)


COMMANDS: dict[str, Handler] = {
    "start": lambda ctx, _: info.start(ctx),
    "help": lambda ctx, _: info.help_(ctx),
    "topics": lambda ctx, _: info.topics(ctx),
    "quiz": quiz.ask,
    "mc": choice.ask,
    "hint": lambda ctx, _: quiz.hint(ctx),
    "reveal": lambda ctx, _: quiz.reveal(ctx),
    "skip": lambda ctx, _: quiz.skip(ctx),
    "lang": prefs.lang,
    "timezone": prefs.timezone,
    "a": _answer_text,
}


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


async def _action(ctx: Ctx, action: str) -> list[Reply]:
    """A pressed button: "hint:12", "mc:12:3", "quiz:" …; stale or malformed ones answer politely."""
    name, _, rest = action.partition(":")
    if name == "quiz" and not rest:
        return await quiz.ask(ctx)
    if name == "mc":
        if not rest:
            return await choice.ask(ctx)
        sid, _, index = rest.partition(":")
        sid_n, index_n = _int(sid), _int(index)
        if sid_n is not None and index_n is not None:
            return await choice.pick(ctx, sid_n, index_n)
    sid_n = _int(rest)
    if sid_n is not None and name in {"hint", "reveal", "skip"}:
        step = {"hint": quiz.hint, "reveal": quiz.reveal, "skip": quiz.skip}[name]
        return await step(ctx, sid_n)
    return [ctx.say("mc.stale")]


class StudyBot:
    """Decides what to answer. Adapters call `handle`; nothing here knows a platform."""

    def __init__(
        self, bank: Bank, store: Store, grader: Grader, clock: Clock, rng: random.Random | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.services = Services(bank=bank, grader=grader, rng=rng or random.Random())

    @property
    def bank(self) -> Bank:
        return self.services.bank

    async def handle(self, inc: Incoming) -> list[Reply]:
        command = parse_command(inc.text) if inc.action is None else None
        in_group = inc.chat_kind is ChatKind.GROUP
        if in_group and inc.action is None and command is None and not inc.addressed:
            return []  # group chatter that is not an answer is none of our business
        try:
            async with self.store.transaction() as tx:
                now = self.clock.now()
                locale_lang = lang_from_locale(inc.locale) if inc.locale else None
                learner = await tx.learners.resolve(inc.user, inc.user_name, locale_lang, now)
                chat = await tx.chats.resolve(inc.chat, inc.chat_kind, now)
                lang = (chat.lang if in_group else None) or learner.lang
                ctx = Ctx(inc, tx, learner, chat, lang, now, self.services)
                return await self._dispatch(ctx, command)
        except Exception:
            log.exception("failed to handle an update from %s", inc.chat.platform)
            lang = lang_from_locale(inc.locale)
            return [Reply((Part(t(lang, "error.internal"), "plain", "error.internal"),), kind=ReplyKind.ERROR)]

    async def _dispatch(self, ctx: Ctx, command: Command | None) -> list[Reply]:
        inc = ctx.inc
        if inc.action is not None:
            return await _action(ctx, inc.action[:64])
        text = inc.text
        notes: list[Reply] = []
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
            notes.append(ctx.say("error.too_long", chars=MAX_TEXT))
        if command is None:
            return notes + await _answer_text(ctx, text)
        if not is_known(command.name):
            return [ctx.say("error.unknown_command", ReplyKind.ERROR, command=command.typed)]
        args = command.args[:MAX_TEXT]
        return notes + await COMMANDS[command.name](ctx, args)

