"""Running a claimed upload: the job's results fetched from storage, then `publish()` from the
publish package, with the server's database as its record and progress going to the row.

Errors end an upload in one of three ways: the channel's authorization is refused (failed,
and the connection is marked for re-authorization), a problem the user must fix (metadata,
quota, a playlist; failed with YouTube's reason and the fix), or a passing one (YouTube
down, connections lost past the retries, a crash): back in the queue, where the next attempt
continues the same resumable session from the byte YouTube has.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aifilm.errors import UserError
from aifilm.pipeline.context import ProgressEvent
from aifilm.publish.film import find_film
from aifilm.publish.youtube import CredentialsError, YouTubeClient, publish
from aifilm.server.config import ServerSettings
from aifilm.server.lease import LeaseHeartbeat
from aifilm.server.models import Asset, YoutubeConnection, YoutubeUpload
from aifilm.server.storage import Storage
from aifilm.server.youtube import queue
from aifilm.server.youtube.quota import DatabaseQuotaLedger
from aifilm.server.youtube.schemas import UploadOptions
from aifilm.server.youtube.tokens import (
    TokenUnreadable,
    credentials_for,
    google_tokens,
    store_tokens,
    youtube_settings,
)

log = logging.getLogger("aifilm.server.youtube")

# Where each step of publish() sits in the upload's progress (percent at its start, at its end).
STEPS = {
    "check": (0.0, 2.0),
    "hash": (2.0, 4.0),
    "channel": (4.0, 5.0),
    "find": (5.0, 6.0),
    "upload": (6.0, 86.0),
    "thumbnail": (86.0, 89.0),
    "captions": (89.0, 97.0),
    "playlist": (97.0, 100.0),
}


class UploadLost(Exception):
    """Another worker took the upload over (this one was too slow to renew its lease)."""


class DatabaseRecords:
    """`publish()`'s record of what was done, kept in the upload's row instead of a file."""

    def __init__(self, tracker: _Tracker) -> None:
        self.tracker = tracker

    def get(self, key: str) -> dict[str, Any]:
        return dict(self.tracker.record)

    def update(self, key: str, **changes: Any) -> dict[str, Any]:
        self.tracker.save(changes)
        return dict(self.tracker.record)


class _Tracker(LeaseHeartbeat):
    """Progress and lease of one claimed upload: writes at most every `every` seconds (each
    step's start and end always), and the heartbeat thread renews the lease between events."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        claim: queue.UploadClaim,
        lease_seconds: float,
        record: dict[str, Any],
        every: float = 0.5,
    ) -> None:
        super().__init__(lease_seconds, "aifilm-yt-lease")
        self.sessions = sessions
        self.claim = claim
        self.record = record
        self.every = every
        self._last = 0.0
        self._lock = threading.Lock()

    def renew(self) -> bool:
        return queue.heartbeat(self.sessions, self.claim, self.lease) is not None

    def _write(self, **kw: Any) -> None:
        if self.lost or queue.heartbeat(self.sessions, self.claim, self.lease, **kw) is None:
            self.lost = True
            raise UploadLost

    def save(self, changes: dict[str, Any]) -> None:
        with self._lock:
            self._write(record=changes)
            self.record.update(changes)

    def __call__(self, event: ProgressEvent) -> None:
        if self.lost:
            raise UploadLost
        with self._lock:
            now = time.monotonic()
            if event.event == "progress" and now - self._last < self.every:
                return
            self._last = now
            start, end = STEPS.get(event.stage, (0.0, 0.0))
            fraction = 1.0 if event.event == "finish" else 0.0
            if event.event != "finish" and event.total:
                fraction = max(0.0, min(1.0, event.done / event.total))
            self._write(progress=start + (end - start) * fraction, step=event.stage)


def _fetch_results(
    session: Session, storage: Storage, upload: YoutubeUpload, folder: Path
) -> Path | None:
    """The job's results into `folder` (as `aifilm render` leaves them); and the chosen
    project image when the thumbnail is one."""
    for asset in session.scalars(select(Asset).where(Asset.job_id == upload.job_id)):
        storage.get_file(asset.storage_key, folder / asset.name)
    chosen = upload.request.get("thumbnail", "render")
    if chosen in ("render", "none"):
        return None
    image = session.scalars(
        select(Asset).where(
            Asset.project_id == upload.project_id, Asset.job_id.is_(None), Asset.name == chosen
        )
    ).first()
    if image is None:
        raise UserError(f"the thumbnail image '{chosen}' was deleted from the project")
    target = folder.parent / "thumbnail" / Path(chosen).name
    target.parent.mkdir(parents=True, exist_ok=True)
    storage.get_file(image.storage_key, target)
    return target


def _message(error: Exception) -> str:
    hint = getattr(error, "hint", None)
    return f"{error} (fix: {hint})" if hint else str(error)


def run_claimed_upload(
    sessions: sessionmaker[Session],
    storage: Storage,
    settings: ServerSettings,
    claim: queue.UploadClaim,
) -> str:
    """Publish a claimed upload to the end; its final status as this worker saw it."""
    with sessions() as session:
        upload = session.get(YoutubeUpload, claim.upload_id)
        if upload is None:
            return "lost"
        connection = queue.connection_of(session, upload.user_id)
        session.expunge_all()
    if upload.job_id is None:
        return _end(sessions, claim, settings, "the render job was deleted; nothing to publish")
    if connection is None or connection.channel_id != upload.channel_id:
        return _end(
            sessions,
            claim,
            settings,
            f"channel {upload.channel_id} is no longer connected: connect it again at "
            "GET /api/youtube/auth and ask for the upload again",
        )
    endpoints = youtube_settings(settings)
    options = UploadOptions.model_validate(
        {k: v for k, v in upload.request.items() if k != "title"}
    )
    try:
        credentials = credentials_for(settings, connection)
    except TokenUnreadable as exc:
        _needs_reauth(sessions, connection, str(exc))
        return _end(sessions, claim, settings, f"{exc}: connect the channel again")
    client: YouTubeClient | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="aifilm-yt-") as tmp:
            folder = Path(tmp) / "render"
            folder.mkdir()
            with sessions() as session:
                thumbnail = _fetch_results(session, storage, upload, folder)
            with _Tracker(sessions, claim, settings.lease_seconds, dict(upload.record)) as tracker:
                ledger = DatabaseQuotaLedger(sessions, credentials.client_id, endpoints)
                client = YouTubeClient(credentials, endpoints, ledger=ledger)
                try:
                    result = publish(
                        find_film(folder),
                        options.metadata(str(upload.request["title"])),
                        credentials,
                        thumbnail=thumbnail or options.thumbnail == "render",
                        captions=True,
                        playlist=options.playlist,
                        create_playlist=options.create_playlist,
                        progress=tracker,
                        settings=endpoints,
                        client=client,
                        state=DatabaseRecords(tracker),
                    )
                finally:
                    _keep_tokens(sessions, settings, connection, client)
                    client.close()
    except UploadLost:
        return "lost"
    except CredentialsError as exc:
        _needs_reauth(sessions, connection, str(exc))
        return _end(
            sessions,
            claim,
            settings,
            f"{exc}. The channel must be connected again (GET /api/youtube/auth); then ask "
            "for the upload again",
        )
    except UserError as exc:  # metadata, quota, a refused request, a missing file
        return _end(sessions, claim, settings, _message(exc))
    except Exception as exc:  # YouTube kept failing, or something broke here: try again
        log.warning("upload attempt failed", exc_info=True)
        return _end(sessions, claim, settings, f"{type(exc).__name__}: {exc}", passing=True)
    with sessions() as session, session.begin():
        done = queue.finish(session, claim, {k: v for k, v in result.to_dict().items()})
    return "published" if done is not None else "lost"


def _keep_tokens(
    sessions: sessionmaker[Session],
    settings: ServerSettings,
    connection: YoutubeConnection,
    client: YouTubeClient | None,
) -> None:
    """Store the access token google-auth fetched (or a rotated refresh token)."""
    if client is None:
        return
    token, expiry, refresh = google_tokens(client)
    try:
        with sessions() as session, session.begin():
            row = session.get(YoutubeConnection, connection.id, with_for_update=True)
            if row is not None:
                store_tokens(settings, row, token, expiry, refresh)
    except Exception:
        log.warning("could not keep the refreshed YouTube token", exc_info=True)


def _needs_reauth(
    sessions: sessionmaker[Session], connection: YoutubeConnection, error: str
) -> None:
    with sessions() as session, session.begin():
        row = session.get(YoutubeConnection, connection.id, with_for_update=True)
        if row is not None:
            row.status, row.last_error = "reauth", error[:2000]


def _end(
    sessions: sessionmaker[Session],
    claim: queue.UploadClaim,
    settings: ServerSettings,
    error: str,
    *,
    passing: bool = False,
) -> str:
    with sessions() as session, session.begin():
        if passing:
            upload = queue.retry_later(session, claim, error, settings.max_attempts)
        else:
            upload = queue.fail(session, claim, error)
        return upload.upload_status if upload is not None else "lost"


def work_once_upload(
    sessions: sessionmaker[Session], storage: Storage, settings: ServerSettings, worker_id: str
) -> str | None:
    """Claim and run one upload; its final status, or None when none was waiting."""
    with sessions() as session, session.begin():
        claim = queue.claim_next(session, worker_id, settings.lease_seconds, settings.max_attempts)
    if claim is None:
        return None
    log.info("upload claimed", extra={"upload_id": str(claim.upload_id), "worker": worker_id})
    status = run_claimed_upload(sessions, storage, settings, claim)
    log.info("upload ended", extra={"upload_id": str(claim.upload_id), "status": status})
    return status
