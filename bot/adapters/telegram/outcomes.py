"""python-telegram-bot's errors as send results (the README's table, Telegram column).

PTB raises `Forbidden` for 403, `BadRequest` for 400, `InvalidToken` for 401/404,
`RetryAfter` for 429, `TimedOut` when a request got no answer in time, and `NetworkError`
for the rest (5xx, refused connections). `TimedOut` and `BadRequest` are `NetworkError`s,
so the order below matters.
"""

from __future__ import annotations

from datetime import timedelta

import aiohttp
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.core.sending import Gone, Paused, Refused, Retry, SendResult, Uncertain

# Forbidden descriptions that mean the account itself is gone, not that we were shut out.
_GONE_FORBIDDEN = ("user is deactivated", "chat was deleted", "group chat was deleted")
_GONE_BAD_REQUEST = ("chat not found", "peer_id_invalid", "user not found")


def retry_after_seconds(exc: RetryAfter) -> float:
    after = exc.retry_after
    return after.total_seconds() if isinstance(after, timedelta) else float(after)


def result_of(exc: TelegramError) -> SendResult:
    """What a failed send means for the chat (`ChatMigrated` and `InvalidToken` are handled before)."""
    text = str(exc).lower()
    if isinstance(exc, Forbidden):
        return Gone(str(exc)) if any(s in text for s in _GONE_FORBIDDEN) else Paused(str(exc))
    if isinstance(exc, RetryAfter):
        return Retry(str(exc), retry_after_seconds(exc))
    if isinstance(exc, BadRequest):
        return Gone(str(exc)) if any(s in text for s in _GONE_BAD_REQUEST) else Refused(str(exc))
    if isinstance(exc, TimedOut):
        # A connect or pool timeout: the request never left, so sending again duplicates nothing.
        if isinstance(exc.__cause__, aiohttp.ConnectionTimeoutError):
            return Retry(str(exc))
        return Uncertain(str(exc))
    if isinstance(exc, NetworkError):
        return Retry(str(exc))
    return Refused(str(exc))


def is_parse_error(exc: TelegramError) -> bool:
    return isinstance(exc, BadRequest) and "parse entities" in str(exc).lower()
