"""Platform references kept for adapters (poll ids, message ids), with expiry.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refs",
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_refs"),
    )
    op.create_index("ix_refs_expires_at", "refs", ["expires_at"])


def downgrade() -> None:
    op.drop_table("refs")
