"""CRM sync for admins (the blueprint's `/api/crm/...`): re-queue one account's, project's
or purchase's sync, and see the outbox: pending, delivered, and dead-lettered with the
error (and put a dead letter back in the queue)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from aifilm.server.crm import admin as outbox
from aifilm.server.deps import AdminUser, SessionDep, SettingsDep, parse_id
from aifilm.server.errors import Conflict, NotFound, Problem
from aifilm.server.models import Project, User

router = APIRouter(prefix="/crm", tags=["crm"])


class SyncUser(BaseModel):
    user_id: str


class LogProject(BaseModel):
    project_id: str


class LogPurchase(BaseModel):
    purchase_id: str = Field(description="The payment event id, or ledger-<transaction id>.")


class Queued(BaseModel):
    event_id: str
    type: str
    status: str


class OutboxItem(BaseModel):
    event_id: str
    type: str
    object_type: str
    object_id: str
    status: str
    attempts: int
    sinks_done: list[str]
    last_error: str | None
    next_attempt_at: str | None
    created_at: str
    delivered_at: str | None


class OutboxStatus(BaseModel):
    counts: dict[str, int]
    items: list[OutboxItem]


class Resync(BaseModel):
    since: datetime


def _on(settings: Any) -> None:
    if not settings.crm_sinks:
        raise Conflict("CRM sync is off: name its sinks in crm_sinks (docs/server.md, CRM sync)")


def _queued(row: Any) -> Queued:
    return Queued(event_id=str(row.event_id), type=row.type, status=row.status)


@router.post("/sync-user", status_code=202, response_model=Queued)
def sync_user(
    body: SyncUser, admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Queued:
    """Send the account's current contact details to the CRM again."""
    _on(settings)
    with session.begin():
        user = session.get(User, parse_id(body.user_id, "user"))
        if user is None:
            raise NotFound("user")
        return _queued(outbox.sync_user(session, user))


@router.post("/log-project", status_code=202, response_model=Queued)
def log_project(
    body: LogProject, admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Queued:
    """Log the project in the CRM again."""
    _on(settings)
    with session.begin():
        project = session.get(Project, parse_id(body.project_id, "project"))
        if project is None:
            raise NotFound("project")
        return _queued(outbox.log_project(session, project))


@router.post("/log-purchase", status_code=202, response_model=Queued)
def log_purchase(
    body: LogPurchase, admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> Queued:
    """Log the purchase in the CRM again."""
    _on(settings)
    with session.begin():
        purchase = outbox.find_purchase(session, body.purchase_id)
        if purchase is None:
            raise NotFound("purchase")
        return _queued(outbox.log_purchase(session, purchase))


@router.get("/outbox", response_model=OutboxStatus)
def outbox_status(
    admin: AdminUser,
    session: SessionDep,
    status: Annotated[Literal["pending", "delivered", "failed", "erased"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Counts per status and the newest events; dead letters (`failed`) keep their error."""
    return outbox.status(session, status, limit)


@router.post("/outbox/{event_id}/retry", response_model=Queued)
def retry(event_id: str, admin: AdminUser, session: SessionDep, settings: SettingsDep) -> Queued:
    """Put a dead-lettered event back in the queue."""
    _on(settings)
    with session.begin():
        row = outbox.retry(session, parse_id(event_id, "event"))
        if row is None:
            raise NotFound("event")
        if row.status != "pending":
            raise Conflict(f"the event is {row.status}, not failed")
        return _queued(row)


@router.post("/resync", response_model=dict[str, int])
def resync(body: Resync, admin: AdminUser, session: SessionDep, settings: SettingsDep) -> Any:
    """Re-queue everything created or changed since `since`, and dead letters since then."""
    _on(settings)
    if body.since.tzinfo is None:
        raise Problem(422, "give `since` with a time zone (2026-12-01T00:00:00Z)")
    with session.begin():
        return outbox.resync(session, body.since)
