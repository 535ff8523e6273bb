"""The schema, as SQLAlchemy Core tables. Alembic migrations create and change it.

Portable on purpose: no SQLite-only types or tricks, so PostgreSQL runs the same queries.
Times are stored as naive UTC and handed back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite text without the dialect's parsing (raw SQL)
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]


class UserString(TypeDecorator[str]):
    """Text people typed (names, answers, reasons), given back as it was stored on either engine.

    PostgreSQL refuses a NUL character and a string longer than its column, failing the whole
    update; SQLite stores both. On PostgreSQL a NUL is kept as U+FFFF (a noncharacter no one
    types) and turned back on the way out, and the text is cut to the column's length, so a stray
    control character or a very long name never costs an answer.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or dialect.name != "postgresql":
            return value
        value = value.replace("\x00", _NUL_STAND_IN)
        length = getattr(self.impl, "length", None)
        return value[:length] if length else value

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or dialect.name != "postgresql" or _NUL_STAND_IN not in value:
            return value
        return value.replace(_NUL_STAND_IN, "\x00")


_NUL_STAND_IN = "\uffff"


class UserText(UserString):
    impl = Text
    cache_ok = True


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

learners = Table(
    "learners",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", UserString(128), nullable=False, default=""),
    Column("lang", String(8), nullable=False, default="en"),
    Column("lang_set", Boolean, nullable=False, default=False),
    Column("tz", String(64), nullable=False, default="UTC"),
    Column("created_at", UTCDateTime, nullable=False),
)

identities = Table(
    "identities",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(64), primary_key=True),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Index(None, "learner_id"),
)

chats = Table(
    "chats",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(16), nullable=False),
    Column("external_id", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("lang", String(8), nullable=True),
    Column("tz", String(64), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "external_id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", Integer, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=True),
    Column("question_id", String(64), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("hints", Integer, nullable=False, default=0),
    Column("options", String(64), nullable=False, default=""),
    Column("asked_at", UTCDateTime, nullable=False),
    Column("started_by", Integer, ForeignKey("learners.id", ondelete="SET NULL"), nullable=True),
    Index(None, "chat_id", "learner_id"),
    # Never reuse an id: a stale button carrying an old session id must not hit a new question.
    sqlite_autoincrement=True,
)

# When each learner was last shown each question, answered or not: "not seen recently" needs skips too.
asked = Table(
    "asked",
    metadata,
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("asked_at", UTCDateTime, nullable=False),
)

answers = Table(
    "answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("chat_id", Integer, ForeignKey("chats.id", ondelete="SET NULL"), nullable=True),
    Column("question_id", String(64), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("hints", Integer, nullable=False, default=0),
    Column("text", UserText, nullable=False, default=""),
    Column("answered_at", UTCDateTime, nullable=False),
    # The learner's local calendar day when they answered (their time zone then): streaks count these.
    Column("local_day", Date, nullable=False),
    Index(None, "learner_id", "answered_at"),
    Index(None, "learner_id", "question_id"),
)

# One FSRS card per learner and question (the `fsrs` package schedules it).
cards = Table(
    "cards",
    metadata,
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("state", Integer, nullable=False),
    Column("step", Integer, nullable=True),
    Column("stability", Float, nullable=True),
    Column("difficulty", Float, nullable=True),
    Column("due", UTCDateTime, nullable=False),
    Column("last_review", UTCDateTime, nullable=True),
    Column("reps", Integer, nullable=False, default=0),
    Column("lapses", Integer, nullable=False, default=0),
    Column("leech", Boolean, nullable=False, default=False),
    Index(None, "learner_id", "due"),
)

# A question put to a whole group or channel: every member may answer until it closes.
rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", Integer, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("options", String(64), nullable=False, default=""),
    Column("started_by", Integer, ForeignKey("learners.id", ondelete="SET NULL"), nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("closes_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Index(None, "chat_id", "closed_at"),
    Index(None, "closed_at", "closes_at"),
    sqlite_autoincrement=True,
)

round_answers = Table(
    "round_answers",
    metadata,
    Column("round_id", Integer, ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("name", UserString(128), nullable=False),
    Column("score", Float, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("text", UserText, nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
)

link_codes = Table(
    "link_codes",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
)

appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=False),
    Column("question_id", String(64), nullable=False),
    Column("answer_id", Integer, ForeignKey("answers.id", ondelete="SET NULL"), nullable=True),
    Column("answer_text", UserText, nullable=False),
    Column("score", Float, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("reason", UserText, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "question_id", "created_at"),
)

# Small facts adapters need across processes and restarts (a Telegram poll id -> its action
# prefix, say). Owned by the core's `remember`/`recall`; entries expire.
refs = Table(
    "refs",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("value", UserText, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "expires_at"),
)

# The question of the day: one subscription per chat, at a local time in an IANA zone.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", Integer, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), nullable=True),
    Column("hour", Integer, nullable=False),
    Column("minute", Integer, nullable=False),
    Column("tz", String(64), nullable=False),
    Column("days", String(32), nullable=False),
    Column("topic", String(64), nullable=True),
    Column("role", String(32), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("next_due_at", UTCDateTime, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Why the platform would not take our messages (blocked, no permission): inactive until a
    # command is used in the chat again. NULL for a running or an unsubscribed subscription.
    Column("paused", String(200), nullable=True),
    Index(None, "active", "next_due_at"),
    sqlite_autoincrement=True,
)

# The delivery ledger: one row per subscription and local date makes the question of the day
# exactly-once. A row is claimed before the send and confirmed after it.
deliveries = Table(
    "deliveries",
    metadata,
    Column("subscription_id", Integer, ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True),
    Column("local_date", Date, primary_key=True),
    Column("question_id", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # claimed, sent, failed, missed, abandoned
    Column("claimed_by", String(64), nullable=False),
    Column("claimed_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("round_id", Integer, nullable=True),  # the group round this delivery posted
    # A claim the platform did not take yet (5xx, timeout): tried again at `retry_at` (back-off),
    # not when its lease runs out. `last_error` says why, for /daily when it was given up.
    Column("retry_at", UTCDateTime, nullable=True),
    Column("last_error", String(200), nullable=True),
    Index(None, "status", "claimed_at"),
)

# Evening reminders for learners with a streak who have not answered today (opt-in).
reminders = Table(
    "reminders",
    metadata,
    Column("learner_id", Integer, ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True),
    Column("chat_id", Integer, ForeignKey("chats.id", ondelete="CASCADE"), nullable=False),
    Column("hour", Integer, nullable=False),
    Column("minute", Integer, nullable=False),
    Column("next_due_at", UTCDateTime, nullable=False),
    Index(None, "next_due_at"),
)
