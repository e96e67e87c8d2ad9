"""What an admin does to an account or a project, beyond editing a field: suspending signs
the account out everywhere and stops its renders (refunded); removing a project cancels its
renders first, so no credits are lost with it."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aifilm.server import credits, jobs
from aifilm.server.errors import Conflict, NotFound
from aifilm.server.models import Job, Project, RefreshToken, User, utcnow


def suspend(session: Session, user_id: uuid.UUID, reason: str, admin_id: uuid.UUID) -> User:
    """Disable the account: it can no longer sign in, refresh, or use its API keys; its
    sessions are revoked and its queued or running renders cancelled and refunded."""
    if user_id == admin_id:
        raise Conflict("an admin cannot suspend their own account; ask another admin")
    active = list(
        session.scalars(
            select(Job).where(Job.user_id == user_id, Job.status.in_(jobs.ACTIVE)).with_for_update()
        )
    )
    for job in active:  # lock order everywhere: job, then user
        jobs.cancel(session, job, by="an admin (account suspended)")
    user = credits.lock_user(session, user_id)
    user.is_active = False
    user.suspended_at = utcnow()
    user.suspension_reason = reason
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return user


def unsuspend(session: Session, user_id: uuid.UUID) -> User:
    """Let a suspended account sign in and use its keys again."""
    user = credits.lock_user(session, user_id)
    user.is_active = True
    user.suspended_at = None
    user.suspension_reason = None
    return user


def remove_project(session: Session, project_id: uuid.UUID) -> Project:
    """Delete a project (its jobs, files' rows and uploads go with it), cancelling and
    refunding its renders first; the caller deletes its stored files after the commit."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("project")
    active = session.scalars(
        select(Job).where(Job.project_id == project_id, Job.status.in_(jobs.ACTIVE))
    )
    for job in list(active):
        jobs.cancel(session, job, by="an admin (project removed)")
    session.delete(project)
    return project
