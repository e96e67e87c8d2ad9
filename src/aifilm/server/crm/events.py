"""What each business event says. Payloads are built field by field from an allow-list:
nothing else on a row (password hash, Stripe ids, tokens) can ever leave in an event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aifilm.server.models import CreditTransaction, Job, OutboxEvent, Project, User, YoutubeUpload

EVENT_TYPES = (
    "user.registered",
    "user.updated",
    "user.deleted",
    "plan.changed",
    "purchase.completed",
    "project.created",
    "film.rendered",
    "film.published",
)


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_payload(user: User) -> dict[str, Any]:
    """The contact the CRM keeps for an account."""
    return {
        "user_id": str(user.id),
        "email": user.email,
        "full_name": user.full_name,
        "plan": user.plan,
        "role": user.role,
        "is_active": user.is_active,
        "created_at": _when(user.created_at),
    }


def project_payload(project: Project) -> dict[str, Any]:
    return {
        "project_id": str(project.id),
        "user_id": str(project.user_id),
        "title": project.title,
        "status": project.status,
        "created_at": _when(project.created_at),
    }


def purchase_payload(row: CreditTransaction, purchase_id: str) -> dict[str, Any]:
    return {
        "purchase_id": purchase_id,
        "user_id": str(row.user_id),
        "kind": "credits",
        "credits": row.amount,
        "description": row.description,
        "created_at": _when(row.created_at),
    }


def plan_payload(user: User, previous: str | None) -> dict[str, Any]:
    """The whole contact, so that a CRM that missed the registration (sync switched on
    later) can still create it."""
    return {**user_payload(user), "previous_plan": previous}


def film_rendered_payload(job: Job) -> dict[str, Any]:
    return {
        "job_id": str(job.id),
        "project_id": str(job.project_id),
        "user_id": str(job.user_id),
        "length_seconds": job.length_seconds,
        "credits_charged": job.credits_charged,
        "completed_at": _when(job.completed_at),
    }


def film_published_payload(upload: YoutubeUpload) -> dict[str, Any]:
    return {
        "upload_id": str(upload.id),
        "project_id": str(upload.project_id),
        "user_id": str(upload.user_id),
        "video_id": upload.video_id,
        "channel_id": upload.channel_id,
        "completed_at": _when(upload.completed_at),
    }


def new_event(
    type_: str,
    object_type: str,
    object_id: object,
    user_id: uuid.UUID | None,
    payload: dict[str, Any],
) -> OutboxEvent:
    """An outbox row, due now."""
    assert type_ in EVENT_TYPES, type_
    return OutboxEvent(
        event_id=uuid.uuid4(),
        type=type_,
        object_type=object_type,
        object_id=str(object_id),
        user_id=user_id,
        payload=payload,
        status="pending",
        sinks_done=[],
        attempts=0,
    )
