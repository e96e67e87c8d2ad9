"""admin console and analytics: suspension fields, money on payment events, indexes that
keep the analytics queries fast on a large ledger

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import aifilm.server.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (name, table, columns): what benchmarks/bench_analytics.py measured the analytics with.
INDEXES = [
    ("ix_payment_events_processed_at", "payment_events", ["processed_at"]),
    ("ix_analytics_refresh_tokens_activity", "refresh_tokens", ["created_at", "user_id"]),
    ("ix_analytics_jobs_activity", "jobs", ["created_at", "user_id"]),
    ("ix_analytics_jobs_ended", "jobs", ["completed_at", "status", "length_seconds"]),
    ("ix_analytics_ledger", "credit_transactions", ["type", "created_at", "amount"]),
]


def upgrade() -> None:
    utc = aifilm.server.models.UTCDateTime(timezone=True)
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("suspended_at", utc, nullable=True))
        batch.add_column(sa.Column("suspension_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("payment_events") as batch:
        batch.add_column(sa.Column("amount", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("product", sa.String(length=20), nullable=True))
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("payment_events") as batch:
        batch.drop_column("product")
        batch.drop_column("currency")
        batch.drop_column("amount")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("suspension_reason")
        batch.drop_column("suspended_at")
