"""Talking to the judge: one AsyncOpenAI client (connections reused), strict JSON back, or a reason why not.

Any OpenAI-compatible server works (Ollama, llama.cpp's llama-server, vLLM, hosted APIs). We ask
for structured output (`response_format` with our JSON schema); a server that refuses that
parameter is asked once more with plain JSON mode and remembered. Whatever comes back is
validated with pydantic: a reply that is not our schema is a failure like any other.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import openai
from openai import AsyncOpenAI
from pydantic import ValidationError

from bot.judging.verdict import JudgeVerdict, response_schema

log = logging.getLogger(__name__)

SEED = 7  # a fixed seed where the server supports one: the same answer, the same verdict


class JudgeUnavailable(Exception):
    """The judge gave no usable verdict; `reason` is a short word for logs and `studybot grade`."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class JudgeEndpoint:
    url: str
    model: str
    api_key: str | None
    timeout: float


class JudgeClient:
    def __init__(self, endpoint: JudgeEndpoint) -> None:
        self.endpoint = endpoint
        # max_retries=0: a failure falls back to the offline grade at once; the breaker spaces retries.
        self.client = AsyncOpenAI(
            base_url=endpoint.url,
            api_key=endpoint.api_key or "no-key",  # local servers ignore it; the client insists on one
            timeout=endpoint.timeout,
            max_retries=0,
        )
        self._structured = True

    async def close(self) -> None:
        await self.client.close()

    async def ask(self, system: str, user: str) -> JudgeVerdict:
        messages: list[Any] = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        try:
            content = await self._complete(messages)
        except openai.APITimeoutError as exc:
            raise JudgeUnavailable("timeout") from exc
        except openai.RateLimitError as exc:
            raise JudgeUnavailable("rate-limited") from exc
        except openai.APIStatusError as exc:
            raise JudgeUnavailable(f"http-{exc.status_code}") from exc
        except openai.APIConnectionError as exc:
            raise JudgeUnavailable("unreachable", type(exc.__cause__ or exc).__name__) from exc
        except openai.OpenAIError as exc:
            raise JudgeUnavailable("error", type(exc).__name__) from exc
        try:
            return JudgeVerdict.model_validate(json.loads(_json_part(content)))
        except (ValueError, ValidationError) as exc:
            raise JudgeUnavailable("invalid-json", str(exc)[:200]) from exc

    async def _complete(self, messages: list[Any]) -> str:
        if self._structured:
            schema = {"name": "grade", "schema": response_schema(), "strict": True}
            try:
                return await self._create(messages, {"type": "json_schema", "json_schema": schema})
            except openai.BadRequestError:
                log.info("the judge refused structured output; using JSON mode from now on")
                self._structured = False
        return await self._create(messages, {"type": "json_object"})

    async def _create(self, messages: list[Any], response_format: Any) -> str:
        response = await self.client.chat.completions.create(
            model=self.endpoint.model,
            messages=messages,
            temperature=0,
            seed=SEED,
            response_format=response_format,
        )
        return _content(response)


def _content(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    content = choices[0].message.content if choices else None
    if not content:
        raise JudgeUnavailable("invalid-json", "empty reply")
    return str(content)


def _json_part(text: str) -> str:
    """The JSON object in a reply; small models sometimes wrap it in a ``` fence or a sentence."""
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if start != -1 and end > start else text
