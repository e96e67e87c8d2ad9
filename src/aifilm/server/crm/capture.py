"""Writing business events to the outbox in the same transaction as the change.

A `before_flush` hook on the server's sessionmaker looks at what each flush creates, changes
and deletes, so every code path that registers a user, changes a plan, records a purchase,
creates a project, completes a render or publishes a film emits its event without each route
having to remember to (and a rolled-back change never emits one). Bulk `UPDATE` statements
bypass it; none of those paths use them.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table, event, inspect, update
from sqlalchemy.orm import Session, sessionmaker

from aifilm.server.crm import events
from aifilm.server.models import (
    CreditTransaction,
    Job,
    OutboxEvent,
    Project,
    User,
    YoutubeUpload,
)


def install(sessions: sessionmaker[Session]) -> None:
    """Record events for every session `sessions` makes (once per sessionmaker)."""
    if not event.contains(sessions, "before_flush", _before_flush):
        event.listen(sessions, "before_flush", _before_flush)


def _changed(obj: object, attribute: str) -> tuple[bool, Any]:
    """Whether `attribute` changed in this flush, and its value before."""
    history = inspect(obj).attrs[attribute].history
    if not history.has_changes():
        return False, None
    return True, history.deleted[0] if history.deleted else None


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    rows: list[OutboxEvent] = []
    for obj in list(session.new):
        if isinstance(obj, User):
            _ensure_id(obj)
            rows.append(_user_event("user.registered", obj))
        elif isinstance(obj, Project):
            _ensure_id(obj)
            rows.append(
                events.new_event(
                    "project.created",
                    "project",
                    obj.id,
                    obj.user_id,
                    events.project_payload(obj),
                )
            )
        elif isinstance(obj, CreditTransaction) and obj.type == "purchase":
            rows.append(_purchase(obj))
    for obj in list(session.dirty):
        if isinstance(obj, User) and obj not in session.deleted:
            rows.extend(_user_changes(obj))
        elif isinstance(obj, Job):
            changed, _ = _changed(obj, "status")
            if changed and obj.status == "completed":
                rows.append(
                    events.new_event(
                        "film.rendered",
                        "film",
                        obj.id,
                        obj.user_id,
                        events.film_rendered_payload(obj),
                    )
                )
        elif isinstance(obj, YoutubeUpload):
            changed, _ = _changed(obj, "upload_status")
            if changed and obj.upload_status == "published":
                rows.append(
                    events.new_event(
                        "film.published",
                        "film",
                        obj.job_id or obj.id,
                        obj.user_id,
                        events.film_published_payload(obj),
                    )
                )
    for obj in list(session.deleted):
        if isinstance(obj, User):
            _erase(session, obj.id)
            rows.append(
                events.new_event("user.deleted", "user", obj.id, obj.id, {"user_id": str(obj.id)})
            )
    session.add_all(rows)


def _ensure_id(obj: User | Project) -> None:
    # Column defaults run at INSERT, after this hook: the event needs the id now.
    if obj.id is None:
        obj.id = uuid.uuid4()


def _user_event(type_: str, user: User) -> OutboxEvent:
    return events.new_event(type_, "user", user.id, user.id, events.user_payload(user))


def _user_changes(user: User) -> list[OutboxEvent]:
    rows = []
    plan_changed, before = _changed(user, "plan")
    if plan_changed and before != user.plan:
        rows.append(
            events.new_event(
                "plan.changed", "user", user.id, user.id, events.plan_payload(user, before)
            )
        )
    if any(_changed(user, a)[0] for a in ("email", "full_name", "role", "is_active")):
        rows.append(_user_event("user.updated", user))
    return rows


def _purchase(row: CreditTransaction) -> OutboxEvent:
    # The payment event id names the purchase for the CRM (stable across re-deliveries).
    # A purchase with none (recorded by hand or by a script) gets one stored on its ledger
    # row now, since the row's own id is only assigned by the INSERT that follows this hook:
    # a later `aifilm crm resync` then names it the same way, and the CRM sees one purchase.
    if row.event_id is None:
        row.event_id = f"aifilm-{uuid.uuid4()}"
    purchase_id = row.event_id
    return events.new_event(
        "purchase.completed",
        "purchase",
        purchase_id,
        row.user_id,
        events.purchase_payload(row, purchase_id),
    )


def _erase(session: Session, user_id: uuid.UUID) -> None:
    """Right to erasure: the account's earlier events keep no personal data here, and those
    not yet sent are not sent (the deletion that follows supersedes them)."""
    table = cast(Table, OutboxEvent.__table__)
    connection = session.connection()  # Core statements: no ORM flush inside this flush
    connection.execute(
        update(table)
        .where(table.c.user_id == user_id, table.c.status == "pending")
        .values(status="erased", payload={"erased": True}, lease_expires_at=None)
    )
    connection.execute(
        update(table).where(table.c.user_id == user_id).values(payload={"erased": True})
    )
