"""The core: learners, their platform identities, chats, open questions and answers.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("lang_set", sa.Boolean, nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learners"),
    )
    op.create_table(
        "identities",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("platform", "external_id", name="pk_identities"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_identities_learner_id_learners"
        ),
    )
    op.create_index("ix_identities_learner_id", "identities", ["learner_id"])
    op.create_table(
        "chats",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("lang", sa.String(8), nullable=True),
        sa.Column("tz", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chats"),
        sa.UniqueConstraint("platform", "external_id", name="uq_chats_platform_external_id"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("chat_id", sa.Integer, nullable=False),
        sa.Column("learner_id", sa.Integer, nullable=True),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("hints", sa.Integer, nullable=False),
        sa.Column("options", sa.String(64), nullable=False),
        sa.Column("asked_at", UTCDateTime, nullable=False),
        sa.Column("started_by", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], ondelete="CASCADE", name="fk_sessions_chat_id_chats"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_sessions_learner_id_learners"
        ),
        sa.ForeignKeyConstraint(
            ["started_by"], ["learners.id"], ondelete="SET NULL", name="fk_sessions_started_by_learners"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sessions_chat_id_learner_id", "sessions", ["chat_id", "learner_id"])
    op.create_table(
        "asked",
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("asked_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("learner_id", "question_id", name="pk_asked"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_asked_learner_id_learners"
        ),
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("chat_id", sa.Integer, nullable=True),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("hints", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("answered_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answers"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_answers_learner_id_learners"
        ),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], ondelete="SET NULL", name="fk_answers_chat_id_chats"),
    )
    op.create_index("ix_answers_learner_id_answered_at", "answers", ["learner_id", "answered_at"])
    op.create_index("ix_answers_learner_id_question_id", "answers", ["learner_id", "question_id"])


def downgrade() -> None:
    for table in ("answers", "asked", "sessions", "chats", "identities", "learners"):
        op.drop_table(table)
