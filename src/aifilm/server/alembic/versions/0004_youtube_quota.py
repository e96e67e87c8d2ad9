"""youtube quota counted in the database (per OAuth client, Pacific day and bucket), so
workers on several machines share one count

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aifilm.server.models

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "youtube_quota",
        sa.Column("account", sa.String(length=255), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("bucket", sa.String(length=50), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("updated_at", aifilm.server.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", "day", "bucket"),
    )


def downgrade() -> None:
    op.drop_table("youtube_quota")
