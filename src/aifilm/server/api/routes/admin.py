"""Administration of accounts: search, details, plans, credit adjustments, suspension.
Projects and renders are in `admin_content.py`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, or_, select

from aifilm.server import credits, moderation
from aifilm.server.deps import AdminUser, Paging, SessionDep, parse_id
from aifilm.server.errors import NotFound
from aifilm.server.models import CreditTransaction, Job, Project, User
from aifilm.server.schemas import (
    AdminUserDetail,
    AdminUserPublic,
    AdminUserUpdate,
    CreditAdjust,
    Page,
    PlanChange,
    PlanName,
    Role,
    Suspend,
    TransactionPublic,
)

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/users", response_model=Page[AdminUserPublic])
def list_users(
    admin: AdminUser,
    session: SessionDep,
    page: Paging,
    q: Annotated[str | None, Query(max_length=255, description="Part of email or name")] = None,
    plan: Annotated[PlanName | None, Query()] = None,
    role: Annotated[Role | None, Query()] = None,
    status: Annotated[Literal["active", "suspended"] | None, Query()] = None,
) -> Page[AdminUserPublic]:
    """All users, newest first; `q` searches email and name, the others filter."""
    where = []
    if q:
        like = f"%{q.lower()}%"
        where.append(or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like)))
    if plan:
        where.append(User.plan == plan)
    if role:
        where.append(User.role == role)
    if status:
        where.append(User.is_active.is_(status == "active"))
    total = session.scalar(select(func.count()).select_from(User).where(*where)) or 0
    rows = session.scalars(
        select(User)
        .where(*where)
        .order_by(User.created_at.desc(), User.id)
        .offset(page.offset)
        .limit(page.limit)
    )
    return Page(
        items=[AdminUserPublic.model_validate(u) for u in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/users/{user_id}", response_model=AdminUserDetail)
def read_user(user_id: str, admin: AdminUser, session: SessionDep) -> AdminUserDetail:
    """One user: the account, how many projects and renders it has, its last 20 ledger
    entries."""
    user = session.get(User, parse_id(user_id, "user"))
    if user is None:
        raise NotFound("user")
    jobs_total, jobs_failed = session.execute(
        select(func.count(), func.count().filter(Job.status == "failed")).where(
            Job.user_id == user.id
        )
    ).one()
    projects = session.scalar(select(func.count()).where(Project.user_id == user.id)) or 0
    ledger = session.scalars(
        select(CreditTransaction)
        .where(CreditTransaction.user_id == user.id)
        .order_by(CreditTransaction.id.desc())
        .limit(20)
    )
    return AdminUserDetail.model_validate(
        {
            **AdminUserPublic.model_validate(user).model_dump(),
            "projects": projects,
            "jobs": int(jobs_total),
            "failed_jobs": int(jobs_failed),
            "transactions": [TransactionPublic.model_validate(t) for t in ledger],
        }
    )


@router.patch("/users/{user_id}", response_model=AdminUserPublic)
def update_user(user_id: str, body: AdminUserUpdate, admin: AdminUser, session: SessionDep) -> User:
    """Change a user's role, plan (granting its monthly credits) or active flag."""
    uid = parse_id(user_id, "user")
    admin_id = admin.id
    session.commit()
    with session.begin():
        if body.is_active is False:
            moderation.suspend(session, uid, "suspended by an admin", admin_id)
        elif body.is_active is True:
            moderation.unsuspend(session, uid)
        user = credits.lock_user(session, uid)
        if body.role is not None:
            user.role = body.role
        if body.plan is not None and body.plan != user.plan:
            credits.start_plan(session, user, body.plan)
    return user


@router.post("/users/{user_id}/suspend", response_model=AdminUserPublic)
def suspend_user(user_id: str, body: Suspend, admin: AdminUser, session: SessionDep) -> User:
    """Suspend an account: it cannot sign in or use its API keys, its sessions end, its
    queued and running renders are cancelled and refunded. The reason is kept."""
    uid = parse_id(user_id, "user")
    admin_id = admin.id
    session.commit()
    with session.begin():
        return moderation.suspend(session, uid, body.reason, admin_id)


@router.post("/users/{user_id}/unsuspend", response_model=AdminUserPublic)
def unsuspend_user(user_id: str, admin: AdminUser, session: SessionDep) -> User:
    """Restore a suspended account (it signs in again; its old sessions stay ended)."""
    uid = parse_id(user_id, "user")
    session.commit()
    with session.begin():
        return moderation.unsuspend(session, uid)


@router.post("/users/{user_id}/plan", response_model=AdminUserPublic)
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
