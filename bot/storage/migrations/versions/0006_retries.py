"""Delivery retries: a send the platform did not take yet waits for its own time, with back-off.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.tables import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("retry_at", UTCDateTime, nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("last_error")
        batch.drop_column("retry_at")
