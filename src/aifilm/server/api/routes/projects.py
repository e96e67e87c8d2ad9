"""Projects (a project.yaml each) and their files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from sqlalchemy import select
from sqlalchemy.orm import Session

from aifilm.server import reads
from aifilm.server.assets import input_assets, missing_assets, project_prefix, save_upload
from aifilm.server.deps import (
    AsyncReaderDep,
    CurrentUser,
    Paging,
    ReaderDep,
    SessionDep,
    SettingsDep,
    StorageDep,
    parse_id,
)
from aifilm.server.errors import Conflict, NotFound
from aifilm.server.jobs import ACTIVE
from aifilm.server.models import Asset, Job, Project, User
from aifilm.server.policy import refuse_unoffered
from aifilm.server.projectspec import check_spec
from aifilm.server.schemas import (
    AssetPublic,
    Page,
    ProjectCreate,
    ProjectPublic,
    ProjectSummary,
    ProjectUpdate,
)
from aifilm.server.storage import Storage

router = APIRouter(prefix="/projects", tags=["projects"])


def own_project(session: Session, user: User, project_id: str) -> Project:
    """The user's project; someone else's reads as not found."""
    project = session.get(Project, parse_id(project_id, "project"))
    if project is None or project.user_id != user.id:
        raise NotFound("project")
    return project


def _public(session: Session, project: Project, max_spec_bytes: int) -> ProjectPublic:
    facts = check_spec(project.spec, max_spec_bytes)
    out = ProjectPublic.model_validate(project)
    out.missing_assets = missing_assets(session, project, facts.files)
    return out


def _no_active_jobs(session: Session, project: Project) -> None:
    active = session.scalars(
        select(Job.id).where(Job.project_id == project.id, Job.status.in_(ACTIVE))
    ).first()
    if active is not None:
        raise Conflict(
            f"the project has a job in progress ({active}); wait for it or cancel it first"
        )


@router.post("", status_code=201, response_model=ProjectPublic)
def create_project(
    body: ProjectCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ProjectPublic:
    """A new project from project.yaml text; upload the files it names next."""
    facts = check_spec(body.spec, settings.max_spec_bytes)
    refuse_unoffered(facts.choices, settings.allowed_backends)
    project = Project(user_id=user.id, title=facts.title, spec=body.spec)
    session.add(project)
    session.commit()
    return _public(session, project, settings.max_spec_bytes)


@router.get("", response_model=Page[ProjectSummary])
async def list_projects(
    user: CurrentUser, conn: AsyncReaderDep, page: Paging
) -> Page[ProjectSummary]:
    """The user's projects, newest first."""
    rows, total = await reads.fetch_page(
        conn, reads.PROJECTS_OF_USER, {"user_id": user.id}, page.offset, page.limit
    )
    return Page(
        items=[ProjectSummary.model_validate(row) for row in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/{project_id}", response_model=ProjectPublic)
def read_project(
    project_id: str, user: CurrentUser, session: ReaderDep, settings: SettingsDep
) -> ProjectPublic:
    """One project, with the files it still lacks."""
    return _public(session, own_project(session, user, project_id), settings.max_spec_bytes)


@router.patch("/{project_id}", response_model=ProjectPublic)
def update_project(
    project_id: str,
    body: ProjectUpdate,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> ProjectPublic:
    """Replace the project.yaml text."""
    project = own_project(session, user, project_id)
    _no_active_jobs(session, project)
    facts = check_spec(body.spec, settings.max_spec_bytes)
    refuse_unoffered(facts.choices, settings.allowed_backends)
    project.spec, project.title = body.spec, facts.title
    session.commit()
    return _public(session, project, settings.max_spec_bytes)


@router.delete("/{project_id}", status_code=204)
def delete_project(
    project_id: str, user: CurrentUser, session: SessionDep, storage: StorageDep
) -> Response:
    """Delete the project with its files, jobs and results."""
    project = own_project(session, user, project_id)
    _no_active_jobs(session, project)
    session.delete(project)
    session.commit()
    storage.delete_prefix(project_prefix(project.id))
    return Response(status_code=204)


@router.post("/{project_id}/assets", status_code=201, response_model=AssetPublic)
def upload_asset(
    project_id: str,
    file: Annotated[UploadFile, File(description="An image or audio file.")],
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    storage: StorageDep,
    name: Annotated[str | None, Form(description="Path the spec uses; default: file name")] = None,
) -> Asset:
    """Upload a file the spec names (images/kaka.png); its type is read from its bytes."""
    project = own_project(session, user, project_id)
    _no_active_jobs(session, project)
    asset = save_upload(
        session, storage, project, name or file.filename or "", file.file, settings.max_upload_bytes
    )
    session.commit()
    return asset


@router.get("/{project_id}/assets", response_model=list[AssetPublic])
def list_assets(project_id: str, user: CurrentUser, session: ReaderDep) -> list[Asset]:
    """The project's uploaded files."""
    return input_assets(session, own_project(session, user, project_id).id)


def _own_asset(session: Session, user: User, project_id: str, asset_id: str) -> Asset:
    project = own_project(session, user, project_id)
    asset = session.get(Asset, parse_id(asset_id, "asset"))
    if asset is None or asset.project_id != project.id:
        raise NotFound("asset")
    return asset


@router.get("/{project_id}/assets/{asset_id}")
def download_asset(
    project_id: str, asset_id: str, user: CurrentUser, session: SessionDep, storage: StorageDep
) -> Response:
    """The file itself."""
    asset = _own_asset(session, user, project_id, asset_id)
    session.commit()
    return file_response(storage, asset)


@router.delete("/{project_id}/assets/{asset_id}", status_code=204)
def delete_asset(
    project_id: str, asset_id: str, user: CurrentUser, session: SessionDep
) -> Response:
    """Remove an uploaded file."""
    asset = _own_asset(session, user, project_id, asset_id)
    if asset.job_id is None:
        project = session.get(Project, asset.project_id)
        assert project is not None
        _no_active_jobs(session, project)
    session.delete(asset)
    session.commit()
    return Response(status_code=204)


def file_response(storage: Storage, asset: Asset) -> Response:
    """Send a stored file: directly from disk, by redirect to a presigned URL, or streamed."""
    from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse

    filename = asset.name.rsplit("/", 1)[-1]
    local = storage.local_path(asset.storage_key)
    if local is not None:
        if not local.is_file():
            raise NotFound("file")
        return FileResponse(local, media_type=asset.content_type, filename=filename)
    url = storage.presigned_url(asset.storage_key, filename)
    if url is not None:
        return RedirectResponse(url, status_code=307)
    return StreamingResponse(
        storage.open_stream(asset.storage_key),
        media_type=asset.content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
