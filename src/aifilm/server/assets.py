"""Project files: uploads checked by their bytes and stored by key; job outputs."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from aifilm.server.errors import Problem
from aifilm.server.models import Asset, Project
from aifilm.server.projectspec import safe_name
from aifilm.server.sniff import ALLOWED, sniff
from aifilm.server.storage import Storage

OUTPUT_TYPES = {
    ".mp4": ("video", "video/mp4"),
    ".m4a": ("audio", "audio/mp4"),
    ".mp3": ("audio", "audio/mpeg"),
    ".png": ("image", "image/png"),
    ".srt": ("subtitles", "application/x-subrip"),
    ".vtt": ("subtitles", "text/vtt"),
    ".json": ("report", "application/json"),
}


def project_prefix(project_id: uuid.UUID) -> str:
    """Storage prefix of everything a project owns."""
    return f"projects/{project_id}"


def input_assets(session: Session, project_id: uuid.UUID) -> list[Asset]:
    """The project's uploaded files (not job outputs), by name."""
    return list(
        session.scalars(
            select(Asset)
            .where(Asset.project_id == project_id, Asset.job_id.is_(None))
            .order_by(Asset.name)
        )
    )


def missing_assets(session: Session, project: Project, names: list[str]) -> list[str]:
    """Files the spec names that have not been uploaded."""
    have = {a.name for a in input_assets(session, project.id)}
    return [n for n in names if n not in have]


def save_upload(
    session: Session,
    storage: Storage,
    project: Project,
    name: str,
    stream: BinaryIO,
    max_bytes: int,
) -> Asset:
    """Store an uploaded image or audio file under `name`, replacing one of the same name."""
    name = safe_name(name)
    with tempfile.NamedTemporaryFile(prefix="aifilm-upload-") as tmp:
        digest = hashlib.sha256()
        size = 0
        head = b""
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise Problem(413, f"the file is over the {max_bytes}-byte limit")
            if len(head) < 64:
                head += chunk[: 64 - len(head)]
            digest.update(chunk)
            tmp.write(chunk)
        tmp.flush()
        if size == 0:
            raise Problem(422, "the file is empty")
        found = sniff(head)
        if found is None:
            raise Problem(415, f"'{name}' is not a supported file; allowed: {ALLOWED}")
        kind, content_type = found
        key = f"{project_prefix(project.id)}/assets/{uuid.uuid4().hex}"
        storage.put_file(key, Path(tmp.name), content_type)
    old = session.scalars(
        select(Asset).where(
            Asset.project_id == project.id, Asset.job_id.is_(None), Asset.name == name
        )
    ).first()
    if old is not None:
        session.delete(old)
        session.flush()
    asset = Asset(
        project_id=project.id,
        name=name,
        kind=kind,
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        storage_key=key,
    )
    session.add(asset)
    session.flush()
    return asset


def output_asset(storage: Storage, project_id: uuid.UUID, job_id: uuid.UUID, path: Path) -> Asset:
    """Store a render output; the caller adds the returned row."""
    kind, content_type = OUTPUT_TYPES.get(path.suffix.lower(), ("file", "application/octet-stream"))
    key = f"{project_prefix(project_id)}/jobs/{job_id}/{path.name}"
    storage.put_file(key, path, content_type)
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return Asset(
        project_id=project_id,
        job_id=job_id,
        name=path.name,
        kind=kind,
        content_type=content_type,
        size=path.stat().st_size,
        sha256=digest.hexdigest(),
        storage_key=key,
    )
