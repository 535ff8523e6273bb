"""Logging for every `studybot` command: one line per event (text or JSON), secrets redacted.

Redaction happens where a log record is made (a record factory), so every handler sees the
redacted text — ours, a test's capture, anything a library adds. Known secrets (the bot tokens,
the webhook secret, the database password) are replaced wherever they appear, URL-encoded too;
secret-shaped strings we were not told about (another Telegram or Discord token, a password in a
URL, an Authorization header) are replaced by pattern. httpx logs request URLs, and Telegram's
URLs contain the token: this is what keeps it out.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from bot.settings import Settings

REDACTED = "[REDACTED]"

# Libraries that log every request or statement: kept at WARNING unless we debug.
NOISY = (
    "httpx",
    "httpcore",
    "aiosqlite",
    "alembic",
    "apscheduler",
    "discord.gateway",
    "discord.http",
    "asyncio",
    "matplotlib",
    "PIL",
    "hpack",
)

_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    # A Telegram bot token, <bot id>:<secret>, also inside a URL's "/bot<token>/" (no word boundary there).
    (re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}"), REDACTED),
    # A Discord bot token: three base64url pieces.
    (re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"), REDACTED),
    (re.compile(r"(?i)\b(authorization\W{1,4}(?:bot|bearer|basic)\s+)[^\s'\",}]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)(x-telegram-bot-api-secret-token\W{1,4})[^\s'\",}]+"), r"\1" + REDACTED),
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+@"), r"\1" + REDACTED + "@"),  # user:password@host
)

# Attributes every LogRecord has; anything else was passed with `extra=` and goes into JSON lines.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class Redactor:
    """Replaces known secrets and secret-shaped strings in a piece of text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        known = {s for s in secrets if s and len(s) >= 6}
        known |= {quote(s, safe="") for s in known}
        self.secrets = sorted(known, key=len, reverse=True)  # longest first: a secret may contain another

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern, replacement in _SHAPES:
            text = pattern.sub(replacement, text)
        return text


def redact_record(record: logging.LogRecord, redact: Redactor) -> logging.LogRecord:
    """The record with its message, exception and stack text already formatted and redacted."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string in someone's log call must not lose the event
        message = f"{record.msg!r} {record.args!r}"
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    for key, value in list(vars(record).items()):
        if key not in _STANDARD and isinstance(value, str):
            setattr(record, key, redact(value))
    return record


class RedactingFilter(logging.Filter):
    """For handlers that get records made before the factory was installed (belt and braces)."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self.redact)
        return True


class OneLineFormatter(logging.Formatter):
    """`2026-03-02T09:00:00Z INFO bot.launcher: message` — a traceback stays on the same line."""

    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.redact = redact or Redactor()

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record)).replace("\r", "").replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, exc (when any), and every `extra=` field."""

    def __init__(self, redact: Redactor | None = None) -> None:
        super().__init__()
        self.redact = redact or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        return self.redact(json.dumps(out, ensure_ascii=False, default=str))


def _utc(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_base_factory: Callable[..., logging.LogRecord] | None = None


def install_redaction(redact: Redactor) -> None:
    """Every log record made from now on is redacted as it is made (idempotent; the last call wins)."""
    global _base_factory
    if _base_factory is None:
        _base_factory = logging.getLogRecordFactory()
    base = _base_factory

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(base(*args, **kwargs), redact)

    logging.setLogRecordFactory(factory)


_current = Redactor()


def redact(text: str) -> str:
    """`text` with the secrets of the last `configure` (and every secret-shaped string) replaced."""
    return _current(text)


def configure(level: str = "INFO", *, json_lines: bool = False, secrets: Iterable[str] = ()) -> Redactor:
    """Root logging to stderr for this process; returns the redactor (for error messages)."""
    global _current
    redact = _current = Redactor(secrets)
    install_redaction(redact)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(redact) if json_lines else OneLineFormatter(redact))
    handler.addFilter(RedactingFilter(redact))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    noisy_level = logging.INFO if level == "DEBUG" else logging.WARNING
    for name in NOISY:
        logging.getLogger(name).setLevel(noisy_level)
    logging.captureWarnings(True)
    sys.excepthook = _excepthook
    return redact


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An uncaught exception is one redacted log line, like everything else."""
    logging.getLogger("studybot").critical("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret these settings hold (the webhook secret derived from the token included)."""
    out: list[str] = []
    if settings.telegram_bot_token is not None:
        token = settings.telegram_bot_token.get_secret_value()
        out.append(token)
        if settings.telegram_webhook_secret is not None:
            out.append(settings.telegram_webhook_secret.get_secret_value())
        else:
            from bot.adapters.telegram.adapter import default_secret

            out.append(default_secret(token))
    if settings.discord_bot_token is not None:
        out.append(settings.discord_bot_token.get_secret_value())
    if settings.database_url is not None:
        from sqlalchemy.engine import make_url

        try:
            password = make_url(settings.database_url.get_secret_value()).password
        except Exception:  # a malformed URL fails later, with its own message; redact all of it
            password = settings.database_url.get_secret_value()
        if password:
            out.append(str(password))
    if settings.judge_api_key is not None:
        out.append(settings.judge_api_key.get_secret_value())
    return out


def configure_from(settings: Settings, level: str | None = None) -> Redactor:
    return configure(level or settings.log_level, json_lines=settings.log_json, secrets=settings_secrets(settings))
