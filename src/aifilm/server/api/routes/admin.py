"""Administration: users, credit adjustments, plans, project moderation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, or_, select

from aifilm.server import credits
from aifilm.server.deps import AdminUser, Paging, SessionDep, parse_id
from aifilm.server.errors import NotFound
from aifilm.server.models import Project, User
from aifilm.server.schemas import (
    AdminUserUpdate,
    CreditAdjust,
    Moderate,
    Page,
    PlanChange,
    ProjectSummary,
    TransactionPublic,
    UserPublic,
)

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/users", response_model=Page[UserPublic])
def list_users(
    admin: AdminUser,
    session: SessionDep,
    page: Paging,
    q: Annotated[str | None, Query(max_length=255, description="Part of email or name")] = None,
) -> Page[UserPublic]:
    """All users, newest first; `q` searches email and name."""
    where = []
    if q:
        like = f"%{q.lower()}%"
        where.append(or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like)))
    total = session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    rows = session.scalars(
        select(User)
        .where(*where)
        .order_by(User.created_at.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return Page(
        items=[UserPublic.model_validate(u) for u in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(user_id: str, body: AdminUserUpdate, admin: AdminUser, session: SessionDep) -> User:
    """Change a user's role, plan (granting its monthly credits) or active flag."""
    uid = parse_id(user_id, "user")
    session.commit()
    with session.begin():
        user = credits.lock_user(session, uid)
        if body.role is not None:
            user.role = body.role
        if body.is_active is not None:
            user.is_active = body.is_active
        if body.plan is not None and body.plan != user.plan:
            credits.start_plan(session, user, body.plan)
    return user


@router.post("/users/{user_id}/plan", response_model=UserPublic)
def change_plan(user_id: str, body: PlanChange, admin: AdminUser, session: SessionDep) -> User:
    """Move a user to a plan from today (until payments arrive, plans are set here)."""
    uid = parse_id(user_id, "user")
    session.commit()
    with session.begin():
        user = credits.lock_user(session, uid)
        credits.start_plan(session, user, body.plan)
    return user


@router.post("/credits/adjust", status_code=201, response_model=TransactionPublic)
def adjust_credits(body: CreditAdjust, admin: AdminUser, session: SessionDep) -> TransactionPublic:
    """Add or remove credits; the reason goes into the ledger with the admin's id."""
    admin_id = admin.id
    session.commit()
    with session.begin():
        user = credits.lock_user(session, body.user_id)
        entry = credits.record(
            session, user, "adjustment", body.amount, body.reason, actor_id=admin_id
        )
        return TransactionPublic.model_validate(entry)


@router.get("/projects", response_model=Page[ProjectSummary])
def list_projects(
    admin: AdminUser,
    session: SessionDep,
    page: Paging,
    moderation: Annotated[str | None, Query()] = None,
    user_id: Annotated[str | None, Query()] = None,
) -> Page[ProjectSummary]:
    """Every user's projects, newest first."""
    where = []
    if moderation:
        where.append(Project.moderation == moderation)
    if user_id:
        where.append(Project.user_id == parse_id(user_id, "user"))
    total = session.scalar(select(func.count()).select_from(Project).where(*where)) or 0
    rows = session.scalars(
        select(Project)
        .where(*where)
        .order_by(Project.created_at.desc())
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
    """Block a project from rendering (or allow it again), with a note."""
    project = session.get(Project, parse_id(project_id, "project"))
    if project is None:
        raise NotFound("project")
    project.moderation = body.moderation
    project.moderation_note = body.note
    session.commit()
    return project
