"""The question of the day: subscriptions, the delivery ledger, evening reminders.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.tables import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("chat_id", sa.Integer, nullable=False),
        sa.Column("learner_id", sa.Integer, nullable=True),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("minute", sa.Integer, nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("days", sa.String(32), nullable=False),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("role", sa.String(32), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("next_due_at", UTCDateTime, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("chat_id", name="uq_subscriptions_chat_id"),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], ondelete="CASCADE", name="fk_subscriptions_chat_id_chats"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_subscriptions_learner_id_learners"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_subscriptions_active_next_due_at", "subscriptions", ["active", "next_due_at"])
    op.create_table(
        "deliveries",
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=False),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("round_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("subscription_id", "local_date", name="pk_deliveries"),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            ondelete="CASCADE",
            name="fk_deliveries_subscription_id_subscriptions",
        ),
    )
    op.create_index("ix_deliveries_status_claimed_at", "deliveries", ["status", "claimed_at"])
    op.create_table(
        "reminders",
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("chat_id", sa.Integer, nullable=False),
        sa.Column("hour", sa.Integer, nullable=False),
        sa.Column("minute", sa.Integer, nullable=False),
        sa.Column("next_due_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("learner_id", name="pk_reminders"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_reminders_learner_id_learners"
        ),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], ondelete="CASCADE", name="fk_reminders_chat_id_chats"),
    )
    op.create_index("ix_reminders_next_due_at", "reminders", ["next_due_at"])


def downgrade() -> None:
    for table in ("reminders", "deliveries", "subscriptions"):
        op.drop_table(table)
