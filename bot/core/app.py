"""The core's front door: one Incoming in, replies out, state committed in between."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.content.bank import Bank
from bot.core.actions import (
    Action,
    AnswerForm,
    Ask,
    ConfirmForget,
    FollowUp,
    Hint,
    Invalid,
    Pick,
    Rate,
    Reveal,
    RoundPick,
    RoundReveal,
    Skip,
)
from bot.core.chat_status import mark_migrated, mark_unreachable, resume_paused, settle
from bot.core.clock import Clock
from bot.core.commands import Command, Where, parse_command
from bot.core.context import Assessed, Ctx, Services
from bot.core.events import ChatKind, ChatRef, Incoming, Part, Reply, ReplyKind, UserRef
from bot.core.features import (
    account,
    assessing,
    choice,
    daily,
    export,
    forms,
    info,
    interview,
    prefs,
    quiz,
    review,
    rounds,
    stats,
)
from bot.core.features.attempts import too_short
from bot.core.i18n import lang_from_locale, t
from bot.core.limits import Limiter, Refusal
from bot.core.modes import FREE_TEXT_MODES, RATE_MODES, Mode
from bot.core.ports.people import Chat, Learner
from bot.core.ports.rendering import Renderer
from bot.core.ports.store import Store, Tx
from bot.core.sanitize import storable_incoming
from bot.core.sending import SendResult

log = logging.getLogger(__name__)

# Anything longer is cut before it reaches a feature; a paste this long is never an answer.
MAX_TEXT = 20_000

Handler = Callable[[Ctx, str], Awaitable[list[Reply]]]

# Commands whose reply carries a drawn chart or a packed deck: limited per learner.
DOCUMENT_COMMANDS = frozenset({"stats", "export"})


async def _answer_text(ctx: Ctx, text: str) -> list[Reply]:
    if ctx.in_group:
        return await rounds.answer(ctx, text)
    found = await quiz.open_quiz(ctx)
    if isinstance(found, Reply):
        return [found]
    session, q = found
    if session.mode in FREE_TEXT_MODES and too_short(text):
        return [ctx.say("answer.too_short")]  # the question stays open: nothing graded or shown
    if session.mode is Mode.INTERVIEW:
        return await interview.answer(ctx, session, q, text)
    if session.mode is Mode.RETRY:
        return await quiz.answer_retry(ctx, session, q, text)
    if session.mode is Mode.MC:
        return await choice.pick_by_text(ctx, session, q, text)
    if session.mode in RATE_MODES:
        return await review.rate(ctx, None, text)
    if session.mode is Mode.CARD:
        return await quiz.reveal(ctx)
    return await quiz.answer(ctx, session, q, text)


async def _skip(ctx: Ctx, session_id: int | None = None) -> list[Reply]:
    found = await quiz.open_quiz(ctx, session_id)
    if not isinstance(found, Reply) and found[0].mode is Mode.INTERVIEW:
        return await interview.skip(ctx, *found)
    return await quiz.skip(ctx, session_id)


def _group_or(private: Handler, group: Handler) -> Handler:
    async def handler(ctx: Ctx, args: str) -> list[Reply]:
        return await (group if ctx.in_group else private)(ctx, args)

    return handler


async def _no_hints_in_rounds(ctx: Ctx, _: str) -> list[Reply]:
    return [ctx.refusal("round.no_hints")]


COMMANDS: dict[str, Handler] = {
    "start": lambda ctx, _: info.start(ctx),
    "help": lambda ctx, _: info.help_(ctx),
    "topics": lambda ctx, _: info.topics(ctx),
    "quiz": _group_or(quiz.ask, lambda ctx, a: rounds.start(ctx, a, Mode.QUIZ)),
    "mc": _group_or(choice.ask, lambda ctx, a: rounds.start(ctx, a, Mode.MC)),
    "review": review.review,
    "followup": lambda ctx, _: review.follow_up(ctx),
    "hint": _group_or(lambda ctx, _: quiz.hint(ctx), _no_hints_in_rounds),
    "reveal": _group_or(lambda ctx, _: quiz.reveal(ctx), lambda ctx, _: rounds.reveal(ctx)),
    "skip": _group_or(lambda ctx, _: _skip(ctx), _no_hints_in_rounds),
    "interview": interview.interview,
    "stats": lambda ctx, _: stats.stats(ctx),
    "leaderboard": rounds.leaderboard,
    "link": account.link,
    "export": lambda ctx, _: export.export(ctx),
    "appeal": account.appeal,
    "forget": account.forget,
    "daily": daily.daily,
    "remind": daily.remind,
    "lang": prefs.lang,
    "timezone": prefs.timezone,
    "a": _answer_text,
}


async def _action(ctx: Ctx, action: Action | Invalid) -> list[Reply]:
    """A pressed button or a picked poll option; stale or forged ones answer politely."""
    match action:
        case Ask(mode):
            return await COMMANDS[mode.value](ctx, "")
        case FollowUp(question_id):
            return await review.follow_up(ctx, question_id)
        case Pick(session, option):
            return await choice.pick(ctx, session, option)
        case Rate(session, rating):
            return await review.rate(ctx, session, rating)
        case Hint(session):
            return await quiz.hint(ctx, session)
        case Reveal(session):
            return await quiz.reveal(ctx, session)
        case Skip(session):
            return await _skip(ctx, session)
        case RoundPick(round_id, option):
            return await rounds.pick(ctx, round_id, option)
        case RoundReveal(round_id):
            return await rounds.reveal(ctx, round_id)
        case ConfirmForget(issued):
            return await account.forget_button(ctx, issued)
    return [ctx.stale()]


def _starts_round(inc: Incoming, command: Command | None) -> bool:
    """/quiz, /mc (or their buttons) in a group open a round when none is running."""
    if inc.action is not None:
        return isinstance(inc.action, Ask) and inc.action.mode in {Mode.QUIZ, Mode.MC}
    return command is not None and command.name in {"quiz", "mc"}


def _is_answer(inc: Incoming, command: Command | None) -> bool:
    """Free text, `/a …`, or a submitted answer form: what gets graded."""
    if inc.action is not None:
        return isinstance(inc.action, AnswerForm)
    return command is None or command.name == "a"


def _refuse(ctx: Ctx, refusal: Refusal, key: str, count: int) -> list[Reply]:
    if not refusal.tell:
        return []  # told already during this wait: a flood gets no echo
    reply = ctx.say(key, ReplyKind.ERROR, count=count, seconds=refusal.seconds, minutes=refusal.minutes)
    return [replace(reply, ephemeral=ctx.in_group and key == "limit.answers")]


@dataclass(frozen=True)
class Outgoing:
    """A message the core sends on its own (a round closing), for an adapter to deliver."""

    chat: ChatRef
    reply: Reply


class StudyBot:
    """Decides what to answer. Adapters call `handle`; nothing here knows a platform."""

    def __init__(self, store: Store, clock: Clock, services: Services, limiter: Limiter, renderer: Renderer) -> None:
        self.store = store
        self.clock = clock
        self.services = services
        self.limiter = limiter
        self.renderer = renderer

    @property
    def bank(self) -> Bank:
        return self.services.bank

    async def handle(self, inc: Incoming) -> list[Reply]:
        inc = storable_incoming(inc)
        command = parse_command(inc.text) if inc.action is None else None  # a form's text is never a command
        in_group = inc.chat_kind is ChatKind.GROUP
        if in_group and inc.action is None and command is None and not inc.addressed:
            return []  # group chatter that is not an answer is none of our business
        assessed = await self._assess_first(inc, command)
        try:
            async with self.store.transaction() as tx:
                ctx = await self._context(tx, inc)
                ctx.assessed = assessed
                if command is not None and (paused := await resume_paused(tx, ctx.chat, ctx.now)) is not None:
                    ctx.resumed_from, ctx.rescheduled = paused, True
                replies = await self._dispatch(ctx, command)
        except Exception:
            log.exception("failed to handle an update from %s", inc.chat.platform)
            lang = lang_from_locale(inc.locale)
            error = Part(t(lang, "error.internal"), "plain", "error.internal")
            return [Reply((error,), ReplyKind.ERROR, lang=lang)]
        if ctx.rescheduled:
            self.services.wakeup.set()  # committed: the scheduler now reads the new schedule
        return [await self._rendered(reply) for reply in replies]

    async def _context(self, tx: Tx, inc: Incoming) -> Ctx:
        now = self.clock.now()
        locale_lang = lang_from_locale(inc.locale) if inc.locale else None
        learner = await tx.learners.resolve(inc.user, inc.user_name, locale_lang, now)
        chat = await tx.chats.resolve(inc.chat, inc.chat_kind, now)
        lang = (chat.lang if inc.chat_kind is ChatKind.GROUP else None) or learner.lang
        return Ctx(inc, tx, learner, chat, lang, now, self.services)

    async def _assess_first(self, inc: Incoming, command: Command | None) -> Assessed | None:
        """With a judge configured, an answer is judged before its transaction: no lock waits on a model.

        The assessor keeps to its own time-out and never raises; the answer's transaction then uses
        the verdict only if the question it was made for is still the open one (quiz.answer, rounds.answer).
        """
        assessor = self.services.assessor
        if assessor is None or not _is_answer(inc, command):
            return None
        text = (command.args if command is not None else inc.text)[:MAX_TEXT]
        try:
            async with self.store.transaction() as tx:
                ctx = await self._context(tx, inc)
                if self.limiter.answers.full(str(ctx.learner.id), ctx.now):
                    return None  # it will be refused: a flood costs no judge calls
                found = await assessing.answer_target(ctx)
        except Exception:
            log.exception("finding what an answer answers failed; it is graded offline")
            return None
        if found is None:
            return None
        target, q = found
        assessment = await assessor.assess(q, text, ctx.lang, str(ctx.learner.id))
        return Assessed(target, q.id, text, assessment)

    async def _rendered(self, reply: Reply) -> Reply:
        """`reply` with its attachment drawn: after the commit, so no lock waits on a chart."""
        attachment = reply.attachment
        if attachment is None or attachment.drawing is None:
            return reply
        try:
            data = await self.renderer.render(attachment.drawing)
        except Exception:  # the reply still says what it says; only its file is missing
            log.exception("rendering %s failed", attachment.filename)
            return replace(reply, attachment=None)
        return replace(reply, attachment=replace(attachment, data=data, drawing=None))

    async def _dispatch(self, ctx: Ctx, command: Command | None) -> list[Reply]:
        inc = ctx.inc
        refused = await self._over_limit(ctx, command)
        if refused is not None:
            return refused
        if inc.action is not None and not isinstance(inc.action, AnswerForm):
            return await _action(ctx, inc.action)
        text = inc.text
        notes: list[Reply] = []
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
            notes.append(ctx.say("error.too_long", chars=MAX_TEXT))
        if isinstance(inc.action, AnswerForm) and (stale := await forms.refuse_if_stale(ctx, inc.action, text)):
            return stale
        if command is None:  # free text, or an answer form (whatever it looks like, it is an answer)
            return notes + await _answer_text(ctx, text)
        if command.spec is None:
            return [ctx.say("error.unknown_command", ReplyKind.ERROR, command=command.typed)]
        if ctx.in_group and command.spec.where is Where.PRIVATE:
            return [ctx.refusal("error.private_only", command=command.name)]
        args = command.args[:MAX_TEXT]
        return notes + await COMMANDS[command.name](ctx, args)

    async def _over_limit(self, ctx: Ctx, command: Command | None) -> list[Reply] | None:
        """A refusal (maybe silent) when this update would grade an answer, open a round or draw a
        document past its limit."""
        if command is not None and command.name in DOCUMENT_COMMANDS:
            refusal = self.limiter.documents.hit(str(ctx.learner.id), ctx.now)
            if refusal is not None:
                return _refuse(ctx, refusal, "limit.documents", self.limiter.limits.documents.count)
        elif _is_answer(ctx.inc, command):
            refusal = self.limiter.answers.hit(str(ctx.learner.id), ctx.now)
            if refusal is not None:
                return _refuse(ctx, refusal, "limit.answers", self.limiter.limits.answers.count)
        elif ctx.in_group and _starts_round(ctx.inc, command):
            current = await ctx.tx.rounds.current(ctx.chat.id)
            if current is None or current.closes_at <= ctx.now:
                refusal = self.limiter.rounds.hit(ctx.chat.ref.key(), ctx.now)
                if refusal is not None:
                    return _refuse(ctx, refusal, "limit.rounds", self.limiter.limits.rounds.count)
        return None

    def topic_choices(self, typed: str, lang: str) -> list[tuple[str, str]]:
        """Topics matching what a person is typing, as (label in `lang`, topic id), for autocompletion."""
        return [(f"{t.name.get(lang)} ({t.id})", t.id) for t in self.bank.search_topics(typed)]

    async def remember(self, key: str, value: str, ttl: timedelta = timedelta(days=2)) -> None:
        """Keep a small fact for an adapter (a poll id's action prefix) across restarts and processes."""
        async with self.store.transaction() as tx:
            await tx.refs.put(key, value, self.clock.now() + ttl)

    async def recall(self, key: str) -> str | None:
        async with self.store.transaction() as tx:
            return await tx.refs.get(key, self.clock.now())

    async def chat_unreachable(self, chat: ChatRef) -> None:
        """The platform says we cannot post there any more (blocked, kicked, deleted)."""
        await mark_unreachable(self.store, chat)

    async def send_result(self, chat: ChatRef, result: SendResult) -> None:
        """An adapter reports how a send to `chat` ended: gone stops, paused pauses, the rest changes nothing."""
        await settle(self.store, chat, result)

    async def chat_migrated(self, old: ChatRef, new: ChatRef) -> None:
        await mark_migrated(self.store, old, new)

    async def close_due_rounds(self, limit: int = 100) -> list[Outgoing]:
        """Close every group round whose time is up; the summaries are for the adapters to post."""
        out: list[Outgoing] = []
        async with self.store.transaction() as tx:
            now = self.clock.now()
            for rnd in await tx.rounds.due_to_close(now, limit):
                chat = await tx.chats.get(rnd.chat_id)
                if chat is None:
                    continue
                ctx = self._system_ctx(tx, chat, now)
                out += [Outgoing(chat.ref, reply) for reply in await rounds.close(ctx, rnd)]
        return out

    def _system_ctx(self, tx: Tx, chat: Chat, now: datetime) -> Ctx:
        """A context for work nobody asked for just now (timers): the chat's language and zone."""
        lang = chat.lang or "en"
        inc = Incoming(chat=chat.ref, user=UserRef("system", "0"), chat_kind=chat.kind)
        learner = Learner(id=0, name="", lang=lang, tz=chat.tz or "UTC")
        return Ctx(inc, tx, learner, chat, lang, now, self.services)
