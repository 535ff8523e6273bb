"""A small fake of Telegram's Bot API: aiohttp on a random 127.0.0.1 port.

It speaks the wire protocol python-telegram-bot speaks (form or multipart POSTs to
/bot<token>/<method>, JSON `{"ok": ...}` answers), serves getUpdates from a queue the test
fills, records every call, and fails chosen calls on demand (429, 403, 400, migrate).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID = 999_001
BOT_USERNAME = "studybot_test_bot"
TOKEN = "123456:TEST-token-never-real"

# Values PTB sends as plain strings (everything else arrives JSON-encoded).
_STRING_FIELDS = {
    "text",
    "caption",
    "question",
    "explanation",
    "callback_query_id",
    "url",
    "secret_token",
    "type",
    "parse_mode",
    "language_code",
    "filename",
    "poll_id",
    "input_field_placeholder",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)  # when it arrived (benchmarks)
    refused: bool = False  # answered with an error (a 429 under the flood limits, a chosen failure)


@dataclass
class Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    chat_id: int | None = None  # only calls aimed at this chat fail


def user(uid: int, first: str = "Ada", last: str = "", username: str | None = None, lang: str = "en") -> dict[str, Any]:
    u: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first, "language_code": lang}
    if last:
        u["last_name"] = last
    if username:
        u["username"] = username
    return u


def chat(cid: int, kind: str = "private", title: str = "Study group") -> dict[str, Any]:
    return {"id": cid, "type": kind, **({"title": title} if kind != "private" else {"first_name": "Ada"})}


class FakeBotApi:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.failures: dict[str, list[Failure]] = {}
        self.admins: dict[int, set[int]] = {}
        self.webhook: dict[str, Any] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._poll_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Crash tests: messages count as delivered only once the bot could be told so, and
        # after `hold_after` deliveries further sends are held (no answer) until release().
        self.delivered: list[int] = []
        self.hold_after: int | None = None
        self.held = 0
        self._release = asyncio.Event()
        # Slow API: the next sends to a chat are answered only after this many seconds (they
        # still count as delivered: the bot may have given up waiting by then).
        self.holds: dict[int, list[float]] = {}
        # Telegram's flood limits, when set: more than `group_per_minute` messages (sends and edits)
        # to one group within 60 s, or more than one per `chat_interval` s to one chat, get a 429.
        self.group_per_minute: int | None = None
        self.chat_interval: float | None = None
        self.too_many = 0
        self._recent: dict[int, list[float]] = {}
        self.linked: dict[int, int] = {}  # group id -> its linked channel's id
        self.texts_now: dict[tuple[int, int], str] = {}  # (chat, message id) -> its text, edits applied

    # -- server -------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        self._new_update.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        files: dict[str, bytes] = {}
        if request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if hasattr(value, "file"):
                    files[key] = value.file.read()
                else:
                    params[key] = self._decode(key, str(value))
        if method != "getUpdates":
            self.calls.append(Call(method, params, files))
        failure = self._take_failure(method, params) or self._flood(method, params)
        if failure is not None:
            if self.calls and self.calls[-1].params is params:
                self.calls[-1].refused = True
            return self._error(failure.status, failure.description, failure.parameters)
        handler = getattr(self, f"m_{method}", None)
        result = await handler(params, files) if handler else True
        if method == "sendMessage":
            hold = self.holds.get(int(params["chat_id"]))
            if hold:
                await asyncio.sleep(hold.pop(0))
                # Telegram has posted it, whether or not the bot still waits for the answer.
                self.delivered.append(int(params["chat_id"]))
                return web.json_response({"ok": True, "result": result})
            if self.hold_after is not None and len(self.delivered) >= self.hold_after:
                self.held += 1
                await self._release.wait()
            transport = request.transport
            if transport is None or transport.is_closing():
                return web.Response(status=499)  # the bot is gone: it never learned of this message
            self.delivered.append(int(params["chat_id"]))
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _decode(key: str, value: str) -> Any:
        if key in _STRING_FIELDS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    @staticmethod
    def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=status)

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        queue = self.failures.get(method) or []
        for i, failure in enumerate(queue):
            if failure.chat_id is None or failure.chat_id == params.get("chat_id"):
                return queue.pop(i)
        return None

    _LIMITED = frozenset({"sendMessage", "sendPoll", "sendPhoto", "sendDocument", "editMessageText"})

    def _flood(self, method: str, params: dict[str, Any]) -> Failure | None:
        if method not in self._LIMITED or "chat_id" not in params:
            return None
        cid, now = int(params["chat_id"]), time.monotonic()
        recent = [t for t in self._recent.get(cid, []) if now - t < 60]
        wait = 0.0
        if cid < 0 and self.group_per_minute is not None and len(recent) >= self.group_per_minute:
            wait = 60 - (now - recent[-self.group_per_minute])
        if cid > 0 and self.chat_interval is not None and recent and now - recent[-1] < self.chat_interval:
            wait = self.chat_interval - (now - recent[-1])
        if wait > 0:
            self.too_many += 1
            retry = max(1, int(wait + 0.999))
            return Failure(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        recent.append(now)
        self._recent[cid] = recent
        return None

    # -- test controls ------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        parameters: dict[str, Any] | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        for _ in range(times):
            self.failures.setdefault(method, []).append(Failure(status, description, parameters, chat_id))

    def push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        self._new_update.set()
        return update_id

    def message(
        self,
        from_user: dict[str, Any],
        in_chat: dict[str, Any],
        text: str,
        reply_to: dict[str, Any] | None = None,
        sender_chat: dict[str, Any] | None = None,
        topic: int | None = None,
    ) -> int:
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": in_chat,
            "from": from_user,
            "text": text,
        }
        if sender_chat is not None:
            msg["sender_chat"] = sender_chat
        if topic is not None:  # a forum topic's message
            msg["message_thread_id"], msg["is_topic_message"] = topic, True
        if text.startswith("/"):
            length = len(text.split()[0])
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return self.push({"message": msg})

    def press(self, from_user: dict[str, Any], message: dict[str, Any], data: str) -> int:
        return self.push(
            {
                "callback_query": {
                    "id": str(next(self._message_ids)),
                    "from": from_user,
                    "chat_instance": "ci",
                    "message": message,
                    "data": data,
                }
            }
        )

    def vote(self, from_user: dict[str, Any], poll_id: str, option: int) -> int:
        return self.push(
            {
                "poll_answer": {
                    "poll_id": poll_id,
                    "user": from_user,
                    "option_ids": [option],
                    "option_persistent_ids": [f"{poll_id}-{option}"],
                }
            }
        )

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [c.params.get("text", "") for c in self.sent("sendMessage", chat_id)]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:  # noqa: ASYNC109 (a test helper's deadline)
        """Poll until `predicate()` is truthy (or fail the test after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            await asyncio.sleep(0.02)
        raise AssertionError(
            "the bot did not do it in time; calls so far: "
            + ", ".join(f"{c.method}{c.params.get('chat_id', '')}" for c in self.calls[-15:])
        )

    # -- methods ------------------------------------------------------------------------------

    async def m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "studybot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def m_getUpdates(self, params: dict[str, Any], files: dict[str, bytes]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            timeout = float(params.get("timeout") or 0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout=min(timeout, 1.0))
        return list(self._updates)

    async def m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.webhook = params
        return True

    async def m_getChatMember(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        uid, cid = int(params["user_id"]), int(params["chat_id"])
        status = "administrator" if uid in self.admins.get(cid, set()) else "member"
        member: dict[str, Any] = {"status": status, "user": user(uid)}
        if status == "administrator":
            member.update(
                {
                    k: True
                    for k in (
                        "can_be_edited",
                        "is_anonymous",
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_promote_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                    )
                }
            )
        return member

    def _sent_message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        cid = params["chat_id"]
        kind = "private" if int(cid) > 0 else "supergroup"
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat(int(cid), kind),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "studybot", "username": BOT_USERNAME},
            **extra,
        }

    async def m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        sent = self._sent_message(params, text=params.get("text", ""))
        self.texts_now[(int(params["chat_id"]), sent["message_id"])] = sent["text"]
        return sent

    async def m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.texts_now:
            raise web.HTTPBadRequest(
                text=json.dumps(
                    {"ok": False, "error_code": 400, "description": "Bad Request: message to edit not found"}
                ),
                content_type="application/json",
            )
        self.texts_now[key] = params.get("text", "")
        return {**self._sent_message(params, text=params.get("text", "")), "message_id": key[1]}

    async def m_stopPoll(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        poll_id = str(params["message_id"])
        return {
            "id": poll_id,
            "question": "?",
            "options": [{"text": "a", "voter_count": 0, "persistent_id": "a"}],
            "total_voter_count": 0,
            "is_closed": True,
            "is_anonymous": False,
            "type": "quiz",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }

    async def m_getChat(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        cid = int(params["chat_id"])
        info: dict[str, Any] = {**chat(cid, "supergroup" if cid < 0 else "private"), "accent_color_id": 0}
        info["max_reaction_count"] = 11
        info["accepted_gift_types"] = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        if cid in self.linked:
            info["linked_chat_id"] = self.linked[cid]
        return info

    def release(self) -> None:
        self._release.set()

    async def m_sendPhoto(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self._sent_message(params, photo=[{"file_id": "p1", "file_unique_id": "p1", "width": 1, "height": 1}])

    async def m_sendDocument(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self._sent_message(params, document={"file_id": "d1", "file_unique_id": "d1"})

    async def m_sendPoll(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        poll_id = str(next(self._poll_ids))
        options = [
            {"text": o if isinstance(o, str) else o.get("text"), "voter_count": 0, "persistent_id": f"{poll_id}-{i}"}
            for i, o in enumerate(params["options"])
        ]
        poll = {
            "id": poll_id,
            "question": params["question"],
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": params.get("is_anonymous", True),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": False,
            "correct_option_ids": params.get("correct_option_ids"),
            "allows_revoting": False,
            "members_only": False,
        }
        return self._sent_message(params, poll=poll)
