"""`publish()`: a film onto a YouTube channel, with thumbnail, captions and playlist, once.

The steps, each reported through `progress` as `ProgressEvent(stage=...)`:
check (metadata, files, quota; nothing sent) -> hash -> channel -> find (was this exact file
published already? the record file, then the channel's uploads) -> upload -> thumbnail ->
captions -> playlist.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aifilm.pipeline.context import ProgressEvent
from aifilm.pipeline.render import RenderResult
from aifilm.publish.film import Film, captions_from, film_from_result, find_film
from aifilm.publish.youtube.auth import YouTubeCredentials
from aifilm.publish.youtube.client import YouTubeClient
from aifilm.publish.youtube.errors import MetadataError, QuotaError
from aifilm.publish.youtube.metadata import (
    MARKER,
    MAX_VIDEO_BYTES,
    UNVERIFIED_SECONDS,
    VideoMetadata,
    footer_for,
    thumbnail_bytes,
)
from aifilm.publish.youtube.quota import QuotaLedger
from aifilm.publish.youtube.settings import YouTubeSettings
from aifilm.publish.youtube.state import PublishRecords, PublishState

Progress = Callable[[ProgressEvent], None]
WATCH_URL = "https://www.youtube.com/watch?v={}"


@dataclass
class PublishResult:
    """Where the film is now. `status`: "uploaded" or "already-published"."""

    status: str
    video_id: str
    url: str
    title: str
    privacy: str
    sha256: str
    channel_id: str
    publish_at: str | None = None
    thumbnail: bool = False
    captions: list[str] = field(default_factory=list)
    playlist_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    quota_used: dict[str, int] = field(default_factory=dict)
    upload: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (the CLI's `--json` result, a server's response)."""
        return {"event": "result", **asdict(self)}


@dataclass
class _Plan:
    film: Film
    metadata: VideoMetadata
    footer: str
    sha256: str
    thumbnail: tuple[bytes, str] | None
    captions: dict[str, Path]
    playlist: str | None
    create_playlist: bool
    warnings: list[str]


def _as_film(film: str | Path | Film | RenderResult) -> Film:
    if isinstance(film, Film):
        return film
    if isinstance(film, RenderResult):
        return film_from_result(film)
    return find_film(film)


def check_film(film: Film, warn: Callable[[str], None]) -> None:
    """YouTube's limits on the file: size (an error), length (a warning)."""
    size = film.video.stat().st_size
    if size == 0:
        raise MetadataError(f"{film.video} is empty", field="file")
    if size > MAX_VIDEO_BYTES:
        raise MetadataError(
            f"{film.video} is {size / 1024**3:.1f} GB; YouTube takes files up to 256 GB",
            field="file",
            hint="render at a lower bitrate or split the film",
        )
    duration = film.duration
    if duration is None:
        with contextlib.suppress(Exception):  # not a readable video: YouTube will say so
            from aifilm.media.probe import probe

            duration = probe(film.video).duration
    if duration is not None and duration > UNVERIFIED_SECONDS:
        warn(
            f"the film is {duration / 60:.1f} min long: channels that are not verified can "
            "only upload 15 min (verify at https://www.youtube.com/verify)"
        )


def _credit_stock(film: Film, metadata: VideoMetadata) -> None:
    """Add the stock photos' credits from the render report to the description (once)."""
    from aifilm.pipeline.visuals.directed import credit_lines

    lines = credit_lines(list((film.report or {}).get("stock") or []))
    if lines and lines not in metadata.description:
        metadata.description = (
            metadata.description + "\n\n" if metadata.description else ""
        ) + lines


def publish(
    film: str | Path | Film | RenderResult,
    metadata: VideoMetadata | None = None,
    credentials: YouTubeCredentials | None = None,
    *,
    thumbnail: Path | bool = True,
    captions: Sequence[str | Path] | bool = True,
    caption_language: str | None = None,
    playlist: str | None = None,
    create_playlist: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    settings: YouTubeSettings | None = None,
    client: YouTubeClient | None = None,
    state: PublishRecords | None = None,
) -> PublishResult:
    """Publish `film` (a video, a render folder or report, or a RenderResult) to YouTube.

    `metadata` defaults to the render report's title and language. `thumbnail` and
    `captions`: True takes the render's own, False sends none, or name files (captions:
    files or folders, the language from `<name>.<lang>.srt` or `caption_language`).
    `playlist` is a playlist ID or title; `create_playlist` makes it when missing.
    The same file (by SHA-256) is uploaded once per channel unless `force`. `state` keeps
    what was done (default: the record file in the data dir; a server passes its database).
    """
    settings = settings or YouTubeSettings()
    report = progress or (lambda event: None)
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        report(ProgressEvent(stage="check", done=0, total=0, message=message, event="warning"))

    report(ProgressEvent(stage="check", done=0, total=1, event="start"))
    plan = _plan(
        _as_film(film),
        metadata,
        thumbnail,
        captions,
        caption_language,
        playlist,
        create_playlist,
        warn,
        report,
    )
    plan.warnings = warnings
    if credentials is None:
        credentials = YouTubeCredentials.from_settings(settings)
    own_client = client is None
    client = client or YouTubeClient(credentials, settings)
    try:
        return _run(client, plan, state or PublishState(settings), force, report)
    finally:
        if own_client:
            client.close()


def _plan(
    film: Film,
    metadata: VideoMetadata | None,
    thumbnail: Path | bool,
    captions: Sequence[str | Path] | bool,
    caption_language: str | None,
    playlist: str | None,
    create_playlist: bool,
    warn: Callable[[str], None],
    report: Progress,
) -> _Plan:
    if metadata is None:
        if not film.title:
            raise MetadataError(
                f"no title for {film.video.name}",
                field="title",
                hint="pass --title, or publish the render folder (its report has the title)",
            )
        metadata = VideoMetadata(title=film.title)
    _credit_stock(film, metadata)
    if film.language:
        metadata.default_language = metadata.default_language or film.language
        metadata.default_audio_language = metadata.default_audio_language or film.language
    check_film(film, warn)
    footer = footer_for("0" * 64, metadata.description)  # same length as the real one
    metadata.check(footer=footer)
    image: tuple[bytes, str] | None = None
    chosen = film.thumbnail if thumbnail is True else (thumbnail or None)
    if isinstance(chosen, Path):
        data, mime, note = thumbnail_bytes(chosen)
        if note:
            warn(note)
        image = (data, mime)
    if captions is True:
        tracks = dict(film.captions)
    elif captions is False:
        tracks = {}
    else:
        tracks = captions_from(captions, film.video, caption_language or film.language)
    if create_playlist and not playlist:
        raise MetadataError("--create-playlist needs --playlist NAME", field="playlist")
    report(ProgressEvent(stage="check", done=1, total=1, event="finish"))
    report(ProgressEvent(stage="hash", done=0, total=1, event="start"))
    sha = film.sha256()
    report(ProgressEvent(stage="hash", done=1, total=1, message=sha[:12], event="finish"))
    return _Plan(
        film=film,
        metadata=metadata,
        footer=footer_for(sha, metadata.description),
        sha256=sha,
        thumbnail=image,
        captions=tracks,
        playlist=playlist,
        create_playlist=create_playlist,
        warnings=[],
    )


def _afford(ledger: QuotaLedger, plan: _Plan, *, upload: bool) -> None:
    """Refuse before the upload when the whole publish would not fit in today's quota."""
    calls = {"channels.list": 1, "playlistItems.list": 1}
    if upload:
        calls["videos.insert"] = 1
    if plan.thumbnail:
        calls["thumbnails.set"] = 1
    if plan.captions:
        calls["captions.insert"] = len(plan.captions)
    if plan.playlist:
        calls.update({"playlists.list": 1, "playlistItems.insert": 1})
        if plan.create_playlist:
            calls["playlists.insert"] = 1
    need: dict[str, int] = {}
    limits: dict[str, int] = {}
    for method, count in calls.items():
        bucket, cost, limit = ledger.cost(method)
        need[bucket] = need.get(bucket, 0) + cost * count
        limits[bucket] = limit
    used = ledger.used()
    for bucket, units in need.items():
        left = limits[bucket] - used.get(bucket, 0)
        if units > left:
            raise QuotaError(
                f"publishing this film needs {units} {bucket} of today's YouTube quota "
                f"but {max(left, 0)} of {limits[bucket]} are left "
                f"({', '.join(f'{m} x{c}' for m, c in calls.items())})",
                hint="try after midnight Pacific time, publish with fewer caption languages, "
                "or ask Google for more quota (docs/publishing.md#quota)",
            )


def _run(
    client: YouTubeClient,
    plan: _Plan,
    state: PublishRecords,
    force: bool,
    report: Progress,
) -> PublishResult:
    before = client.ledger.used()
    _afford(client.ledger, plan, upload=True)
    report(ProgressEvent(stage="channel", done=0, total=1, event="start"))
    channel = client.channel()
    channel_id = str(channel.get("id"))
    report(
        ProgressEvent(
            stage="channel",
            done=1,
            total=1,
            message=channel.get("snippet", {}).get("title", ""),
            event="finish",
        )
    )
    key = PublishState.key(channel_id, plan.sha256)
    record = state.get(key)
    target: dict[str, Any] | None = None
    if plan.playlist and not record.get("playlist"):
        # Before the upload, so a wrong name costs nothing.
        target = client.find_playlist(plan.playlist)
        if target is None and not plan.create_playlist:
            raise MetadataError(
                f"the channel has no playlist '{plan.playlist}'",
                field="playlist",
                hint="add --create-playlist to make it, or see `aifilm youtube playlists`",
            )
    status = "uploaded"
    upload_facts: dict[str, Any] = {}
    if not force and record.get("video_id"):
        status = "already-published"
    elif not force:
        report(ProgressEvent(stage="find", done=0, total=1, event="start"))
        found = client.find_upload(f"{MARKER}{plan.sha256}", channel=channel)
        report(ProgressEvent(stage="find", done=1, total=1, event="finish"))
        if found is not None:
            video_id = found["snippet"]["resourceId"]["videoId"]
            # Uploaded before, but not by this machine: its other steps are unknown, so
            # leave them as they are.
            record = state.update(
                key,
                video_id=video_id,
                thumbnail=True,
                captions=["*"],
                playlist="*",
                found_on_channel=True,
            )
            status = "already-published"
    if status == "uploaded":
        resource, upload_facts = _upload(
            client, plan, state, key, record if not force else {}, report
        )
        record = state.update(
            key,
            video_id=resource["id"],
            session_uri=None,
            title=plan.metadata.title,
            uploaded_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            thumbnail=False,
            captions=[],
            playlist=None,
        )
    video_id = str(record["video_id"])
    record = _finish(client, plan, state, key, record, video_id, target, report)
    used_after = client.ledger.used()
    return PublishResult(
        status=status,
        video_id=video_id,
        url=WATCH_URL.format(video_id),
        title=plan.metadata.title,
        privacy=plan.metadata.privacy,
        sha256=plan.sha256,
        channel_id=channel_id,
        publish_at=plan.metadata.resource()["status"].get("publishAt"),
        thumbnail=bool(record.get("thumbnail")),
        captions=[c for c in record.get("captions") or [] if c != "*"],
        playlist_id=record.get("playlist") if record.get("playlist") != "*" else None,
        warnings=plan.warnings,
        quota_used={
            b: used_after.get(b, 0) - before.get(b, 0)
            for b in used_after
            if used_after.get(b, 0) != before.get(b, 0)
        },
        upload=upload_facts,
    )


def _upload(
    client: YouTubeClient,
    plan: _Plan,
    state: PublishRecords,
    key: str,
    record: dict[str, Any],
    report: Progress,
) -> tuple[dict[str, Any], dict[str, Any]]:
    total = plan.film.video.stat().st_size
    report(ProgressEvent(stage="upload", done=0, total=total, event="start"))

    def on_bytes(done: int, of: int, note: str) -> None:
        report(ProgressEvent(stage="upload", done=done, total=of, message=note))

    uploader = client.uploader()
    resource = client.upload_video(
        plan.film.video,
        plan.metadata.resource(footer=plan.footer),
        content_type=_content_type(plan.film.video),
        progress=on_bytes,
        session_uri=record.get("session_uri"),
        on_session=lambda uri: state.update(key, session_uri=uri, title=plan.metadata.title),
        uploader=uploader,
        notify_subscribers=plan.metadata.notify_subscribers,
    )
    report(
        ProgressEvent(
            stage="upload", done=total, total=total, message=resource["id"], event="finish"
        )
    )
    stats = uploader.stats
    facts = {
        "bytes": total,
        "chunks_sent": stats.chunks_sent,
        "bytes_sent": stats.bytes_sent,
        "status_queries": stats.status_queries,
        "resumed_from": list(stats.resumed_from),
        "retries": stats.retries,
    }
    return resource, facts


def _content_type(path: Path) -> str:
    return {
        ".mp4": "video/mp4",
        ".m4v": "video/mp4",
        ".mov": "video/quicktime",
        ".webm": "video/webm",
        ".mkv": "video/x-matroska",
        ".avi": "video/x-msvideo",
    }.get(path.suffix.lower(), "application/octet-stream")


def _finish(
    client: YouTubeClient,
    plan: _Plan,
    state: PublishRecords,
    key: str,
    record: dict[str, Any],
    video_id: str,
    target: dict[str, Any] | None,
    report: Progress,
) -> dict[str, Any]:
    """The steps after the upload that this machine has not done yet."""
    if plan.thumbnail and not record.get("thumbnail"):
        report(ProgressEvent(stage="thumbnail", done=0, total=1, event="start"))
        client.set_thumbnail(video_id, *plan.thumbnail)
        record = state.update(key, thumbnail=True)
        report(ProgressEvent(stage="thumbnail", done=1, total=1, event="finish"))
    done_captions = list(record.get("captions") or [])
    todo = {
        lang: p
        for lang, p in plan.captions.items()
        if lang not in done_captions and "*" not in done_captions
    }
    if todo:
        report(ProgressEvent(stage="captions", done=0, total=len(todo), event="start"))
        for n, (language, path) in enumerate(sorted(todo.items()), 1):
            client.insert_caption(video_id, language, language, path.read_bytes())
            done_captions.append(language)
            record = state.update(key, captions=done_captions)
            report(ProgressEvent(stage="captions", done=n, total=len(todo), message=language))
        report(ProgressEvent(stage="captions", done=len(todo), total=len(todo), event="finish"))
    if plan.playlist and not record.get("playlist"):
        report(ProgressEvent(stage="playlist", done=0, total=1, event="start"))
        found = target or client.create_playlist(plan.playlist, plan.metadata.privacy)
        client.add_to_playlist(found["id"], video_id)
        record = state.update(key, playlist=found["id"])
        report(
            ProgressEvent(stage="playlist", done=1, total=1, message=found["id"], event="finish")
        )
    return record
