"""billing: Stripe customers and subscriptions, ledger rows tied to payment events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stripe_customer_id", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint("uq_users_stripe_customer_id", ["stripe_customer_id"])
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=20), server_default="active", nullable=False)
        )
        batch_op.create_unique_constraint(
            "uq_subscriptions_stripe_subscription_id", ["stripe_subscription_id"]
        )
    with op.batch_alter_table("credit_transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.String(length=255), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_credit_transactions_event_id"), ["event_id"], unique=False
        )
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_events", schema=None) as batch_op:
        batch_op.drop_column("type")
    with op.batch_alter_table("credit_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_transactions_event_id"))
        batch_op.drop_column("event_id")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_subscriptions_stripe_subscription_id", type_="unique")
        batch_op.drop_column("status")
        batch_op.drop_column("stripe_subscription_id")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("uq_users_stripe_customer_id", type_="unique")
        batch_op.drop_column("stripe_customer_id")
