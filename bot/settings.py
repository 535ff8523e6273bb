"""All configuration, validated once, from the environment (and a .env file if present).

Secrets are SecretStr: they print as '**********' in logs, reprs and error messages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.content.loader import DEFAULT_ROOT

_TELEGRAM_TOKEN = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{1,200}")
_DISCORD_TOKEN = re.compile(r"[A-Za-z0-9_.-]{1,200}")


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "studybot"


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default_factory=default_data_dir, validation_alias=_env("STUDYBOT_DATA_DIR"))
    db_path: Path | None = Field(default=None, validation_alias=_env("STUDYBOT_DB"))
    database_url: SecretStr | None = Field(default=None, validation_alias=_env("STUDYBOT_DATABASE_URL"))
    sqlite_synchronous: Literal["NORMAL", "FULL"] = Field(
        default="NORMAL", validation_alias=_env("STUDYBOT_SQLITE_SYNCHRONOUS")
    )
    content_dir: Path = Field(default=DEFAULT_ROOT, validation_alias=_env("STUDYBOT_CONTENT_DIR"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias=_env("STUDYBOT_LOG_LEVEL")
    )
    delivery_lease_seconds: float = Field(
        default=120, gt=0, le=3600, validation_alias=_env("STUDYBOT_DELIVERY_LEASE_SECONDS")
    )
    # The daily purge (bot/core/purge.py): the ledger must outlive a day to keep deliveries exactly-once.
    ledger_retention_days: int = Field(
        default=90, ge=2, le=100 * 365, validation_alias=_env("STUDYBOT_LEDGER_RETENTION_DAYS")
    )
    expired_retention_hours: float = Field(
        default=0, ge=0, le=365 * 24, validation_alias=_env("STUDYBOT_EXPIRED_RETENTION_HOURS")
    )
    telegram_rate_limit: float = Field(default=30, gt=0, validation_alias=_env("TELEGRAM_RATE_LIMIT"))
    round_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60, validation_alias=_env("STUDYBOT_ROUND_MINUTES"))
    log_json: bool = Field(default=False, validation_alias=_env("STUDYBOT_LOG_JSON"))
    # Abuse limits (0 = no limit): graded answers per learner per minute, new rounds per group per hour.
    answers_per_minute: int = Field(default=12, ge=0, le=10_000, validation_alias=_env("STUDYBOT_ANSWERS_PER_MINUTE"))
    rounds_per_hour: int = Field(default=20, ge=0, le=10_000, validation_alias=_env("STUDYBOT_ROUNDS_PER_HOUR"))
    # SIGTERM/SIGINT: how long in-flight replies and deliveries may take before the process exits anyway.
    stop_timeout: float = Field(default=20, gt=0, le=600, validation_alias=_env("STUDYBOT_STOP_TIMEOUT"))

    telegram_bot_token: SecretStr | None = Field(default=None, validation_alias=_env("TELEGRAM_BOT_TOKEN"))
    telegram_api_base_url: str | None = Field(default=None, validation_alias=_env("TELEGRAM_API_BASE_URL"))
    telegram_webhook_url: str | None = Field(default=None, validation_alias=_env("TELEGRAM_WEBHOOK_URL"))
    telegram_webhook_listen: str = Field(default="0.0.0.0", validation_alias=_env("TELEGRAM_WEBHOOK_LISTEN"))
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535, validation_alias=_env("TELEGRAM_WEBHOOK_PORT"))
    telegram_webhook_secret: SecretStr | None = Field(default=None, validation_alias=_env("TELEGRAM_WEBHOOK_SECRET"))
    discord_bot_token: SecretStr | None = Field(default=None, validation_alias=_env("DISCORD_BOT_TOKEN"))
    discord_api_base_url: str | None = Field(default=None, validation_alias=_env("DISCORD_API_BASE_URL"))
    discord_gateway_url: str | None = Field(default=None, validation_alias=_env("DISCORD_GATEWAY_URL"))
    discord_dev_guild: int | None = Field(default=None, validation_alias=_env("DISCORD_DEV_GUILD"))
    # Scale-out: this process owns shards DISCORD_SHARD_IDS (e.g. "0,1") of DISCORD_SHARD_COUNT.
    discord_shard_count: int | None = Field(default=None, ge=1, le=10_000, validation_alias=_env("DISCORD_SHARD_COUNT"))
    discord_shard_ids: tuple[int, ...] | None = Field(default=None, validation_alias=_env("DISCORD_SHARD_IDS"))

    # Optional LLM judge (README "Grading with an LLM"): any OpenAI-compatible endpoint; off unless the URL is set.
    judge_url: str | None = Field(default=None, validation_alias=_env("STUDYBOT_JUDGE_URL"))
    judge_model: str = Field(default="", validation_alias=_env("STUDYBOT_JUDGE_MODEL"))
    judge_api_key: SecretStr | None = Field(default=None, validation_alias=_env("STUDYBOT_JUDGE_API_KEY"))
    judge_timeout: float = Field(default=8.0, gt=0, le=120, validation_alias=_env("STUDYBOT_JUDGE_TIMEOUT"))
    judge_mode: Literal["assist", "replace"] = Field(default="assist", validation_alias=_env("STUDYBOT_JUDGE_MODE"))

    @field_validator("discord_shard_ids", mode="before")
    @classmethod
    def _shard_list(cls, v: object) -> object:
        if isinstance(v, str):
            if not v.strip():
                return None
            return tuple(int(x) for x in v.replace(" ", "").split(","))  # "0,1" -> (0, 1); a bad one raises
        return v

    @field_validator("discord_shard_ids")
    @classmethod
    def _shards_in_range(cls, v: tuple[int, ...] | None, info: ValidationInfo) -> tuple[int, ...] | None:
        count = info.data.get("discord_shard_count")
        if v is not None and (count is None or any(not 0 <= s < count for s in v)):
            raise ValueError("needs DISCORD_SHARD_COUNT, and every id in 0 .. count-1")
        return v

    @field_validator("telegram_bot_token", "discord_bot_token", "database_url", "judge_api_key", mode="before")
    @classmethod
    def _blank_is_unset(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("telegram_bot_token")
    @classmethod
    def _telegram_token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        # Checked here so a pasted token with quotes or spaces fails at start, not as a 404 from Telegram.
        if v is not None and not _TELEGRAM_TOKEN.fullmatch(v.get_secret_value()):
            raise ValueError("expected the token BotFather gives: digits, a colon, then letters, digits, - and _")
        return v

    @field_validator("discord_bot_token")
    @classmethod
    def _discord_token_shape(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and not _DISCORD_TOKEN.fullmatch(v.get_secret_value()):
            raise ValueError("expected the bot token from the Discord developer portal (no spaces or quotes)")
        return v

    @field_validator(
        "telegram_api_base_url", "telegram_webhook_url", "discord_api_base_url", "discord_gateway_url", "judge_url"
    )
    @classmethod
    def _url_shape(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None or not v.strip():
            return None
        schemes = (
            ("ws://", "wss://", "http://", "https://")
            if info.field_name == "discord_gateway_url"
            else ("http://", "https://")
        )
        if not v.strip().lower().startswith(schemes) or len(v.strip()) <= len("https://"):
            raise ValueError(f"expected a URL starting with {' or '.join(schemes)}")
        return v.strip()

    @property
    def sqlite_path(self) -> Path:
        return (self.db_path or self.data_dir / "studybot.db").expanduser()

    @property
    def storage_url(self) -> str:
        """The SQLAlchemy URL: STUDYBOT_DATABASE_URL when set, else the SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite+aiosqlite:///{self.sqlite_path}"

    @property
    def cache_dir(self) -> Path:
        """Derived data that can always be rebuilt (the validated question bank, by content hash)."""
        return self.data_dir.expanduser() / "cache"

    @property
    def output_dir(self) -> Path:
        """Where the terminal chat writes charts and exported decks."""
        return self.data_dir.expanduser() / "out"
