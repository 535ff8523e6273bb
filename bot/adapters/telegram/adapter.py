"""The Telegram adapter: python-telegram-bot's Application on the shared event loop.

Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set (with the secret-token
header set and checked). Sends go through PTB's AIORateLimiter (which also retries after a
429) and, for cost, PTB's requests on aiohttp (request.py). Platform errors never stop the bot:
blocked or kicked -> the chat is marked inactive; a group that became a supergroup -> its data
moves to the new id; HTML the server cannot parse -> the same text is resent plain; network
errors -> retried with back-off.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlparse

from cachetools import TTLCache
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    ChatFullInfo,
    ChatMember,
    Message,
    Update,
)
from telegram.constants import ParseMode, PollType
from telegram.error import BadRequest, ChatMigrated, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.adapters.base import Revocation, TokenRejected, Unreachable
from bot.adapters.live import LiveMessages
from bot.adapters.telegram.ordering import PerChatUpdateProcessor
from bot.adapters.telegram.outcomes import is_parse_error, result_of
from bot.adapters.telegram.parse import (
    anonymous_sender,
    chat_ref,
    incoming_from_action,
    incoming_from_message,
    split_ref,
    topic_of,
)
from bot.adapters.telegram.render import TextOut, part_html, poll_fits, render_poll, render_text, wants_force_reply
from bot.adapters.telegram.request import AiohttpRequest
from bot.core.app import StudyBot
from bot.core.commands import VISIBLE, admin_sensitive, description, menu
from bot.core.events import ChatKind, ChatRef, Part, Reply
from bot.core.labels import feedback_waiting, open_private_chat
from bot.core.sending import Delivered, Gone, Paused, Refused, Retry, SendResult

log = logging.getLogger(__name__)
T = TypeVar("T")

ADMIN_CACHE_SECONDS = 300
ADMIN_CACHE_SIZE = 10_000
_BACKOFF = (1.0, 2.0, 4.0)
READ_TIMEOUT = 10.0  # seconds; past it a send is `Uncertain` (it may have arrived), never resent at once
POOL_SIZE = 8  # connections at least
# The pool holds a connection for every send in flight at `max_rate` over round trips up to this
# long (rate x round trip, Little's law): 8 connections carry at most 80 msg/s when Telegram answers
# in 0.1 s (benchmarks/README.md); at 1,000 msg/s the pool has 250.
POOL_ROUND_TRIP = 0.25
POOL_TIMEOUT = 30.0  # seconds a send may queue for a pooled connection (nothing has left yet: a `Retry`)
MAX_INLINE_WAIT = 60.0  # seconds a send may wait out a 429 before it is left for a later retry
# The overall limiter lets at most this many seconds' worth of sends go in one burst. A bucket of a
# whole second's worth (PTB's default) bursts `max_rate` sends at once and then runs at exactly the
# limit, so Telegram's own bucket is left empty and any jitter in arrival earns a 429, whose
# retry_after pauses every send (benchmarks/README.md, issue 15).
LIMITER_BURST_SECONDS = 0.05
_PARSE_ERROR = Refused("can't parse entities")
# A round's live standings are edited at most every 6 s: 10 of a group's 20 messages a minute,
# leaving the rest for questions, summaries and commands (PTB's limiter queues past 20/min).
LIVE_EDIT_SECONDS = 6.0
# Members who never opened a private chat: the group is told how, at most once per 10 minutes.
PRIVATE_HINT_SECONDS = 600
PENDING_TTL = timedelta(days=2)
PENDING_MAX = 20  # feedback messages kept per member until they open the private chat
DEEP_LINK_PAYLOAD = "feedback"
# The forum topic the update being handled (or the message being sent on the core's behalf) belongs
# to: every send to that group goes to the topic, including the live message's background writes
# (a task copies the context it was created in). Set at the start of every handler and send().
_TOPIC: ContextVar[int | None] = ContextVar("telegram_topic", default=None)


def _topic_for(chat_id: int) -> int | None:
    return _TOPIC.get() if chat_id < 0 else None  # private chats have no topics


class Moved(Exception):
    """The chat became a supergroup with a new id: the message is resent there."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(new_chat_id)
        self.new_chat_id = new_chat_id


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    listen: str
    port: int
    secret: str


def default_secret(token: str) -> str:
    """Every replica derives the same secret from the token, so any of them may take any update."""
    return hashlib.sha256(b"studybot-webhook:" + token.encode()).hexdigest()[:64]


class _TokenWatch(BaseRequest):
    """Tells the adapter when the Bot API rejects the token (401) on any call, getUpdates included:
    PTB's polling loop gives up on that by itself, without telling anyone."""

    def __init__(self, on_rejected: Callable[[], None], **options: Any) -> None:
        super().__init__(**options)
        self._on_rejected = on_rejected

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)  # type: ignore[safe-super]
        if status == HTTPStatus.UNAUTHORIZED:
            self._on_rejected()
        return status, payload


class _WatchedRequest(_TokenWatch, AiohttpRequest):
    """The calls the adapter makes (sends, edits, member checks)."""


class _WatchedPolling(_TokenWatch, HTTPXRequest):
    """getUpdates: PTB's own request, one call every few seconds."""


# PTB's loggers that report a rejected token with a traceback (a logger's filter does not apply
# to its children's records, so each is named).
_PTB_LOGGERS = ("telegram.ext", "telegram.ext.Updater", "telegram.ext.Application")


class _QuietAboutTheToken(logging.Filter):
    """Drops PTB's traceback for a rejected token once the adapter has reported it in one line."""

    def __init__(self, revocation: Revocation) -> None:
        super().__init__()
        self.revocation = revocation

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not (self.revocation.reported and isinstance(error, InvalidToken))


class TelegramAdapter:
    platform = "telegram"

    def __init__(
        self,
        bot: StudyBot,
        token: str,
        base_url: str | None = None,
        webhook: WebhookConfig | None = None,
        poll_timeout: int = 10,
        max_rate: float = 30.0,
        *,
        read_timeout: float = READ_TIMEOUT,
        pool_size: int | None = None,
        backoff: tuple[float, ...] = _BACKOFF,
        live_interval: float = LIVE_EDIT_SECONDS,
    ) -> None:
        self.bot = bot
        self.token = token
        self.base_url = base_url
        self.webhook = webhook
        self.poll_timeout = poll_timeout
        self.max_rate = max_rate
        self.read_timeout = read_timeout
        self.pool_size = pool_size or max(POOL_SIZE, math.ceil(max_rate * POOL_ROUND_TRIP))
        self.backoff = backoff
        # At most one request per pooled connection: a send waits here, before its request is built,
        # and never for a connection once built (that wait counts against the connect timeout).
        self._slots = asyncio.Semaphore(self.pool_size)
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        # Bounded and expiring: a busy bot sees many (chat, member) pairs; memory must not grow with them.
        self._admins: TTLCache[tuple[int, int], bool] = TTLCache(maxsize=ADMIN_CACHE_SIZE, ttl=ADMIN_CACHE_SECONDS)
        self.live: LiveMessages[int, int] = LiveMessages(self._post_live, self._edit_live, live_interval)
        self._hinted: TTLCache[int, bool] = TTLCache(maxsize=ADMIN_CACHE_SIZE, ttl=PRIVATE_HINT_SECONDS)
        self.username = ""
        self.bot_id = 0
        self.revocation = Revocation()
        self._quiet = _QuietAboutTheToken(self.revocation)

    # -- life cycle -------------------------------------------------------------------------

    def build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        # Telegram's limits: ~30 messages/s overall (TELEGRAM_RATE_LIMIT; paid broadcasts allow more),
        # 20/min per group; the limiter also waits out a 429's retry_after and tries again.
        burst = max(1, round(self.max_rate * LIMITER_BURST_SECONDS))
        limiter = AIORateLimiter(overall_max_rate=burst, overall_time_period=burst / self.max_rate, max_retries=3)
        request = _WatchedRequest(
            self._token_rejected, pool_size=self.pool_size, read_timeout=self.read_timeout, pool_timeout=POOL_TIMEOUT
        )
        polling = _WatchedPolling(self._token_rejected, connection_pool_size=1)  # PTB's own default for it
        builder = (
            ApplicationBuilder().token(self.token).rate_limiter(limiter).request(request).get_updates_request(polling)
        )
        if self.base_url:
            base = self.base_url.rstrip("/")
            builder = builder.base_url(base).base_file_url(base.rsplit("/bot", 1)[0] + "/file/bot")
        app = builder.concurrent_updates(PerChatUpdateProcessor()).build()
        app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, self.on_migrate))
        app.add_handler(MessageHandler(filters.TEXT | filters.CAPTION, self.on_message))
        app.add_handler(CallbackQueryHandler(self.on_callback))
        app.add_handler(PollAnswerHandler(self.on_poll_answer))
        app.add_handler(ChatMemberHandler(self.on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER))
        app.add_error_handler(self.on_error)
        return app

    async def start(self) -> None:
        try:
            await self._start()
        except InvalidToken as exc:  # at getMe, or revoked in the middle of starting
            raise TokenRejected(f"Telegram rejected TELEGRAM_BOT_TOKEN ({exc})") from None

    async def _start(self) -> None:
        self.app = self.build()
        try:
            await self.app.initialize()
        except BaseException as exc:
            # PTB opened its requests but leaves them open when getMe fails (an aiohttp session
            # left open is reported when collected).
            await self.app.bot.request.shutdown()
            if isinstance(exc, NetworkError):
                where = urlparse(self.base_url or "https://api.telegram.org").netloc
                raise Unreachable(f"Telegram's Bot API at {where}: {exc}") from None
            raise
        for name in _PTB_LOGGERS:
            logging.getLogger(name).addFilter(self._quiet)
        me = self.app.bot
        self.username, self.bot_id = me.username, me.id
        await self.register_commands()
        assert self.app.updater is not None
        allowed = ["message", "callback_query", "poll_answer", "my_chat_member"]
        if self.webhook is not None:
            await self.app.updater.start_webhook(
                listen=self.webhook.listen,
                port=self.webhook.port,
                url_path=urlparse(self.webhook.url).path.lstrip("/"),
                webhook_url=self.webhook.url,
                secret_token=self.webhook.secret,
                allowed_updates=allowed,
            )
        else:
            await self.app.updater.start_polling(timeout=self.poll_timeout, allowed_updates=allowed)
        await self.app.start()

    async def stop(self) -> None:
        if self.app is None:
            return
        try:
            await self._stop_app()
        finally:
            for name in _PTB_LOGGERS:
                logging.getLogger(name).removeFilter(self._quiet)

    def _token_rejected(self) -> None:
        self.revocation.report("Telegram rejected TELEGRAM_BOT_TOKEN while running (401 Unauthorized)")

    async def revoked(self) -> str:
        return await self.revocation.wait()

    async def _stop_app(self) -> None:
        assert self.app is not None
        if self.app.updater is not None and self.app.updater.running:
            try:
                await self.app.updater.stop()
            except InvalidToken:
                if not self.revocation.reported:
                    raise  # polling ends with the 401 that revoked it: reported in one line already
        if self.app.running:
            await self.app.stop()  # waits for in-flight handlers
        await self.app.shutdown()

    async def register_commands(self) -> None:
        """A menu per scope (every chat as a fallback, private chats, groups, group admins), in en and zh."""
        assert self.app is not None
        scopes: tuple[tuple[BotCommandScope, tuple[str, ...]], ...] = (
            (BotCommandScopeDefault(), VISIBLE),
            (BotCommandScopeAllPrivateChats(), menu("private")),
            (BotCommandScopeAllGroupChats(), menu("group")),
            (BotCommandScopeAllChatAdministrators(), menu("group_admin")),
        )
        for scope, names in scopes:
            for lang, code in (("en", None), ("zh", "zh")):
                commands = [BotCommand(name, description(name, lang)[:256]) for name in names]
                await self._call(partial(self.app.bot.set_my_commands, commands, scope=scope, language_code=code), None)

    # -- updates ----------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        _TOPIC.set(topic_of(message))
        is_admin = await self._is_admin_if_needed(message)
        inc = incoming_from_message(message, self.bot_id, self.username, is_admin)
        if inc is None:
            return
        replies = await self.bot.handle(inc)
        group = inc.chat_kind is ChatKind.GROUP
        anonymous = anonymous_sender(message) is not None
        await self.answer(
            message.chat_id,
            replies,
            group=group,
            # An anonymous admin or a channel has no private chat: what is theirs alone is said in the group.
            user_id=message.chat_id if anonymous else message.from_user.id,
            reply_to=message.message_id if group else None,
        )
        if not group and inc.text.startswith("/start"):
            await self._deliver_pending(message.chat_id)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.message is None or query.data is None:
            if query is not None:
                await self._call(lambda: query.answer(), None)
            return
        # Answered first: the button's spinner stops at once, whatever the core takes (grading).
        await self._call(lambda: query.answer(), None)
        chat = query.message.chat
        _TOPIC.set(topic_of(query.message))
        is_admin = chat.type != "private" and await self.is_admin(chat.id, query.from_user.id)
        inc = incoming_from_action(chat.id, chat.type, query.from_user, query.data, is_admin, _TOPIC.get())
        replies = await self.bot.handle(inc)
        # A stale or forged button is refused to the presser alone, never in front of the group.
        replies = [replace(r, ephemeral=True) if r.stale else r for r in replies]
        await self.answer(chat.id, replies, group=chat.type != "private", user_id=query.from_user.id)

    async def on_poll_answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        answer = update.poll_answer
        if answer is None or answer.user is None or not answer.option_ids:
            return  # a retracted vote, or an anonymous one
        stored = await self.bot.recall(f"tg:poll:{answer.poll_id}")
        if stored is None:
            return
        poll = json.loads(stored)
        option = answer.option_ids[0]
        # Polls sent by older versions stored a prefix the option's number was appended to.
        actions = poll.get("actions") or [f"{poll['prefix']}{i}" for i in range(option + 1)]
        payload = actions[option] if 0 <= option < len(actions) else ""
        _TOPIC.set(poll.get("thread"))
        inc = incoming_from_action(poll["chat"], poll["type"], answer.user, payload, thread=_TOPIC.get())
        replies = await self.bot.handle(inc)
        group = poll["type"] != "private"
        # In a group, the public echo of each vote would be noise: the poll itself shows votes.
        replies = [r for r in replies if not group or r.ephemeral or r.poll is not None or r.live]
        await self.answer(poll["chat"], replies, group=group, user_id=answer.user.id)

    async def on_migrate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.migrate_to_chat_id:
            await self.bot.chat_migrated(chat_ref(message.chat_id), chat_ref(message.migrate_to_chat_id))

    async def on_my_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is not None and change.new_chat_member.status in ("kicked", "left"):
            await self.bot.send_result(chat_ref(change.chat.id), Paused(change.new_chat_member.status))

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram update failed: %s", type(context.error).__name__, exc_info=context.error)

    # -- admins -----------------------------------------------------------------------------

    async def _is_admin_if_needed(self, message: Message) -> bool:
        if message.chat.type == "private" or message.from_user is None:
            return False
        sender = anonymous_sender(message)
        if sender is not None:
            return await self._speaks_for_group(message.chat.id, sender)
        if not admin_sensitive(message.text or ""):  # the core decides what an admin may do; we say who is one
            return False
        return await self.is_admin(message.chat.id, message.from_user.id)

    async def _speaks_for_group(self, chat_id: int, sender_id: int) -> bool:
        """An anonymous admin posts as the group itself; the group's linked channel speaks for it too."""
        if sender_id == chat_id:
            return True
        key = (chat_id, sender_id)
        cached = self._admins.get(key)
        if cached is None:
            assert self.app is not None
            info = await self._call(lambda: self.app.bot.get_chat(chat_id), chat_id)  # type: ignore[union-attr]
            cached = isinstance(info, ChatFullInfo) and info.linked_chat_id == sender_id
            self._admins[key] = cached
        return cached

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        cached = self._admins.get(key)
        if cached is not None:
            return cached
        assert self.app is not None
        member = await self._call(lambda: self.app.bot.get_chat_member(chat_id, user_id), chat_id)  # type: ignore[union-attr]
        admin = isinstance(member, ChatMember) and member.status in ("administrator", "creator")
        self._admins[key] = admin
        return admin

    # -- sending ----------------------------------------------------------------------------

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        chat_id, topic = split_ref(chat.id)
        token = _TOPIC.set(topic)
        try:
            return await self.deliver(chat_id, [reply], group=chat_id < 0, user_id=None)
        finally:
            _TOPIC.reset(token)

    async def answer(
        self, chat_id: int, replies: list[Reply], *, group: bool, user_id: int | None, reply_to: int | None = None
    ) -> None:
        """Deliver replies to an update; tell the core when the chat turned out unreachable."""
        result = await self.deliver(chat_id, replies, group=group, user_id=user_id, reply_to=reply_to)
        await self.bot.send_result(chat_ref(chat_id, _topic_for(chat_id)), result)

    async def deliver(
        self, chat_id: int, replies: list[Reply], *, group: bool, user_id: int | None, reply_to: int | None = None
    ) -> SendResult:
        """Send every reply; the result for the chat itself (a member's private feedback in a group
        that cannot reach them is reported to the core for their private chat and skipped)."""
        last: SendResult = Delivered()
        for reply in replies:
            if reply.ends_live is not None:
                self.live.end(chat_id, reply.ends_live)
                await self._close_part(chat_id, reply.ends_live)
            if reply.live is not None:
                self.live.update(chat_id, reply)  # written in the background, at the group's pace
                continue
            target = chat_id
            if reply.ephemeral and group:
                if user_id is None:
                    continue
                target = user_id  # private feedback goes to the member's private chat, if they allow it
            force = wants_force_reply(reply, group)
            try:
                result = await self._send_one(
                    target, reply, force_reply=force, reply_to=reply_to if target == chat_id else None
                )
            except Moved as moved:
                log.info("chat %s moved to %s: resending there", target, moved.new_chat_id)
                if target == chat_id:
                    chat_id = moved.new_chat_id
                target = moved.new_chat_id
                result = await self._send_one(target, reply, force_reply=force, reply_to=None)
            if target != chat_id:
                if not isinstance(result, Delivered):
                    await self.bot.send_result(chat_ref(target), result)
                if isinstance(result, Paused) and _never_started(result.reason):
                    await self._keep_for_later(target, reply)
                    await self._hint_private_chat(chat_id, reply.lang)
                continue
            if isinstance(result, Refused):
                log.warning("telegram refused a message to %s: %s", chat_id, result.reason)
            elif not isinstance(result, Delivered):
                return result  # the rest would fail the same way
            last = result
        return last

    async def _send_one(self, chat_id: int, reply: Reply, *, force_reply: bool, reply_to: int | None) -> SendResult:
        assert self.app is not None
        bot = self.app.bot
        result: SendResult = Delivered()
        if reply.poll is not None and poll_fits(reply):
            out = render_poll(reply)
            for text in out.intro:
                if not isinstance(result := await self._send_text(chat_id, text, None), Delivered):
                    return result
            sent = await self._call(
                lambda: bot.send_poll(
                    chat_id,
                    out.question,
                    list(out.options),
                    message_thread_id=_topic_for(chat_id),
                    type=PollType.QUIZ,
                    is_anonymous=False,
                    correct_option_ids=[out.correct],
                    explanation=out.explanation or None,
                ),
                chat_id,
            )
            if not isinstance(sent, Message):
                return sent
            assert sent.poll is not None
            chat_type = "private" if chat_id > 0 else "group"
            await self.bot.remember(
                f"tg:poll:{sent.poll.id}",
                json.dumps(
                    {"actions": out.answers, "chat": sent.chat_id, "type": chat_type, "thread": _topic_for(chat_id)}
                ),
            )
            result = Delivered(str(sent.message_id))
            await self._remember_part(chat_id, reply, sent.message_id, poll=True)
        else:
            for text in render_text(reply, force_reply=force_reply):
                if not isinstance(result := await self._send_text(chat_id, text, reply_to), Delivered):
                    return result
                reply_to = None
            if isinstance(result, Delivered) and result.message_id is not None:
                await self._remember_part(chat_id, reply, int(result.message_id), poll=False)
        if reply.attachment is not None:
            a = reply.attachment
            caption = a.caption[:1024] or None
            if a.kind == "image":
                topic = _topic_for(chat_id)
                sent_file = await self._call(
                    lambda: bot.send_photo(chat_id, a.data, caption=caption, message_thread_id=topic), chat_id
                )
            else:
                sent_file = await self._call(
                    lambda: bot.send_document(
                        chat_id, a.data, filename=a.filename, caption=caption, message_thread_id=_topic_for(chat_id)
                    ),
                    chat_id,
                )
            return Delivered(str(sent_file.message_id)) if isinstance(sent_file, Message) else sent_file
        return result

    async def _send_text(self, chat_id: int, text: TextOut, reply_to: int | None) -> SendResult:
        assert self.app is not None
        bot = self.app.bot

        async def send(body: str, mode: ParseMode | None) -> Message:
            sent: Message = await bot.send_message(
                chat_id,
                body,
                parse_mode=mode,
                message_thread_id=_topic_for(chat_id),
                reply_markup=text.markup,
                reply_to_message_id=reply_to,
                allow_sending_without_reply=True,
            )
            return sent

        sent = await self._call(lambda: send(text.html, ParseMode.HTML), chat_id, plain_fallback=True)
        if sent is _PARSE_ERROR:
            log.warning("telegram could not parse our HTML; sending plain text")
            sent = await self._call(lambda: send(text.plain, None), chat_id)
        return Delivered(str(sent.message_id)) if isinstance(sent, Message) else sent

    # -- live messages, closed rounds, members without a private chat -----------------------------

    async def _post_live(self, chat_id: int, reply: Reply) -> int | None:
        result = await self._send_text(chat_id, render_text(reply)[0], None)
        return int(result.message_id) if isinstance(result, Delivered) and result.message_id else None

    async def _edit_live(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        assert self.app is not None
        text = render_text(reply)[0]
        try:
            await self.app.bot.edit_message_text(text.html, chat_id, message_id, parse_mode=ParseMode.HTML)
        except BadRequest as exc:
            # "message is not modified" leaves it as it is; a deleted message is posted anew.
            return "not modified" in str(exc).lower()
        except TelegramError as exc:
            log.warning("telegram: editing the live message in %s failed: %s", chat_id, exc)
        return True

    async def _remember_part(self, chat_id: int, reply: Reply, message_id: int, *, poll: bool) -> None:
        if reply.part_of is not None:
            value = json.dumps({"message": message_id, "poll": poll})
            await self.bot.remember(f"tg:part:{chat_id}:{reply.part_of}", value)

    async def _close_part(self, chat_id: int, key: str) -> None:
        """The round `key` closed: its poll stops (Telegram refuses later votes), its buttons go."""
        stored = await self.bot.recall(f"tg:part:{chat_id}:{key}")
        if not stored:
            return
        assert self.app is not None
        bot = self.app.bot
        message_id = int(json.loads(stored)["message"])
        if json.loads(stored)["poll"]:
            await self._call(lambda: bot.stop_poll(chat_id, message_id), chat_id)
        else:
            await self._call(lambda: bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None), chat_id)

    async def _keep_for_later(self, user_id: int, reply: Reply) -> None:
        key = f"tg:pending:{user_id}"
        kept: list[list[str]] = json.loads(await self.bot.recall(key) or "[]")
        kept = (kept + [[reply.lang, t.html] for t in render_text(reply)])[-PENDING_MAX:]
        await self.bot.remember(key, json.dumps(kept), ttl=PENDING_TTL)

    async def _deliver_pending(self, user_id: int) -> None:
        """After /start in private: the feedback kept while the member had no private chat."""
        key = f"tg:pending:{user_id}"
        stored = await self.bot.recall(key)
        if not stored:
            return
        await self.bot.remember(key, "", ttl=timedelta(seconds=1))
        kept: list[list[str]] = json.loads(stored)
        if not kept:
            return
        heading = part_html(Part(feedback_waiting(kept[0][0]), "title"))  # in the feedback's own language
        for html in [heading, *(html for _, html in kept)]:
            await self._send_text(user_id, TextOut(html, html), None)

    async def _hint_private_chat(self, group_id: int, lang: str) -> None:
        if group_id in self._hinted or not self.username:
            return
        self._hinted[group_id] = True
        link = f"https://t.me/{self.username}?start={DEEP_LINK_PAYLOAD}"
        text = part_html(Part(open_private_chat(lang, link=link)))
        await self._send_text(group_id, TextOut(text, text), None)

    async def _call(
        self, make: Callable[[], Awaitable[T]], chat_id: int | None, *, plain_fallback: bool = False
    ) -> T | SendResult:
        """One Bot API call with the platform's errors mapped to a send result.

        Never resent after a read timeout (the message may have arrived: `Uncertain`). Network
        errors and 5xx are tried again with back-off, then `Retry`; a 429 the rate limiter could
        not absorb is waited out once, then `Retry`.
        """
        result: SendResult = Retry("not tried")
        for attempt in range(len(self.backoff) + 1):
            try:
                async with self._slots:
                    return await make()
            except ChatMigrated as exc:
                if chat_id is None:
                    return Gone(str(exc))
                await self.bot.chat_migrated(chat_ref(chat_id), chat_ref(exc.new_chat_id))
                raise Moved(exc.new_chat_id) from None
            except InvalidToken as exc:
                # Nothing was sent, and nothing will be until the token is fixed: the launcher
                # stops this platform (revocation); a delivery stays for the next process.
                return Retry(f"token rejected: {exc}")
            except TelegramError as exc:
                if plain_fallback and is_parse_error(exc):
                    return _PARSE_ERROR
                result = result_of(exc)
            if not isinstance(result, Retry) or attempt == len(self.backoff):
                break
            delay = result.after if result.after else self.backoff[attempt]
            if delay > MAX_INLINE_WAIT:
                break
            await asyncio.sleep(delay)
        if not isinstance(result, Paused | Gone):
            log.warning("telegram call to %s did not go through: %s", chat_id, result)
        return result


def _never_started(reason: str) -> bool:
    """Telegram's 403 for a person who has not started (or has blocked) the bot in private."""
    text = reason.lower()
    return "initiate conversation" in text or "bot was blocked" in text
