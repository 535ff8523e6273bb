"""The Telegram adapter: python-telegram-bot's Application on the shared event loop.

Long polling by default; a webhook when TELEGRAM_WEBHOOK_URL is set (with the secret-token
header set and checked). Sends go through PTB's AIORateLimiter (which also retries after a
429) and, for cost, PTB's requests on aiohttp (request.py). Platform errors never stop the bot:
blocked or kicked -> the chat is marked inactive; a group that became a supergroup -> its data
moves to the new id; HTML the server cannot parse -> the same text is resent plain; network
errors -> retried with back-off. What is sent, and how each failure ends, is delivery.py's; this module
starts and stops the application and turns updates into the core's events.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
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
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    PollAnswerHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.adapters.base import Revocation, TokenRejected, Unreachable
from bot.adapters.telegram.delivery import BACKOFF, LIVE_EDIT_SECONDS, TOPIC, TelegramDelivery, topic_for
from bot.adapters.telegram.ordering import PerChatUpdateProcessor
from bot.adapters.telegram.parse import (
    anonymous_sender,
    chat_ref,
    incoming_from_action,
    incoming_from_message,
    split_ref,
    topic_of,
)
from bot.adapters.telegram.request import AiohttpRequest
from bot.core.app import StudyBot
from bot.core.commands import VISIBLE, admin_sensitive, description, menu
from bot.core.events import ChatKind, ChatRef, Reply
from bot.core.sending import Paused, SendResult

log = logging.getLogger(__name__)
T = TypeVar("T")

ADMIN_CACHE_SECONDS = 300
ADMIN_CACHE_SIZE = 10_000
READ_TIMEOUT = 10.0  # seconds; past it a send is `Uncertain` (it may have arrived), never resent at once
POOL_SIZE = 8  # connections at least
# The pool holds a connection for every send in flight at `max_rate` over round trips up to this
# long (rate x round trip, Little's law): 8 connections carry at most 80 msg/s when Telegram answers
# in 0.1 s (benchmarks/README.md); at 1,000 msg/s the pool has 250.
POOL_ROUND_TRIP = 0.25
POOL_TIMEOUT = 30.0  # seconds a send may queue for a pooled connection (nothing has left yet: a `Retry`)
# The overall limiter lets at most this many seconds' worth of sends go in one burst. A bucket of a
# whole second's worth (PTB's default) bursts `max_rate` sends at once and then runs at exactly the
# limit, so Telegram's own bucket is left empty and any jitter in arrival earns a 429, whose
# retry_after pauses every send (benchmarks/README.md, issue 15).
LIMITER_BURST_SECONDS = 0.05


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
        backoff: tuple[float, ...] = BACKOFF,
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
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self.delivery = TelegramDelivery(bot, self._api, self.pool_size, backoff, live_interval)
        # Bounded and expiring: a busy bot sees many (chat, member) pairs; memory must not grow with them.
        self._admins: TTLCache[tuple[int, int], bool] = TTLCache(maxsize=ADMIN_CACHE_SIZE, ttl=ADMIN_CACHE_SECONDS)
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
        self.delivery.username = me.username
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

    def _api(self) -> ExtBot[Any]:
        assert self.app is not None, "the application is built at start"
        api: ExtBot[Any] = self.app.bot
        return api

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
                await self.delivery.call(
                    partial(self.app.bot.set_my_commands, commands, scope=scope, language_code=code), None
                )

    # -- updates ----------------------------------------------------------------------------

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or message.from_user is None:
            return
        TOPIC.set(topic_of(message))
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
            await self.delivery.deliver_pending(message.chat_id)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.message is None or query.data is None:
            if query is not None:
                await self.delivery.call(lambda: query.answer(), None)
            return
        # Answered first: the button's spinner stops at once, whatever the core takes (grading).
        await self.delivery.call(lambda: query.answer(), None)
        chat = query.message.chat
        TOPIC.set(topic_of(query.message))
        is_admin = chat.type != "private" and await self.is_admin(chat.id, query.from_user.id)
        inc = incoming_from_action(chat.id, chat.type, query.from_user, query.data, is_admin, TOPIC.get())
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
        TOPIC.set(poll.get("thread"))
        inc = incoming_from_action(poll["chat"], poll["type"], answer.user, payload, thread=TOPIC.get())
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
            info = await self.delivery.call(lambda: self.app.bot.get_chat(chat_id), chat_id)  # type: ignore[union-attr]
            cached = isinstance(info, ChatFullInfo) and info.linked_chat_id == sender_id
            self._admins[key] = cached
        return cached

    async def is_admin(self, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        cached = self._admins.get(key)
        if cached is not None:
            return cached
        assert self.app is not None
        member = await self.delivery.call(lambda: self.app.bot.get_chat_member(chat_id, user_id), chat_id)  # type: ignore[union-attr]
        admin = isinstance(member, ChatMember) and member.status in ("administrator", "creator")
        self._admins[key] = admin
        return admin

    # -- sending ----------------------------------------------------------------------------

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        chat_id, topic = split_ref(chat.id)
        token = TOPIC.set(topic)
        try:
            return await self.delivery.deliver(chat_id, [reply], group=chat_id < 0, user_id=None)
        finally:
            TOPIC.reset(token)

    async def answer(
        self, chat_id: int, replies: list[Reply], *, group: bool, user_id: int | None, reply_to: int | None = None
    ) -> None:
        """Deliver replies to an update; tell the core when the chat turned out unreachable."""
        result = await self.delivery.deliver(chat_id, replies, group=group, user_id=user_id, reply_to=reply_to)
        await self.bot.send_result(chat_ref(chat_id, topic_for(chat_id)), result)
