"""The `youtube_uploads` table as a queue, beside the render queue in `jobs`.

An upload is enqueued once per film (its SHA-256) per channel: asking again returns the same
row, and asking again after it failed queues that row again, keeping what was already done
(the upload session, the captions sent) so nothing is sent twice. Workers claim rows with a
lease, exactly as they claim render jobs: a worker that dies stops renewing it and another
takes the upload over, continuing the same resumable session. Statuses:
pending -> uploading (bytes going up) -> processing (the video is on YouTube; thumbnail,
captions, playlist) -> published, or failed with the error.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from aifilm.publish.youtube.errors import MetadataError
from aifilm.publish.youtube.metadata import footer_for
from aifilm.server.assets import input_assets
from aifilm.server.errors import Conflict, Forbidden, NotFound, Problem
from aifilm.server.lease import lock_if_held, lock_next_free
from aifilm.server.models import Asset, Job, Project, User, YoutubeConnection, YoutubeUpload, utcnow
from aifilm.server.plans import PLANS
from aifilm.server.youtube.schemas import UploadOptions

WORKING = ("uploading", "processing")
FINAL = ("published", "failed")


@dataclass(frozen=True)
class UploadClaim:
    """An upload a worker holds: which attempt, checked on every write."""

    upload_id: uuid.UUID
    worker_id: str
    attempt: int


def require_plan(user: User) -> None:
    """A 402 problem unless the user's plan includes YouTube publishing."""
    if not PLANS[user.plan].youtube:
        paid = ", ".join(name for name, plan in PLANS.items() if plan.youtube)
        raise Problem(
            402,
            f"YouTube publishing comes with the paid plans ({paid}); this account is on the "
            f"{user.plan} plan: upgrade to connect a channel and publish",
            title="Paid plan required",
            plan=user.plan,
        )


def connection_of(session: Session, user_id: uuid.UUID) -> YoutubeConnection | None:
    """The user's channel connection, if any."""
    return session.scalars(
        select(YoutubeConnection).where(YoutubeConnection.user_id == user_id)
    ).first()


def usable_connection(session: Session, user_id: uuid.UUID) -> YoutubeConnection:
    """The user's connection, or a 409 problem saying how to (re)connect."""
    connection = connection_of(session, user_id)
    if connection is None:
        raise Conflict("no YouTube channel is connected: connect one at GET /api/youtube/auth")
    if connection.status != "active":
        raise Conflict(
            f"YouTube refused the authorization of channel '{connection.channel_title}' "
            f"({connection.last_error}): connect it again at GET /api/youtube/auth",
            needs_reauth=True,
        )
    return connection


def film_asset(session: Session, job: Job) -> Asset:
    """The film a finished job rendered."""
    if job.status != "completed":
        raise Conflict(
            f"the job is {job.status}: a film can be published once its render has completed"
        )
    film = session.scalars(
        select(Asset).where(Asset.job_id == job.id, Asset.kind == "video").order_by(Asset.name)
    ).first()
    if film is None:
        raise Conflict("the job has no film to publish (its results were deleted)")
    return film


def checked_request(
    session: Session, project: Project, options: UploadOptions, title: str
) -> dict[str, Any]:
    """The upload's request as stored, after the checks YouTube would make (422 if not);
    a project an admin blocked is not published (403)."""
    if project.moderation == "blocked":
        note = f": {project.moderation_note}" if project.moderation_note else ""
        raise Forbidden(f"an admin blocked this project{note}; it cannot be published")
    metadata = options.metadata(title)
    try:
        metadata.check(footer=footer_for("0" * 64, metadata.description))
    except MetadataError as exc:
        fix = f" (fix: {exc.hint})" if exc.hint else ""
        raise Problem(
            422, f"{exc.field}: {exc}{fix}", title="Invalid video metadata", field=exc.field
        ) from None
    if options.create_playlist and not options.playlist:
        raise Problem(422, "create_playlist needs a playlist title", field="playlist")
    if options.thumbnail not in ("render", "none"):
        names = {a.name: a for a in input_assets(session, project.id)}
        chosen = names.get(options.thumbnail)
        if chosen is None or chosen.kind != "image":
            raise Problem(
                422,
                f"thumbnail: the project has no uploaded image '{options.thumbnail}'; upload it "
                "to /api/projects/{id}/assets, or use 'render' or 'none'",
                field="thumbnail",
            )
    return {"title": title, **options.model_dump(mode="json")}


def enqueue(
    session: Session,
    user_id: uuid.UUID,
    job: Job,
    connection: YoutubeConnection,
    request: dict[str, Any],
    *,
    automatic: bool = False,
) -> tuple[YoutubeUpload, bool]:
    """Queue the job's film for the channel; (upload, queued now). Once per film per channel."""
    film = film_asset(session, job)
    existing = session.scalars(
        select(YoutubeUpload)
        .where(
            YoutubeUpload.channel_id == connection.channel_id,
            YoutubeUpload.sha256 == film.sha256,
        )
        .with_for_update()
    ).first()
    if existing is not None:
        if existing.user_id != user_id:
            raise Conflict("this film is already on that channel, published by another account")
        if existing.upload_status != "failed":
            return existing, False
        existing.upload_status, existing.error_message = "pending", None
        existing.attempts, existing.progress, existing.current_step = 0, 0.0, None
        existing.request, existing.job_id, existing.completed_at = request, job.id, None
        existing.automatic = automatic
        return existing, True
    upload = YoutubeUpload(
        id=uuid.uuid4(),
        user_id=user_id,
        project_id=job.project_id,
        job_id=job.id,
        channel_id=connection.channel_id,
        sha256=film.sha256,
        automatic=automatic,
        request=request,
        record={},
    )
    session.add(upload)
    session.flush()
    return upload, True


def enqueue_automatic(session: Session, job: Job) -> str | None:
    """Queue a just-finished render's film when its project publishes automatically; a line
    for the job's log (None when the project does not)."""
    project = session.get(Project, job.project_id)
    if project is None or not project.youtube_autopublish:
        return None
    user = session.get(User, job.user_id)
    if user is None:
        return None
    try:
        require_plan(user)
        connection = usable_connection(session, user.id)
        options = UploadOptions.model_validate(project.youtube_autopublish)
        request = checked_request(session, project, options, project.title)
        upload, queued = enqueue(session, user.id, job, connection, request, automatic=True)
    except Problem as problem:
        return f"auto-publish to YouTube skipped: {problem.detail}"
    if not queued:
        return f"auto-publish: this film is already on the channel (upload {upload.id})"
    return f"auto-publish to YouTube queued (upload {upload.id})"


def own_upload(session: Session, user_id: uuid.UUID, upload_id: uuid.UUID) -> YoutubeUpload:
    """The user's upload; someone else's reads as not found."""
    upload = session.get(YoutubeUpload, upload_id)
    if upload is None or upload.user_id != user_id:
        raise NotFound("YouTube upload")
    return upload


def claim_next(
    session: Session, worker_id: str, lease_seconds: float, max_attempts: int
) -> UploadClaim | None:
    """Take the oldest pending upload, or one whose worker's lease ran out; None if none."""
    now = utcnow()
    while True:
        free = or_(
            YoutubeUpload.upload_status == "pending",
            YoutubeUpload.upload_status.in_(WORKING) & (YoutubeUpload.lease_expires_at < now),
        )
        upload = lock_next_free(session, YoutubeUpload, free, (YoutubeUpload.created_at,))
        if upload is None:
            return None
        if upload.attempts >= max_attempts:
            upload.upload_status, upload.completed_at = "failed", now
            upload.error_message = f"gave up after {upload.attempts} attempts (worker lost)"
            upload.lease_expires_at = None
            continue
        upload.upload_status = "processing" if upload.video_id else "uploading"
        upload.attempts += 1
        upload.worker_id = worker_id
        upload.lease_expires_at = now + timedelta(seconds=lease_seconds)
        upload.error_message = None
        return UploadClaim(upload.id, worker_id, upload.attempts)


def holding(session: Session, claim: UploadClaim) -> YoutubeUpload | None:
    """The upload, locked, if `claim` still holds it."""
    return lock_if_held(
        session, YoutubeUpload, claim.upload_id, claim.worker_id, claim.attempt, _working
    )


def _working(upload: YoutubeUpload) -> bool:
    return upload.upload_status in WORKING


def heartbeat(
    factory: sessionmaker[Session],
    claim: UploadClaim,
    lease_seconds: float,
    *,
    progress: float | None = None,
    step: str | None = None,
    record: dict[str, Any] | None = None,
) -> YoutubeUpload | None:
    """Renew the lease, note progress, merge `record` changes; None when no longer ours."""
    with factory() as session, session.begin():
        upload = holding(session, claim)
        if upload is None:
            return None
        upload.lease_expires_at = utcnow() + timedelta(seconds=lease_seconds)
        if progress is not None:
            upload.progress = round(max(upload.progress, min(progress, 100.0)), 1)
        if step is not None:
            upload.current_step = step
        if record:
            upload.record = {**upload.record, **record}
            if record.get("video_id"):
                upload.video_id = str(record["video_id"])
                upload.upload_status = "processing"
                upload.uploaded_at = upload.uploaded_at or utcnow()
            if isinstance(record.get("playlist"), str) and record["playlist"] != "*":
                upload.playlist_id = record["playlist"]
        session.flush()
        session.expunge(upload)
        return upload


def finish(session: Session, claim: UploadClaim, result: dict[str, Any]) -> YoutubeUpload | None:
    """Published: keep what `publish()` reported."""
    upload = holding(session, claim)
    if upload is None:
        return None
    upload.upload_status, upload.progress, upload.current_step = "published", 100.0, "done"
    upload.video_id = result.get("video_id") or upload.video_id
    upload.playlist_id = result.get("playlist_id") or upload.playlist_id
    upload.result = result
    upload.completed_at = utcnow()
    upload.lease_expires_at = None
    return upload


def fail(session: Session, claim: UploadClaim, error: str) -> YoutubeUpload | None:
    """Failed for good, with the error."""
    upload = holding(session, claim)
    if upload is None:
        return None
    upload.upload_status, upload.error_message = "failed", error[:4000]
    upload.completed_at = utcnow()
    upload.lease_expires_at = None
    return upload


def retry_later(
    session: Session, claim: UploadClaim, error: str, max_attempts: int
) -> YoutubeUpload | None:
    """A passing failure (YouTube down, connection lost): back in the queue, or failed after
    `max_attempts`. The next attempt continues the same upload session."""
    upload = holding(session, claim)
    if upload is None:
        return None
    if upload.attempts >= max_attempts:
        return fail(session, claim, f"{error} (gave up after {upload.attempts} attempts)")
    upload.upload_status, upload.error_message = "pending", error[:4000]
    upload.lease_expires_at = None
    return upload
