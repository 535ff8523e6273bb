"""Replies delivered to Telegram: each Bot API call with the platform's errors mapped to a send result.

A reply is rendered (render.py) and sent as text, a quiz poll or a file; HTML the server cannot parse is resent
plain; a group that became a supergroup gets the message at its new id; a member's private feedback from a group
goes to their private chat, or waits there (PENDING_MAX, PENDING_TTL) while they have not opened it, the group
being told how once per PRIVATE_HINT_SECONDS. A round's live standings are edited in place at the group's pace
(`LiveMessages`), and a closed round's poll is stopped and its buttons removed. Network errors and 5xx are
tried again with back-off, a 429 is waited out up to MAX_INLINE_WAIT; what still fails is a `Retry`. A read
timeout is `Uncertain` (the message may have arrived: never resent at once), a 403 `Paused` or `Gone`
(outcomes.py): the core decides what happens next.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, TypeVar

from cachetools import TTLCache
from telegram import Message
from telegram.constants import ParseMode, PollType
from telegram.error import BadRequest, ChatMigrated, InvalidToken, TelegramError
from telegram.ext import ExtBot

from bot.adapters.live import LiveMessages
from bot.adapters.telegram.outcomes import is_parse_error, result_of
from bot.adapters.telegram.parse import chat_ref
from bot.adapters.telegram.render import TextOut, part_html, poll_fits, render_poll, render_text, wants_force_reply
from bot.core.app import StudyBot
from bot.core.events import Part, Reply
from bot.core.labels import feedback_waiting, open_private_chat
from bot.core.sending import Delivered, Gone, Paused, Refused, Retry, SendResult

log = logging.getLogger(__name__)
T = TypeVar("T")

BACKOFF = (1.0, 2.0, 4.0)
MAX_INLINE_WAIT = 60.0  # seconds a send may wait out a 429 before it is left for a later retry
_PARSE_ERROR = Refused("can't parse entities")
# A round's live standings are edited at most every 6 s: 10 of a group's 20 messages a minute,
# leaving the rest for questions, summaries and commands (PTB's limiter queues past 20/min).
LIVE_EDIT_SECONDS = 6.0
# Members who never opened a private chat: the group is told how, at most once per 10 minutes.
PRIVATE_HINT_SECONDS = 600
HINTED_GROUPS_MAX = 10_000
PENDING_TTL = timedelta(days=2)
PENDING_MAX = 20  # feedback messages kept per member until they open the private chat
DEEP_LINK_PAYLOAD = "feedback"
# The forum topic the update being handled (or the message being sent on the core's behalf) belongs
# to: every send to that group goes to the topic, including the live message's background writes
# (a task copies the context it was created in). Set at the start of every handler and send().
TOPIC: ContextVar[int | None] = ContextVar("telegram_topic", default=None)


def topic_for(chat_id: int) -> int | None:
    return TOPIC.get() if chat_id < 0 else None  # private chats have no topics


class Moved(Exception):
    """The chat became a supergroup with a new id: the message is resent there."""

    def __init__(self, new_chat_id: int) -> None:
        super().__init__(new_chat_id)
        self.new_chat_id = new_chat_id


class TelegramDelivery:
    """Sends for one adapter: `api` gives PTB's bot once the application is built; at most `pool_size` calls
    are in flight (one per pooled connection: a send waits here, before its request is built, never for a
    connection once built, which would count against the connect timeout)."""

    def __init__(
        self,
        bot: StudyBot,
        api: Callable[[], ExtBot[Any]],
        pool_size: int,
        backoff: tuple[float, ...] = BACKOFF,
        live_interval: float = LIVE_EDIT_SECONDS,
    ) -> None:
        self.bot = bot
        self.api = api
        self.backoff = backoff
        self.username = ""  # the bot's, for the link to its private chat (known once started)
        self._slots = asyncio.Semaphore(pool_size)
        self.live: LiveMessages[int, int] = LiveMessages(self._post_live, self._edit_live, live_interval)
        self._hinted: TTLCache[int, bool] = TTLCache(maxsize=HINTED_GROUPS_MAX, ttl=PRIVATE_HINT_SECONDS)

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
        bot = self.api()
        result: SendResult = Delivered()
        if reply.poll is not None and poll_fits(reply):
            out = render_poll(reply)
            for text in out.intro:
                if not isinstance(result := await self._send_text(chat_id, text, None), Delivered):
                    return result
            sent = await self.call(
                lambda: bot.send_poll(
                    chat_id,
                    out.question,
                    list(out.options),
                    message_thread_id=topic_for(chat_id),
                    type=PollType.QUIZ,
                    is_anonymous=False,
                    # PTB types an option's index as Literal[0..11]; render_poll keeps it among the options.
                    correct_option_ids=[out.correct],  # type: ignore[list-item]
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
                    {"actions": out.answers, "chat": sent.chat_id, "type": chat_type, "thread": topic_for(chat_id)}
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
                topic = topic_for(chat_id)
                sent_file = await self.call(
                    lambda: bot.send_photo(chat_id, a.data, caption=caption, message_thread_id=topic), chat_id
                )
            else:
                sent_file = await self.call(
                    lambda: bot.send_document(
                        chat_id, a.data, filename=a.filename, caption=caption, message_thread_id=topic_for(chat_id)
                    ),
                    chat_id,
                )
            return Delivered(str(sent_file.message_id)) if isinstance(sent_file, Message) else sent_file
        return result

    async def _send_text(self, chat_id: int, text: TextOut, reply_to: int | None) -> SendResult:
        bot = self.api()

        async def send(body: str, mode: ParseMode | None) -> Message:
            sent: Message = await bot.send_message(
                chat_id,
                body,
                parse_mode=mode,
                message_thread_id=topic_for(chat_id),
                reply_markup=text.markup,
                reply_to_message_id=reply_to,
                allow_sending_without_reply=True,
            )
            return sent

        sent = await self.call(lambda: send(text.html, ParseMode.HTML), chat_id, plain_fallback=True)
        if sent is _PARSE_ERROR:
            log.warning("telegram could not parse our HTML; sending plain text")
            sent = await self.call(lambda: send(text.plain, None), chat_id)
        return Delivered(str(sent.message_id)) if isinstance(sent, Message) else sent

    # -- live messages, closed rounds, members without a private chat -----------------------------

    async def _post_live(self, chat_id: int, reply: Reply) -> int | None:
        result = await self._send_text(chat_id, render_text(reply)[0], None)
        return int(result.message_id) if isinstance(result, Delivered) and result.message_id else None

    async def _edit_live(self, chat_id: int, message_id: int, reply: Reply) -> bool:
        text = render_text(reply)[0]
        try:
            await self.api().edit_message_text(text.html, chat_id, message_id, parse_mode=ParseMode.HTML)
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
        bot = self.api()
        message_id = int(json.loads(stored)["message"])
        if json.loads(stored)["poll"]:
            await self.call(lambda: bot.stop_poll(chat_id, message_id), chat_id)
        else:
            await self.call(lambda: bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None), chat_id)

    async def _keep_for_later(self, user_id: int, reply: Reply) -> None:
        key = f"tg:pending:{user_id}"
        kept: list[list[str]] = json.loads(await self.bot.recall(key) or "[]")
        kept = (kept + [[reply.lang, t.html] for t in render_text(reply)])[-PENDING_MAX:]
        await self.bot.remember(key, json.dumps(kept), ttl=PENDING_TTL)

    async def deliver_pending(self, user_id: int) -> None:
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

    async def call(
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
