"""Administration of what users make: every project (moderate, remove) and every render
(list, the failures grouped by error, cancel)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy import func, or_, select

from aifilm.server import jobs, moderation
from aifilm.server.api.routes.analytics import RangeDep
from aifilm.server.assets import project_prefix
from aifilm.server.deps import AdminUser, Paging, ReaderDep, SessionDep, StorageDep, parse_id
from aifilm.server.errors import NotFound
from aifilm.server.models import Job, Project, User
from aifilm.server.schemas import AdminJob, FailureGroup, Moderate, Page, ProjectSummary

router = APIRouter(prefix="/admin", tags=["admin"])
JobState = Literal["queued", "running", "completed", "failed", "cancelled"]


@router.get("/projects", response_model=Page[ProjectSummary])
def list_projects(
    admin: AdminUser,
    session: SessionDep,
    page: Paging,
    moderation: Annotated[Literal["ok", "blocked"] | None, Query()] = None,
    user_id: Annotated[str | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the title")] = None,
) -> Page[ProjectSummary]:
    """Every user's projects, newest first."""
    where = []
    if moderation:
        where.append(Project.moderation == moderation)
    if user_id:
        where.append(Project.user_id == parse_id(user_id, "user"))
    if q:
        where.append(func.lower(Project.title).like(f"%{q.lower()}%"))
    total = session.scalar(select(func.count()).select_from(Project).where(*where)) or 0
    rows = session.scalars(
        select(Project)
        .where(*where)
        .order_by(Project.created_at.desc(), Project.id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return Page(
        items=[ProjectSummary.model_validate(p) for p in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("/projects/{project_id}/moderate", response_model=ProjectSummary)
def moderate(project_id: str, body: Moderate, admin: AdminUser, session: SessionDep) -> Project:
    """Block a project (it can no longer be rendered or published), or allow it again,
    with a note."""
    project = session.get(Project, parse_id(project_id, "project"))
    if project is None:
        raise NotFound("project")
    project.moderation = body.moderation
    project.moderation_note = body.note
    session.commit()
    return project


@router.delete("/projects/{project_id}", status_code=204)
def remove_project(
    project_id: str, admin: AdminUser, session: SessionDep, storage: StorageDep
) -> Response:
    """Remove a project with its files and renders; renders under way are cancelled and
    refunded first."""
    pid = parse_id(project_id, "project")
    session.commit()
    with session.begin():
        moderation.remove_project(session, pid)
    storage.delete_prefix(project_prefix(pid))
    return Response(status_code=204)


def _admin_jobs(where: list[Any]) -> Any:
    return (
        select(
            *Job.__table__.c,
            User.email.label("user_email"),
            Project.title.label("project_title"),
        )
        .join(User, User.id == Job.user_id)
        .join(Project, Project.id == Job.project_id)
        .where(*where)
    )


@router.get("/jobs", response_model=Page[AdminJob])
def list_jobs(
    admin: AdminUser,
    session: ReaderDep,
    page: Paging,
    status: Annotated[JobState | None, Query()] = None,
    user_id: Annotated[str | None, Query()] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Part of the error, email or title")
    ] = None,
) -> Page[AdminJob]:
    """Every render, newest first; `status=failed` lists the failures with their errors."""
    where: list[Any] = []
    if status:
        where.append(Job.status == status)
    if user_id:
        where.append(Job.user_id == parse_id(user_id, "user"))
    if q:
        like = f"%{q.lower()}%"
        where.append(
            or_(
                func.lower(Job.error_message).like(like),
                func.lower(User.email).like(like),
                func.lower(Project.title).like(like),
            )
        )
    base = _admin_jobs(where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        base.order_by(Job.created_at.desc(), Job.id).offset(page.offset).limit(page.limit)
    )
    return Page(
        items=[AdminJob.model_validate(dict(r._mapping)) for r in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/failures", response_model=list[FailureGroup])
def failures(
    admin: AdminUser,
    session: ReaderDep,
    span: RangeDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[FailureGroup]:
    """Renders that failed in the range, grouped by error (its first 200 characters), the
    most frequent first."""
    error = func.substr(func.coalesce(Job.error_message, "(no message)"), 1, 200)
    rows = session.execute(
        select(error, func.count(), func.max(Job.completed_at))
        .where(
            Job.status == "failed",
            Job.completed_at >= span.since,
            Job.completed_at < span.until,
        )
        .group_by(error)
        .order_by(func.count().desc(), error)
        .limit(limit)
    )
    return [FailureGroup(error=str(e), count=int(n), last_at=_aware(last)) for e, n, last in rows]


def _aware(value: datetime | str) -> datetime:
    """A UTC time, however the database's max() returned it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@router.post("/jobs/{job_id}/cancel", response_model=AdminJob)
def cancel_job(job_id: str, admin: AdminUser, session: SessionDep) -> AdminJob:
    """Cancel anyone's queued or running render and refund it."""
    job = session.get(Job, parse_id(job_id, "job"))
    if job is None:
        raise NotFound("job")
    jobs.cancel(session, job, by="an admin")
    session.commit()
    row = session.execute(_admin_jobs([Job.id == job.id])).one()
    return AdminJob.model_validate(dict(row._mapping))
