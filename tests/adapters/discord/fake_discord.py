"""A small fake Discord on 127.0.0.1: REST under /api/v10 and a gateway websocket.

Enough of Discord for the real discord.py client: login (/users/@me, /oauth2/applications/@me),
/gateway/bot, command sync (PUT /applications/{id}[/guilds/{id}]/commands), interaction
callbacks, webhook followups (and @original edits and deletes), channel messages, DMs, and a
gateway that says HELLO, answers IDENTIFY with READY and GUILD_CREATE, acks heartbeats, and
sends the INTERACTION_CREATE dispatches a test injects. Every request is recorded; a test
can make the next matching requests fail with 403, 404 or 429 (a proper rate-limit answer:
JSON body, X-RateLimit headers, and `Via`, without which discord.py sees a Cloudflare ban).
A channel message sent with a nonce and `enforce_nonce` is posted once: a resend with the same
nonce within `nonce_window` seconds gets the message already posted, as Discord answers it.
`revoked = True` answers every REST call with 401 (the bot's token was reset).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

APP_ID = 900000000000000001  # also the bot user's id
GUILD_ID = 910000000000000001
CHANNEL_ID = 920000000000000001
OWNER_ID = 930000000000000001
BOT_NAME = "studybot"
TIMESTAMP = "2026-03-02T09:00:00.000000+00:00"

# Discord permission bits used here.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_HISTORY = 1 << 16
MANAGE_GUILD = 1 << 5
USE_APP_COMMANDS = 1 << 31
MEMBER_PERMS = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_HISTORY | USE_APP_COMMANDS
ADMIN_PERMS = MEMBER_PERMS | MANAGE_GUILD


@dataclass
class Request:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any = None
    files: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, data)
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    retry_after: float
    code: int | None = None  # Discord's JSON error code; a typical one for the status when None
    hold: float = 0.0  # seconds to sit on the request first (a slow API; the answer may come too late)


def user_payload(uid: int, name: str, global_name: str | None = None, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(uid),
        "username": name,
        "global_name": global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
        "flags": 0,
    }


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with Content-Type exactly `application/json` (discord.py parses nothing else; aiohttp's
    json_response would add `; charset=utf-8`)."""
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


BOT_USER = user_payload(APP_ID, BOT_NAME, None, bot=True)


class FakeDiscord:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.identifies: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or guild id -> last synced payload
        self.sockets: list[web.WebSocketResponse] = []
        self.failures: list[Failure] = []
        self.guild_name = "Study Hall"
        self.channel_name = "general"
        self._ids = itertools.count(940000000000000001)
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.delay: float = 0.0  # seconds every REST answer waits (a slow Discord)
        self.posted: dict[str, dict[str, Any]] = {}  # message id -> the message as it looks now
        self.channel_posts: list[dict[str, Any]] = []  # messages created by POST /channels/{id}/messages
        self.nonce_window = 300.0  # Discord says "the past few minutes"
        self._nonces: dict[tuple[int, str], tuple[float, dict[str, Any]]] = {}
        self.revoked = False

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware], client_max_size=32 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def close(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def snowflake(self) -> int:
        return next(self._ids)

    # -- failures on demand --------------------------------------------------------------------

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        times: int = 1,
        retry_after: float = 0.05,
        code: int | None = None,
        hold: float = 0.0,
    ) -> None:
        """The next `times` requests matching method and path (a regex, full match) get `status`
        (200: answered normally, after `hold` seconds)."""
        self.failures.append(Failure(method.upper(), re.compile(path_regex), status, times, retry_after, code, hold))

    def _failure_for(self, method: str, path: str) -> Failure | None:
        for f in self.failures:
            if f.times > 0 and f.method == method and f.pattern.fullmatch(path):
                f.times -= 1
                return f
        return None

    # -- REST ------------------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        return await handler(request)  # type: ignore[no-any-return]

    async def _parse(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            body: Any = None
            files = []
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                if part.name == "payload_json":  # type: ignore[union-attr]
                    body = json.loads(data)
                else:
                    files.append((part.filename or "", bytes(data)))  # type: ignore[union-attr]
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body, files = await self._parse(request)
        rec = Request(request.method, path, dict(request.query), body, files)
        self.requests.append(rec)
        if self.revoked:
            rec.status = 401
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        if self.delay:
            await asyncio.sleep(self.delay)
        failure = self._failure_for(request.method, path)
        if failure is not None and failure.hold:
            await asyncio.sleep(failure.hold)
        if failure is not None and failure.status != 200:
            rec.status = failure.status
            return self._error(failure)
        status, payload = self._route(request.method, path, body, files)
        rec.status = status
        if payload is None:
            return web.Response(status=status)
        return json_response(payload, status)

    def _error(self, failure: Failure) -> web.Response:
        if failure.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": failure.retry_after, "global": False}
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(max(1, int(failure.retry_after))),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(failure.retry_after),
                "X-RateLimit-Bucket": "fake-bucket",
                "X-RateLimit-Scope": "user",
            }
            return json_response(body, 429, headers)
        if failure.status >= 500:  # Discord's edge answers 5xx with a plain body
            return web.Response(status=failure.status, text=f"{failure.status}: Service Unavailable")
        code = failure.code if failure.code is not None else {403: 50013, 404: 10003}.get(failure.status, 0)
        messages = {
            50001: "Missing Access",
            50007: "Cannot send messages to this user",
            50013: "Missing Permissions",
            10003: "Unknown Channel",
            10013: "Unknown User",
        }
        return json_response({"message": messages.get(code, "Error"), "code": code}, failure.status)

    def _route(self, method: str, path: str, body: Any, files: list[tuple[str, bytes]]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/users/@me":
            return 200, BOT_USER
        if method == "GET" and path == "/oauth2/applications/@me":
            return 200, {
                "id": str(APP_ID),
                "name": BOT_NAME,
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user_payload(OWNER_ID, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
                "summary": "",
                "team": None,
            }
        if method == "GET" and path == "/gateway/bot":
            return 200, {
                "url": self.gateway_url,
                "shards": 1,
                "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
            }
        if parts[0] == "applications" and parts[-1] == "commands":
            scope = parts[3] if len(parts) == 5 else "global"
            if method == "PUT":
                synced = [
                    {**c, "id": str(self.snowflake()), "application_id": str(APP_ID), "version": "1"}
                    for c in (body or [])
                ]
                self.commands[scope] = synced
                return 200, synced
            return 200, self.commands.get(scope, [])
        if parts[0] == "interactions" and parts[-1] == "callback":
            return 200, self._callback_answer(parts[1], body or {})
        if parts[0] == "webhooks":
            if len(parts) == 3 and method == "POST":
                return 200, self.message(0, body or {}, files, flags=(body or {}).get("flags", 0))
            if len(parts) == 5 and method == "PATCH":
                return 200, self.message(0, body or {}, files)
            if len(parts) == 5 and method == "DELETE":
                return 204, None
            if len(parts) == 5 and method == "GET":
                return 200, self.message(0, {}, [])
        if parts[0] == "channels" and len(parts) >= 3 and parts[2] == "messages" and method == "POST":
            return 200, self._channel_post(int(parts[1]), body or {}, files)
        if parts[0] == "channels" and len(parts) == 4 and parts[2] == "messages" and method == "PATCH":
            known = self.posted.get(parts[3])
            if known is None:
                return 404, {"message": "Unknown Message", "code": 10008}
            known.update({k: v for k, v in (body or {}).items() if k in ("embeds", "components", "content")})
            return 200, known
        if parts[0] == "channels" and len(parts) == 2 and method == "GET":
            return 200, self.channel(int(parts[1]))
        if method == "POST" and path == "/users/@me/channels":
            recipient = (body or {}).get("recipient_id")
            return 200, {
                "id": str(self.snowflake()),
                "type": 1,
                "last_message_id": None,
                "recipients": [user_payload(int(str(recipient)), "someone")],
            }
        if parts[0] == "users" and len(parts) == 2 and method == "GET":
            return 200, user_payload(int(parts[1]), "owner" if int(parts[1]) == OWNER_ID else "someone")
        return 404, {"message": "404: Not Found", "code": 0}

    def _callback_answer(self, interaction_id: str, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type")
        data = body.get("data") or {}
        ephemeral = bool(data.get("flags", 0) & 64)
        answer: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if kind == 4:
            message = self.message(0, data, [])
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": 4, "message": message}
        elif kind is not None:
            answer["resource"] = {"type": kind}
        return answer

    def _channel_post(self, channel_id: int, body: dict[str, Any], files: list[tuple[str, bytes]]) -> dict[str, Any]:
        nonce = body.get("nonce")
        key = (channel_id, str(nonce))
        if nonce is not None and body.get("enforce_nonce"):
            seen = self._nonces.get(key)
            if seen is not None and time.monotonic() - seen[0] < self.nonce_window:
                return {**seen[1], "nonce": nonce}
        message = self.message(channel_id, body, files)
        self.channel_posts.append(message)
        if nonce is not None:
            self._nonces[key] = (time.monotonic(), message)
            return {**message, "nonce": nonce}  # only the answer to the create carries it, as on Discord
        return message

    def message(
        self, channel_id: int, body: dict[str, Any], files: list[tuple[str, bytes]], flags: int = 0
    ) -> dict[str, Any]:
        message = self._message(channel_id, body, files, flags)
        self.posted[message["id"]] = message  # as it looks now: edits (PATCH) apply to it
        return message

    def _message(
        self, channel_id: int, body: dict[str, Any], files: list[tuple[str, bytes]], flags: int = 0
    ) -> dict[str, Any]:
        return {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id or CHANNEL_ID),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "type": 0,
            "attachments": [
                {
                    "id": str(self.snowflake()),
                    "filename": name,
                    "size": len(data),
                    "url": f"{self.base_url}/f/{name}",
                    "proxy_url": f"{self.base_url}/f/{name}",
                }
                for name, data in files
            ],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "flags": flags,
        }

    def channel(self, channel_id: int) -> dict[str, Any]:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": self.channel_name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }

    def guild(self) -> dict[str, Any]:
        return {
            "id": str(GUILD_ID),
            "name": self.guild_name,
            "owner_id": str(OWNER_ID),
            "icon": None,
            "unavailable": False,
            "member_count": 4,
            "large": False,
            "joined_at": TIMESTAMP,
            "preferred_locale": "en-US",
            "features": [],
            "emojis": [],
            "stickers": [],
            "members": [],
            "presences": [],
            "voice_states": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "roles": [
                {
                    "id": str(GUILD_ID),
                    "name": "@everyone",
                    "permissions": str(MEMBER_PERMS),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [self.channel(CHANNEL_ID)],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "nsfw_level": 0,
            "system_channel_flags": 0,
            "afk_timeout": 300,
        }

    # -- gateway ---------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                op = payload.get("op")
                if op == 1:
                    await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    self.identifies.append(payload["d"])
                    await self._dispatch(
                        ws,
                        "READY",
                        {
                            "v": 10,
                            "user": BOT_USER,
                            "session_id": "fake-session",
                            "resume_gateway_url": self.gateway_url,
                            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                            "application": {"id": str(APP_ID), "flags": 0},
                            "shard": [0, 1],
                        },
                    )
                    await self._dispatch(ws, "GUILD_CREATE", self.guild())
                elif op == 6:
                    await self._dispatch(ws, "RESUMED", {})
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
        return ws

    async def _dispatch(self, ws: web.WebSocketResponse, event: str, data: Any) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._seq), "d": data})

    async def dispatch(self, event: str, data: Any) -> None:
        for ws in list(self.sockets):
            await self._dispatch(ws, event, data)

    # -- interactions ----------------------------------------------------------------------------

    def interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: dict[str, Any],
        guild: bool = True,
        channel_id: int = CHANNEL_ID,
        locale: str = "en-US",
        permissions: int = MEMBER_PERMS,
        message: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        iid = self.snowflake()
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(APP_ID),
            "type": kind,
            "data": data,
            "token": f"tok{iid}",
            "version": 1,
            "locale": locale,
            "channel_id": str(channel_id),
            "app_permissions": str(ADMIN_PERMS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)} if guild else {},
            "context": 0 if guild else 1,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild:
            payload["guild_id"] = str(GUILD_ID)
            payload["guild_locale"] = "en-US"
            payload["channel"] = {**self.channel(channel_id)}
            payload["member"] = {
                "user": user,
                "roles": [],
                "joined_at": TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "pending": False,
                "nick": None,
                "avatar": None,
                "premium_since": None,
                "communication_disabled_until": None,
                "permissions": str(permissions),
            }
        else:
            payload["user"] = user
            payload["channel"] = {
                "id": str(channel_id),
                "type": 1,
                "recipients": [user],
                "last_message_id": None,
                "flags": 0,
            }
        if message is not None:
            payload["message"] = message
        return payload

    async def slash(
        self, name: str, options: dict[str, Any] | None = None, *, resolved: dict[str, Any] | None = None, **kw: Any
    ) -> dict[str, Any]:
        """A slash command; options are strings, except `role` (type 8, described in `resolved`)."""
        data: dict[str, Any] = {"id": str(self.snowflake()), "name": name, "type": 1}
        if options:
            data["options"] = [{"name": k, "type": 8 if k == "role" else 3, "value": v} for k, v in options.items()]
        if resolved:
            data["resolved"] = resolved
        payload = self.interaction(2, data, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def autocomplete(self, name: str, option: str, value: str, **kw: Any) -> dict[str, Any]:
        data = {
            "id": str(self.snowflake()),
            "name": name,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": value, "focused": True}],
        }
        payload = self.interaction(4, data, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def click(self, custom_id: str, **kw: Any) -> dict[str, Any]:
        # The message the button is on (discord.py looks the pressed button up in it).
        button = {"type": 2, "style": 2, "label": "button", "custom_id": custom_id}
        message = kw.pop("message", None) or self.message(
            kw.get("channel_id", CHANNEL_ID), {"components": [{"type": 1, "components": [button]}]}, []
        )
        payload = self.interaction(3, {"custom_id": custom_id, "component_type": 2}, message=message, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def submit(self, custom_id: str, values: dict[str, str], **kw: Any) -> dict[str, Any]:
        components = [
            {"type": 18, "id": i + 1, "component": {"type": 4, "id": i + 10, "custom_id": k, "value": v}}
            for i, (k, v) in enumerate(values.items())
        ]
        message = kw.pop("message", None) or self.message(kw.get("channel_id", CHANNEL_ID), {}, [])
        payload = self.interaction(5, {"custom_id": custom_id, "components": components}, message=message, **kw)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    # -- looking at what was sent ----------------------------------------------------------------

    def find(self, method: str | None = None, path: str | None = None) -> list[Request]:
        """Recorded requests; `path` is a regex that must match the whole path."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or re.fullmatch(path, r.path))
        ]

    def answers(self, interaction: dict[str, Any]) -> list[Request]:
        """Everything sent in answer to one interaction: its callback, followups and @original edits."""
        iid, token = interaction["id"], interaction["token"]
        return [
            r
            for r in self.requests
            if r.path.startswith(f"/interactions/{iid}/{token}/") or r.path.startswith(f"/webhooks/{APP_ID}/{token}")
        ]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """Poll `check` until it returns something truthy (returned), or fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out waiting; {len(self.requests)} requests: "
                    + ", ".join(f"{r.method} {r.path} {r.status}" for r in self.requests[-15:])
                )
            await asyncio.sleep(0.01)
