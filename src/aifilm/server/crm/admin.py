"""What admins do with the outbox: see it, re-queue one object's sync, re-send everything
since a date, retry dead letters. Re-queued events are new events with the object's current
state; the sinks' idempotence (upserts, event ids) makes sending twice harmless."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from aifilm.server.crm import events
from aifilm.server.models import CreditTransaction, OutboxEvent, Project, User, utcnow

STATUSES = ("pending", "delivered", "failed", "erased")


def describe(row: OutboxEvent) -> dict[str, Any]:
    """One event as the status view shows it (no payload: it may hold personal data)."""
    return {
        "event_id": str(row.event_id),
        "type": row.type,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "status": row.status,
        "attempts": row.attempts,
        "sinks_done": list(row.sinks_done),
        "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.status == "pending" else None,
        "created_at": row.created_at.isoformat(),
        "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
    }


def status(session: Session, status: str | None = None, limit: int = 50) -> dict[str, Any]:
    """Counts per status and the newest events (of one status, when given)."""
    counts = {name: 0 for name in STATUSES}
    for name, count in session.execute(
        select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)
    ):
        counts[name] = count
    query = select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(limit)
    if status is not None:
        query = query.where(OutboxEvent.status == status)
    return {"counts": counts, "items": [describe(r) for r in session.scalars(query)]}


def sync_user(session: Session, user: User) -> OutboxEvent:
    row = events.new_event("user.updated", "user", user.id, user.id, events.user_payload(user))
    session.add(row)
    return row


def log_project(session: Session, project: Project) -> OutboxEvent:
    row = events.new_event(
        "project.created", "project", project.id, project.user_id, events.project_payload(project)
    )
    session.add(row)
    return row


def log_purchase(session: Session, purchase: CreditTransaction) -> OutboxEvent:
    purchase_id = purchase.event_id or f"ledger-{purchase.id}"
    row = events.new_event(
        "purchase.completed",
        "purchase",
        purchase_id,
        purchase.user_id,
        events.purchase_payload(purchase, purchase_id),
    )
    session.add(row)
    return row


def find_purchase(session: Session, key: str) -> CreditTransaction | None:
    """A purchase by its payment event id or its ledger row id."""
    conditions = [CreditTransaction.event_id == key]
    if key.removeprefix("ledger-").isdigit():
        conditions.append(CreditTransaction.id == int(key.removeprefix("ledger-")))
    return session.scalars(
        select(CreditTransaction)
        .where(CreditTransaction.type == "purchase", or_(*conditions))
        .limit(1)
    ).first()


def retry(session: Session, event_id: uuid.UUID) -> OutboxEvent | None:
    """Put a dead-lettered event back in the queue, its tries counted afresh."""
    row = session.scalars(
        select(OutboxEvent).where(OutboxEvent.event_id == event_id).with_for_update()
    ).first()
    if row is None or row.status != "failed":
        return row
    row.status, row.attempts, row.worker_id = "pending", 0, None
    row.next_attempt_at = utcnow()
    return row


def resync(session: Session, since: datetime) -> dict[str, int]:
    """Re-queue every account, project and purchase created or changed since `since`, and
    every event dead-lettered since then."""
    done = {"users": 0, "projects": 0, "purchases": 0, "retried": 0}
    for user in session.scalars(
        select(User).where(or_(User.created_at >= since, User.updated_at >= since))
    ):
        sync_user(session, user)
        done["users"] += 1
    for project in session.scalars(select(Project).where(Project.created_at >= since)):
        log_project(session, project)
        done["projects"] += 1
    for purchase in session.scalars(
        select(CreditTransaction).where(
            CreditTransaction.type == "purchase", CreditTransaction.created_at >= since
        )
    ):
        log_purchase(session, purchase)
        done["purchases"] += 1
    for event_id in session.scalars(
        select(OutboxEvent.event_id).where(
            OutboxEvent.status == "failed", OutboxEvent.created_at >= since
        )
    ).all():
        retry(session, event_id)
        done["retried"] += 1
    return done
