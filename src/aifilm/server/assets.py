"""Project files: uploads checked by their bytes and stored by key; job outputs."""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from aifilm.server.errors import Conflict, Problem
from aifilm.server.models import Asset, Project
from aifilm.server.projectspec import asset_name, folder_clashes
from aifilm.server.sniff import ALLOWED, sniff_file
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
    name = asset_name(name)
    _no_folder_clash(session, project, name)
    with tempfile.NamedTemporaryFile(prefix="aifilm-upload-") as tmp:
        digest = hashlib.sha256()
        size = 0
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise Problem(413, f"the file is over the {max_bytes}-byte limit")
            digest.update(chunk)
            tmp.write(chunk)
        tmp.flush()
        if size == 0:
            raise Problem(422, "the file is empty")
        found = sniff_file(Path(tmp.name))
        if found is None:
            raise Problem(
                415,
                f"'{name}' is not a supported file, or it is damaged (it must open as one of: "
                f"{ALLOWED})",
            )
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


def _no_folder_clash(session: Session, project: Project, name: str) -> None:
    """Refuse `images` beside `images/bg.png`: the worker could not lay both out on disk."""
    others = [a.name for a in input_assets(session, project.id) if a.name != name]
    for file, path in folder_clashes([*others, name]):
        if name in (file, path):
            other = path if name == file else file
            raise Conflict(
                f"'{name}' clashes with the uploaded file '{other}': one is named like the "
                f"other's folder. Delete '{other}' first, or upload under another name",
                clashes_with=other,
            )


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
