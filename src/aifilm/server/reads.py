"""The queries clients poll, built once and run on the event loop.

`GET /api/projects`, `GET /api/jobs/{id}` and the auth check behind every request are what
clients (the CLI following a render, a dashboard, CI) send over and over. Here they are
SQLAlchemy Core statements built once at import, with bound parameters, executed on an
asyncio connection: no ORM unit of work, no per-request statement building, no hand-off to a
worker thread, and a page's total counted in the same query as its rows (a window count).
Measured on the server's 2-core machine this is about a quarter of the CPU that the same
reads cost through ORM sessions (docs/server.md#performance).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Unpack

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import make_transient_to_detached

from aifilm.server.models import ApiKey, Asset, Job, JobLog, Project, User

# Rows and statements of any columns (SQLAlchemy 2.1 types them by their columns).
AnyRow = Row[Unpack[tuple[Any, ...]]]
AnySelect = Select[Unpack[tuple[Any, ...]]]

_USER_COLUMNS = tuple(User.__table__.c)

USER_BY_ID = select(*_USER_COLUMNS).where(User.id == bindparam("user_id"))
USER_BY_API_KEY = (
    select(*_USER_COLUMNS, ApiKey.id.label("api_key_id"), ApiKey.last_used_at.label("key_used"))
    .join(ApiKey, ApiKey.user_id == User.id)
    .where(ApiKey.key_hash == bindparam("key_hash"))
)
JOB_OF_USER = select(*Job.__table__.c).where(
    Job.id == bindparam("job_id"), Job.user_id == bindparam("user_id")
)
FILES_OF_JOBS = (
    select(*Asset.__table__.c)
    .where(Asset.job_id.in_(bindparam("job_ids", expanding=True)))
    .order_by(Asset.name)
)


def detached_user(row: AnyRow) -> User:
    """A `User` from a row of `_USER_COLUMNS`, as if loaded and then detached from a session:
    routes read it, and a session that adds it updates rather than inserts it."""
    user = User(**{c.key: row._mapping[c] for c in _USER_COLUMNS})
    make_transient_to_detached(user)
    return user


async def user_by_id(conn: AsyncConnection, user_id: uuid.UUID) -> User | None:
    row = (await conn.execute(USER_BY_ID, {"user_id": user_id})).first()
    return None if row is None else detached_user(row)


async def user_by_api_key(
    conn: AsyncConnection, key_hash: str
) -> tuple[User, uuid.UUID, Any] | None:
    """The key's owner, the key's id and when it was last used; None for an unknown key."""
    row = (await conn.execute(USER_BY_API_KEY, {"key_hash": key_hash})).first()
    if row is None:
        return None
    return detached_user(row), row.api_key_id, row.key_used


def paged(statement: AnySelect, order: Sequence[Any]) -> AnySelect:
    """`statement` ordered, one page of it (`offset`, `limit` parameters) and the number of
    rows in all pages on every row (`_total`)."""
    return (
        statement.add_columns(func.count().over().label("_total"))
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )


async def fetch_page(
    conn: AsyncConnection,
    statement: AnySelect,
    params: dict[str, Any],
    offset: int,
    limit: int,
) -> tuple[list[AnyRow], int]:
    """One page of a `paged` statement and the total. A page past the end has no rows to
    carry the total, so then it is counted on its own."""
    rows = list(await conn.execute(statement, {**params, "offset": offset, "limit": limit}))
    if rows:
        return rows, int(rows[0]._total)
    if offset == 0:
        return [], 0
    every_row = statement.order_by(None).limit(None).offset(None).subquery()
    counted = select(func.count()).select_from(every_row)
    total = await conn.scalar(counted, {**params, "offset": 0, "limit": 1})
    return [], int(total or 0)


PROJECTS_OF_USER = paged(
    select(Project.id, Project.user_id, Project.title, Project.status, Project.moderation,
           Project.created_at).where(Project.user_id == bindparam("user_id")),
    (Project.created_at.desc(), Project.id),
)  # fmt: skip


def jobs_of_user(status: bool) -> AnySelect:
    where = [Job.user_id == bindparam("user_id")]
    if status:
        where.append(Job.status == bindparam("status"))
    return paged(select(*Job.__table__.c).where(*where), (Job.created_at.desc(), Job.id))


JOBS_OF_USER = {False: jobs_of_user(False), True: jobs_of_user(True)}
LOGS_OF_JOB = paged(
    select(JobLog.id, JobLog.level, JobLog.message, JobLog.data, JobLog.created_at).where(
        JobLog.job_id == bindparam("job_id")
    ),
    (JobLog.id,),
)


async def job_of_user(
    conn: AsyncConnection, job_id: uuid.UUID, user_id: uuid.UUID
) -> AnyRow | None:
    return (await conn.execute(JOB_OF_USER, {"job_id": job_id, "user_id": user_id})).first()


async def files_of_jobs(conn: AsyncConnection, job_ids: Sequence[uuid.UUID]) -> list[AnyRow]:
    if not job_ids:
        return []
    return list(await conn.execute(FILES_OF_JOBS, {"job_ids": list(job_ids)}))
