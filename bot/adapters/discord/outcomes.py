"""discord.py's errors as send results (the README's table, Discord column).

discord.py already sleeps through 429s it can absorb and retries 5xx a few times; what it
raises after that is mapped here. Discord's JSON error codes decide between "gone" and
"paused": https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
"""

from __future__ import annotations

import aiohttp
import discord

from bot.core.sending import Gone, Paused, Refused, Retry, SendResult, Uncertain

UNKNOWN_CHANNEL = 10003
UNKNOWN_USER = 10013
MISSING_ACCESS = 50001
CANNOT_DM = 50007
MISSING_PERMISSIONS = 50013
_GONE = {UNKNOWN_CHANNEL, UNKNOWN_USER}
UNAUTHORIZED = 401
AUTHENTICATION_FAILED = 4004  # the gateway's close code for a token it does not accept


def result_of(exc: BaseException) -> SendResult:
    """What a failed send means for the channel."""
    if isinstance(exc, discord.Forbidden):  # 50001, 50007, 50013: shut out, not gone
        return Paused(f"403 {exc.code}: {exc.text}"[:200])
    if isinstance(exc, discord.NotFound):
        reason = f"404 {exc.code}: {exc.text}"[:200]
        return Gone(reason) if exc.code in _GONE else Refused(reason)
    if isinstance(exc, discord.DiscordServerError):
        return Retry(f"{exc.status} {exc.text}"[:200])
    if isinstance(exc, discord.RateLimited):
        return Retry("rate limited", exc.retry_after)
    if isinstance(exc, discord.HTTPException):
        if exc.status == 429:
            return Retry("rate limited")
        if exc.status == UNAUTHORIZED:  # the token was reset: nothing was sent (the adapter stops)
            return Retry(f"token rejected: {exc.status} {exc.text}"[:200])
        return Refused(f"{exc.status} {exc.code}: {exc.text}"[:200])
    if isinstance(exc, TimeoutError):  # the request left; Discord may have posted it
        return Uncertain("timed out")
    if isinstance(exc, aiohttp.ClientError | OSError):
        return Retry(f"network: {type(exc).__name__}")
    raise exc


def token_rejected(exc: BaseException) -> bool:
    """The platform no longer accepts the bot's token (REST 401, or the gateway closed with 4004)."""
    if isinstance(exc, discord.HTTPException):
        return exc.status == UNAUTHORIZED
    return isinstance(exc, discord.ConnectionClosed) and exc.code == AUTHENTICATION_FAILED


def wants_admin_told(result: SendResult) -> bool:
    """Missing access or permissions in a server channel: its owner can fix that."""
    return isinstance(result, Paused) and result.reason.startswith(("403 50001", "403 50013"))
