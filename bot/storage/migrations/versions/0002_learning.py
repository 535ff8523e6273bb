"""Learning features: FSRS cards, group rounds, link codes, appeals, local days on answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.tables import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("local_day", sa.Date, nullable=True))
    # Answers from before this revision get their UTC day: the learner's zone then is unknown.
    conn = op.get_bind()
    answers = sa.table(
        "answers", sa.column("id", sa.Integer), sa.column("answered_at", UTCDateTime), sa.column("local_day", sa.Date)
    )
    for row in conn.execute(sa.select(answers.c.id, answers.c.answered_at)).all():
        conn.execute(answers.update().where(answers.c.id == row.id).values(local_day=row.answered_at.date()))
    with op.batch_alter_table("answers") as batch:
        batch.alter_column("local_day", existing_type=sa.Date, nullable=False)

    op.create_table(
        "cards",
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("state", sa.Integer, nullable=False),
        sa.Column("step", sa.Integer, nullable=True),
        sa.Column("stability", sa.Float, nullable=True),
        sa.Column("difficulty", sa.Float, nullable=True),
        sa.Column("due", UTCDateTime, nullable=False),
        sa.Column("last_review", UTCDateTime, nullable=True),
        sa.Column("reps", sa.Integer, nullable=False),
        sa.Column("lapses", sa.Integer, nullable=False),
        sa.Column("leech", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("learner_id", "question_id", name="pk_cards"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_cards_learner_id_learners"
        ),
    )
    op.create_index("ix_cards_learner_id_due", "cards", ["learner_id", "due"])
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("chat_id", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("options", sa.String(64), nullable=False),
        sa.Column("started_by", sa.Integer, nullable=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("closes_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rounds"),
        sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], ondelete="CASCADE", name="fk_rounds_chat_id_chats"),
        sa.ForeignKeyConstraint(
            ["started_by"], ["learners.id"], ondelete="SET NULL", name="fk_rounds_started_by_learners"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_rounds_chat_id_closed_at", "rounds", ["chat_id", "closed_at"])
    op.create_index("ix_rounds_closed_at_closes_at", "rounds", ["closed_at", "closes_at"])
    op.create_table(
        "round_answers",
        sa.Column("round_id", sa.Integer, nullable=False),
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("answered_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("round_id", "learner_id", name="pk_round_answers"),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], ondelete="CASCADE", name="fk_round_answers_round_id_rounds"
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_round_answers_learner_id_learners"
        ),
    )
    op.create_table(
        "link_codes",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_link_codes"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_link_codes_learner_id_learners"
        ),
    )
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer, nullable=False, autoincrement=True),
        sa.Column("learner_id", sa.Integer, nullable=False),
        sa.Column("question_id", sa.String(64), nullable=False),
        sa.Column("answer_id", sa.Integer, nullable=True),
        sa.Column("answer_text", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_appeals"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learners.id"], ondelete="CASCADE", name="fk_appeals_learner_id_learners"
        ),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answers.id"], ondelete="SET NULL", name="fk_appeals_answer_id_answers"
        ),
    )
    op.create_index("ix_appeals_question_id_created_at", "appeals", ["question_id", "created_at"])


def downgrade() -> None:
    for table in ("appeals", "link_codes", "round_answers", "rounds", "cards"):
        op.drop_table(table)
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("local_day")
