"""Render jobs: submit (charging credits), follow (poll or server-sent events), cancel,
download the results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Session

from aifilm.server import jobs, reads
from aifilm.server.api.routes.projects import file_response
from aifilm.server.deps import (
    AsyncReaderDep,
    CurrentUser,
    Paging,
    SessionDep,
    SettingsDep,
    StateDep,
    StorageDep,
    StreamUser,
    parse_id,
)
from aifilm.server.errors import NotFound
from aifilm.server.models import Asset, Job, JobLog, User
from aifilm.server.reads import AnyRow
from aifilm.server.schemas import (
    AssetPublic,
    JobCreate,
    JobLogPublic,
    JobPublic,
    JobStatus,
    Page,
)
from aifilm.server.sse import Snapshot, event_stream, snapshots, stream_slot
from aifilm.server.state import ServerState

router = APIRouter(prefix="/jobs", tags=["jobs"])


def own_job(session: Session, user: User, job_id: str) -> Job:
    """The user's job; someone else's reads as not found."""
    job = session.get(Job, parse_id(job_id, "job"))
    if job is None or job.user_id != user.id:
        raise NotFound("job")
    return job


def job_public(session: Session, job: Job) -> JobPublic:
    out = JobPublic.model_validate(job)
    files = session.scalars(select(Asset).where(Asset.job_id == job.id).order_by(Asset.name))
    out.files = [AssetPublic.model_validate(f) for f in files]
    return out


async def jobs_public(conn: AsyncConnection, rows: Sequence[AnyRow]) -> list[JobPublic]:
    """The jobs as clients see them, their result files read in one query."""
    out = {row.id: JobPublic.model_validate(row) for row in rows}
    for asset in await reads.files_of_jobs(conn, list(out)):
        out[asset.job_id].files.append(AssetPublic.model_validate(asset))
    return list(out.values())


def wake_workers(state: ServerState) -> None:
    """Tell a worker there is a new job (they also poll, so this only saves time)."""
    if state.worker is not None:
        state.worker.notify()
    elif state.settings.worker == "celery":
        from aifilm.server.celery_app import wake

        wake(state.settings)


@router.post("", status_code=201, response_model=JobPublic)
def create_job(
    body: JobCreate,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    state: StateDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JobPublic:
    """Queue a render of a project; its credits are charged now and refunded if it fails.

    With an `Idempotency-Key` header, sending the same request again returns the first job
    (status 200) instead of charging twice.
    """
    user_id = user.id
    session.commit()  # end the read transaction the auth check opened
    for attempt in range(3):
        try:
            with session.begin():
                job, created = jobs.submit(
                    session,
                    user_id,
                    body,
                    idempotency_key,
                    settings.max_spec_bytes,
                    settings.allowed_backends,
                    settings.licensed_backends,
                    settings.provider_usd_per_credit,
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
    if created:
        wake_workers(state)
    else:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    return job_public(session, job)


@router.get("", response_model=Page[JobPublic])
async def list_jobs(
    user: CurrentUser,
    conn: AsyncReaderDep,
    page: Paging,
    status: Annotated[str | None, Query()] = None,
) -> Page[JobPublic]:
    """The user's jobs, newest first."""
    params: dict[str, Any] = {"user_id": user.id, "status": status}
    rows, total = await reads.fetch_page(
        conn, reads.JOBS_OF_USER[status is not None], params, page.offset, page.limit
    )
    return Page(
        items=await jobs_public(conn, rows), total=total, offset=page.offset, limit=page.limit
    )


async def _own_job_row(conn: AsyncConnection, user: User, job_id: str) -> AnyRow:
    """The user's job as a row; someone else's reads as not found."""
    row = await reads.job_of_user(conn, parse_id(job_id, "job"), user.id)
    if row is None:
        raise NotFound("job")
    return row


@router.get("/{job_id}", response_model=JobPublic)
async def read_job(job_id: str, user: CurrentUser, conn: AsyncReaderDep) -> JobPublic:
    """A job with its result files."""
    (job,) = await jobs_public(conn, [await _own_job_row(conn, user, job_id)])
    return job


@router.get("/{job_id}/status", response_model=JobStatus)
async def job_status(job_id: str, user: CurrentUser, conn: AsyncReaderDep) -> JobStatus:
    """Just the state and progress, for polling."""
    return JobStatus.model_validate(await _own_job_row(conn, user, job_id), from_attributes=True)


@router.get("/{job_id}/logs", response_model=Page[JobLogPublic])
async def job_logs(
    job_id: str, user: CurrentUser, conn: AsyncReaderDep, page: Paging
) -> Page[JobLogPublic]:
    """The job's log lines, oldest first."""
    job = await _own_job_row(conn, user, job_id)
    rows, total = await reads.fetch_page(
        conn, reads.LOGS_OF_JOB, {"job_id": job.id}, page.offset, page.limit
    )
    return Page(
        items=[JobLogPublic.model_validate(r) for r in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/{job_id}/events")
async def job_events(
    job_id: str,
    request: Request,
    user: StreamUser,
    state: StateDep,
    interval: Annotated[float, Query(ge=0.05, le=10)] = 0.5,
) -> StreamingResponse:
    """Progress as server-sent events: `progress` on change, `log` per log line, then `end`.

    A stream holds no database connection: its owner is checked on one given back before
    streaming starts, and each poll borrows one. An account may hold `max_streams_per_user`
    streams at once (429 beyond)."""
    async with state.async_engine.connect() as conn:
        the_id = (await _own_job_row(conn, user, job_id)).id
    release = stream_slot(state, user.id)

    def snapshot(after: int) -> Snapshot:
        with state.readers() as session:
            row = session.get(Job, the_id)
            if row is None:
                return {"status": "deleted"}, []
            logs = session.scalars(
                select(JobLog).where(JobLog.job_id == the_id, JobLog.id > after).order_by(JobLog.id)
            ).all()
            status = {
                "id": str(row.id),
                "status": row.status,
                "progress": row.progress,
                "current_step": row.current_step,
                "error_message": row.error_message,
            }
            return status, [
                {"id": r.id, "level": r.level, "message": r.message, "at": r.created_at.isoformat()}
                for r in logs
            ]

    return event_stream(snapshots(request, snapshot, (*jobs.FINAL, "deleted"), interval), release)


@router.post("/{job_id}/cancel", response_model=JobPublic)
def cancel_job(job_id: str, user: CurrentUser, session: SessionDep) -> JobPublic:
    """Stop a queued or running job and refund its credits."""
    job = own_job(session, user, job_id)
    session.commit()
    with session.begin():
        jobs.cancel(session, job)
    return job_public(session, job)


@router.get("/{job_id}/files/{name}")
def download_file(
    job_id: str, name: str, user: CurrentUser, session: SessionDep, storage: StorageDep
) -> Response:
    """A result file of a finished job (the film, subtitles, thumbnail, report)."""
    job = own_job(session, user, job_id)
    asset = session.scalars(select(Asset).where(Asset.job_id == job.id, Asset.name == name)).first()
    if asset is None:
        raise NotFound("file")
    session.commit()
    return file_response(storage, asset)
