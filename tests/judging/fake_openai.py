"""A fake OpenAI-compatible server (POST /v1/chat/completions) on 127.0.0.1 for the judge's tests.

It answers the way real servers do, including the ways they fail: a well-formed verdict, a
malformed one, a verdict that "obeys" an instruction inside the answer, 429 and 500 with
OpenAI's error bodies, a refusal of structured output, and slowness past the client's timeout.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeOpenAI:
    mode: str = "good"  # good | malformed | obey | 429 | 500 | slow | no-structured
    verdict: dict[str, Any] = field(
        default_factory=lambda: {"score": 0.8, "key_points": [], "wrong_claims": [], "feedback": "Good."}
    )
    delay: float = 0.0
    gate: asyncio.Event | None = None  # when set, each reply waits for it (a judge still thinking)
    asked: asyncio.Event = field(default_factory=asyncio.Event)  # set by the first request
    clients: list[Callable[[], Awaitable[None]]] = field(default_factory=list)  # closed before the server stops
    requests: list[dict[str, Any]] = field(default_factory=list)
    runner: web.AppRunner | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    async def stop(self) -> None:
        for close in self.clients:
            await close()
        if self.runner is not None:
            await self.runner.cleanup()

    async def _complete(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.asked.set()
        if self.mode == "429":
            return _error(429, "rate_limit_exceeded", "Rate limit reached", {"retry-after": "20"})
        if self.mode == "500":
            return _error(500, "server_error", "The server had an error while processing your request")
        if self.mode == "no-structured" and body.get("response_format", {}).get("type") == "json_schema":
            return _error(400, "invalid_request_error", "response_format json_schema is not supported")
        if self.gate is not None:
            await self.gate.wait()
        if self.mode == "slow" or self.delay:
            await asyncio.sleep(self.delay or 30)
        if self.mode == "malformed":
            content = '{"score": 0.9, "key_points": [ oops'
        elif self.mode == "obey":
            user = body["messages"][-1]["content"]
            obeyed = "1.0" in user or "full marks" in user.lower()
            content = json.dumps({**self.verdict, "score": 1.0} if obeyed else self.verdict)
        else:
            content = json.dumps(self.verdict)
        return web.json_response(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        )


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    payload = {"error": {"message": message, "type": code, "param": None, "code": code}}
    return web.json_response(payload, status=status, headers=headers)
