"""youtube publishing from the server: channel tokens, consent requests, an upload queue,
auto-publish per project (the youtube tables were never written before this revision)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 17:23:35.163695
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aifilm.server.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "youtube_auth_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("expires_at", aifilm.server.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", aifilm.server.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("state_hash"),
    )
    with op.batch_alter_table("youtube_auth_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_youtube_auth_requests_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("youtube_autopublish", sa.JSON(), nullable=True))

    with op.batch_alter_table("youtube_connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel_title", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("scopes", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), server_default="active", nullable=False)
        )
        batch_op.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "updated_at",
                aifilm.server.models.UTCDateTime(timezone=True),
                server_default=sa.func.now(),
                nullable=False,
            )
        )

    with op.batch_alter_table("youtube_uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.String(length=255), nullable=False))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=False))
        batch_op.add_column(sa.Column("automatic", sa.Boolean(), nullable=False))
        batch_op.add_column(sa.Column("request", sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column("record", sa.JSON(), nullable=False))
        batch_op.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("progress", sa.Float(), nullable=False))
        batch_op.add_column(sa.Column("current_step", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("error_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False))
        batch_op.add_column(sa.Column("worker_id", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column(
                "lease_expires_at", aifilm.server.models.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("created_at", aifilm.server.models.UTCDateTime(timezone=True), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "completed_at", aifilm.server.models.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.alter_column(
            "uploaded_at",
            existing_type=aifilm.server.models.UTCDateTime(timezone=True),
            nullable=True,
        )
        batch_op.create_index(batch_op.f("ix_youtube_uploads_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            "ix_youtube_uploads_queue", ["upload_status", "created_at"], unique=False
        )
        batch_op.create_unique_constraint(
            "uq_youtube_uploads_channel_sha256", ["channel_id", "sha256"]
        )


def downgrade() -> None:
    with op.batch_alter_table("youtube_uploads", schema=None) as batch_op:
        batch_op.drop_constraint("uq_youtube_uploads_channel_sha256", type_="unique")
        batch_op.drop_index("ix_youtube_uploads_queue")
        batch_op.drop_index(batch_op.f("ix_youtube_uploads_job_id"))
        batch_op.alter_column(
            "uploaded_at",
            existing_type=aifilm.server.models.UTCDateTime(timezone=True),
            nullable=False,
        )
        batch_op.drop_column("completed_at")
        batch_op.drop_column("created_at")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("worker_id")
        batch_op.drop_column("attempts")
        batch_op.drop_column("error_message")
        batch_op.drop_column("current_step")
        batch_op.drop_column("progress")
        batch_op.drop_column("result")
        batch_op.drop_column("record")
        batch_op.drop_column("request")
        batch_op.drop_column("automatic")
        batch_op.drop_column("sha256")
        batch_op.drop_column("channel_id")

    with op.batch_alter_table("youtube_connections", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("last_error")
        batch_op.drop_column("status")
        batch_op.drop_column("scopes")
        batch_op.drop_column("channel_title")

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("youtube_autopublish")

    with op.batch_alter_table("youtube_auth_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_youtube_auth_requests_user_id"))

    op.drop_table("youtube_auth_requests")
