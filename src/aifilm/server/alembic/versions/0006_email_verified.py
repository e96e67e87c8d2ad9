"""users.email_verified_at: when the account's email address was proven (studio sign-up)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aifilm.server.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "email_verified_at", aifilm.server.models.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email_verified_at")
