"""YouTube: connect a channel (OAuth web flow), publish finished films in the background,
follow the uploads, manage playlists, publish a project's films automatically."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from aifilm.server.api.routes.jobs import own_job, wake_workers
from aifilm.server.api.routes.projects import own_project
from aifilm.server.config import ServerSettings
from aifilm.server.deps import (
    CurrentUser,
    Paging,
    SessionDep,
    SettingsDep,
    StateDep,
    StreamUser,
    parse_id,
)
from aifilm.server.errors import NotFound, Problem
from aifilm.server.models import Project, YoutubeUpload
from aifilm.server.plans import PLANS
from aifilm.server.schemas import Page
from aifilm.server.sse import Snapshot, event_stream, snapshots, stream_slot
from aifilm.server.youtube import oauth, queue, videos
from aifilm.server.youtube.channel import channel_client
from aifilm.server.youtube.quota import server_ledger
from aifilm.server.youtube.schemas import (
    AuthStart,
    AutoPublish,
    ConnectionPublic,
    Disconnected,
    Playlist,
    PlaylistCreate,
    UploadCreate,
    UploadOptions,
    UploadPublic,
    VideoPublic,
    VideoUpdate,
)

router = APIRouter(prefix="/youtube", tags=["youtube"])
WATCH = "https://www.youtube.com/watch?v={}"


def upload_public(upload: YoutubeUpload) -> UploadPublic:
    out = UploadPublic.model_validate(upload)
    out.url = WATCH.format(upload.video_id) if upload.video_id else None
    return out


# -- connecting a channel --------------------------------------------------------------------


@router.get("/auth", response_model=AuthStart)
def start_auth(
    request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> AuthStart:
    """Google's consent page for connecting a channel: send the user's browser there.

    Google then sends the browser to the redirect URI (`/api/youtube/callback`), which keeps
    the channel's tokens, encrypted. The consent works once, within 10 minutes.
    """
    queue.require_plan(user)
    redirect_uri = settings.youtube_redirect_uri or str(request.url_for("youtube_callback"))
    url, state = oauth.start(session, settings, user.id, redirect_uri)
    session.commit()
    return AuthStart(
        authorization_url=url,
        state=state,
        redirect_uri=redirect_uri,
        expires_in=oauth.STATE_TTL_S,
    )


@router.get("/callback", name="youtube_callback", response_model=ConnectionPublic)
def auth_callback(
    session: SessionDep,
    settings: SettingsDep,
    server: StateDep,
    state: Annotated[str, Query(min_length=1, max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Any:
    """Where Google sends the browser back: the code is exchanged and the channel stored.

    No sign-in is needed: the state names the user who asked. With `youtube_return_url`
    set, the browser is sent there with `?youtube=connected` (or `error` and `message`).
    """
    try:
        auth = oauth.take_request(session, state)
        session.commit()  # a state works once, whatever happens next
        if error or not code:
            raise Problem(
                400,
                f"Google did not grant access ({error or 'no code'}); "
                "start again at GET /api/youtube/auth",
                title="YouTube connection refused",
            )
        ledger = server_ledger(server.sessions, settings)
        connection = oauth.finish(session, settings, auth, code, ledger)
        session.commit()
    except Problem as problem:
        if settings.youtube_return_url:
            return _back(settings, youtube="error", message=problem.detail)
        raise
    if settings.youtube_return_url:
        return _back(settings, youtube="connected", channel=connection.channel_title)
    return ConnectionPublic.model_validate(connection)


def _back(settings: ServerSettings, **params: str) -> RedirectResponse:
    url = str(settings.youtube_return_url)
    return RedirectResponse(url + ("&" if "?" in url else "?") + urlencode(params), 303)


@router.get("/connection", response_model=ConnectionPublic)
def read_connection(user: CurrentUser, session: SessionDep) -> Any:
    """The connected channel; `status` "reauth" means it must be connected again."""
    connection = queue.connection_of(session, user.id)
    if connection is None:
        raise NotFound("YouTube connection")
    return connection


class YoutubeStatus(BaseModel):
    """What the studio's YouTube page needs first: whether the plan may publish, and the
    channel if one is connected (null, not a 404, when none is)."""

    plan_allows: bool
    connection: ConnectionPublic | None


@router.get("/status", response_model=YoutubeStatus)
def read_status(user: CurrentUser, session: SessionDep) -> YoutubeStatus:
    """Whether this account can publish, and its connected channel (or null)."""
    connection = queue.connection_of(session, user.id)
    return YoutubeStatus(
        plan_allows=PLANS[user.plan].youtube,
        connection=ConnectionPublic.model_validate(connection) if connection else None,
    )


@router.delete("/connection", response_model=Disconnected)
def delete_connection(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Any:
    """Revoke the channel's token at Google and forget the channel (uploads stay listed)."""
    connection = queue.connection_of(session, user.id)
    if connection is None:
        raise NotFound("YouTube connection")
    revoked = oauth.disconnect(settings, connection)
    channel_id = connection.channel_id
    session.delete(connection)
    session.commit()
    return Disconnected(revoked=revoked, channel_id=channel_id)


# -- uploads -------------------------------------------------------------------------------


@router.post("/upload", status_code=202, response_model=UploadPublic)
def create_upload(
    body: UploadCreate,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> UploadPublic:
    """Publish a finished job's film: it goes up in the background (follow it at
    `/api/youtube/uploads/{id}`) with its thumbnail and a caption track per subtitle
    language. A film already sent to the channel is not sent again: its upload comes back
    (200); one that failed is tried again, continuing where it stopped."""
    queue.require_plan(user)
    user_id = user.id
    job = own_job(session, user, str(body.job_id))
    project = session.get(Project, job.project_id)
    if project is None:
        raise NotFound("project")
    connection = queue.usable_connection(session, user_id)
    options = UploadOptions.model_validate(body.model_dump(exclude={"job_id", "title"}))
    title = body.title if body.title is not None else project.title
    request = queue.checked_request(session, project, options, title)
    queue.film_asset(session, job)
    session.commit()
    for attempt in range(3):
        try:
            with session.begin():
                upload, created = queue.enqueue(session, user_id, job, connection, request)
            break
        except IntegrityError:  # the same film, asked for twice at once: take the first
            if attempt == 2:
                raise
    if created:
        wake_workers(state)
    else:
        response.status_code = 200
    return upload_public(upload)


@router.get("/uploads", response_model=Page[UploadPublic])
def list_uploads(
    user: CurrentUser,
    session: SessionDep,
    page: Paging,
    status: Annotated[str | None, Query()] = None,
) -> Page[UploadPublic]:
    """The user's uploads, newest first."""
    where = [YoutubeUpload.user_id == user.id]
    if status:
        where.append(YoutubeUpload.upload_status == status)
    total = session.scalar(select(func.count()).select_from(YoutubeUpload).where(*where)) or 0
    rows = session.scalars(
        select(YoutubeUpload)
        .where(*where)
        .order_by(YoutubeUpload.created_at.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return Page(
        items=[upload_public(u) for u in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/uploads/{upload_id}", response_model=UploadPublic)
def read_upload(upload_id: str, user: CurrentUser, session: SessionDep) -> UploadPublic:
    """One upload: status, progress (0-100), current step, the video's ID and URL, or the
    error."""
    the_id = parse_id(upload_id, "YouTube upload")
    return upload_public(queue.own_upload(session, user.id, the_id))


@router.get("/uploads/{upload_id}/events")
async def upload_events(
    upload_id: str,
    request: Request,
    user: StreamUser,
    state: StateDep,
    interval: Annotated[float, Query(ge=0.05, le=10)] = 0.5,
) -> StreamingResponse:
    """Progress as server-sent events, as for jobs: `progress` (status, progress, step,
    video ID, error) whenever it changes, then `end` once published or failed. Holds no
    database connection between polls; capped per account as job streams are."""
    the_id = parse_id(upload_id, "YouTube upload")

    def own() -> None:
        with state.readers() as session:
            queue.own_upload(session, user.id, the_id)

    await run_in_threadpool(own)
    release = stream_slot(state, user.id)

    def snapshot(_after: int) -> Snapshot:
        with state.readers() as session:
            row = session.get(YoutubeUpload, the_id)
            if row is None:
                return {"id": str(the_id), "status": "deleted"}, []
            return {
                "id": str(row.id),
                "status": row.upload_status,
                "progress": row.progress,
                "current_step": row.current_step,
                "video_id": row.video_id,
                "url": WATCH.format(row.video_id) if row.video_id else None,
                "attempts": row.attempts,
                "error_message": row.error_message,
            }, []

    return event_stream(snapshots(request, snapshot, (*queue.FINAL, "deleted"), interval), release)


# -- videos ----------------------------------------------------------------------------------


@router.post("/videos/{video_id}/update", response_model=VideoPublic)
def update_video(
    video_id: str, body: VideoUpdate, user: CurrentUser, session: SessionDep, state: StateDep
) -> VideoPublic:
    """Change a video published through aifilm: title, description, tags, category,
    privacy, `publish_at` (null drops the schedule), made-for-kids. What is left out stays.
    Costs 51 units of the daily quota (videos.list, videos.update)."""
    asked = videos.changes(body)
    upload = session.scalars(
        select(YoutubeUpload).where(
            YoutubeUpload.video_id == video_id, YoutubeUpload.user_id == user.id
        )
    ).first()
    if upload is None:
        raise Problem(
            404,
            f"no video {video_id} among those this account published through aifilm "
            "(GET /api/youtube/uploads lists them)",
            title="Not found",
        )
    videos.check(videos.merged(upload.request, asked), upload.sha256, asked, only_asked=True)
    upload_id, sha256 = upload.id, upload.sha256
    with channel_client(session, state, user, upload.channel_id) as client:
        current = client.video(video_id)
        if current is None:
            raise Problem(
                404,
                f"video {video_id} is no longer on the channel (deleted on YouTube?); "
                "there is nothing to update",
                title="Not found",
            )
        metadata = videos.merged(videos.as_requested(current), asked)
        videos.check(metadata, sha256, asked)
        updated = client.update_video(
            video_id, videos.update_body(current, metadata, sha256, asked)
        )
    row = session.get(YoutubeUpload, upload_id, with_for_update=True)
    if row is not None:
        videos.remember(row, asked)
    session.commit()
    final = videos.as_requested({**current, **updated})
    return VideoPublic(video_id=video_id, url=WATCH.format(video_id), upload_id=upload_id, **final)


# -- playlists -----------------------------------------------------------------------------


def _playlist(item: dict[str, Any]) -> Playlist:
    return Playlist(
        id=str(item["id"]),
        title=str(item.get("snippet", {}).get("title", "")),
        privacy=item.get("status", {}).get("privacyStatus"),
        item_count=item.get("contentDetails", {}).get("itemCount"),
    )


@router.get("/playlists", response_model=list[Playlist])
def list_playlists(user: CurrentUser, session: SessionDep, state: StateDep) -> Any:
    """The connected channel's playlists."""
    with channel_client(session, state, user) as client:
        items = client.playlists()
    return [_playlist(i) for i in items]


@router.post("/playlists", status_code=201, response_model=Playlist)
def create_playlist(
    body: PlaylistCreate, user: CurrentUser, session: SessionDep, state: StateDep
) -> Any:
    """A new playlist on the connected channel."""
    if any(c in body.title for c in "<>"):
        raise Problem(422, "title: playlist titles cannot contain < or >", field="title")
    with channel_client(session, state, user) as client:
        item = client.create_playlist(body.title, body.privacy)
    return _playlist(item)


# -- auto-publish ----------------------------------------------------------------------------


@router.get("/autopublish/{project_id}", response_model=AutoPublish)
def read_autopublish(project_id: str, user: CurrentUser, session: SessionDep) -> AutoPublish:
    """Whether the project's finished films go to YouTube by themselves, and how."""
    project = own_project(session, user, project_id)
    options = project.youtube_autopublish
    return AutoPublish(
        enabled=bool(options),
        options=UploadOptions.model_validate(options) if options else None,
    )


@router.put("/autopublish/{project_id}", response_model=AutoPublish)
def set_autopublish(
    project_id: str, body: UploadOptions, user: CurrentUser, session: SessionDep
) -> AutoPublish:
    """Publish every film of the project that finishes rendering from now on, titled as the
    project, with these options (default: private, the film's thumbnail and captions)."""
    queue.require_plan(user)
    project = own_project(session, user, project_id)
    queue.usable_connection(session, user.id)
    queue.checked_request(session, project, body, project.title)
    project.youtube_autopublish = body.model_dump(mode="json")
    session.commit()
    return AutoPublish(enabled=True, options=body)


@router.delete("/autopublish/{project_id}", response_model=AutoPublish)
def stop_autopublish(project_id: str, user: CurrentUser, session: SessionDep) -> AutoPublish:
    """Stop publishing the project's films automatically."""
    project = own_project(session, user, project_id)
    project.youtube_autopublish = None
    session.commit()
    return AutoPublish(enabled=False, options=None)
