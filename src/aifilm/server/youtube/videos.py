"""Changing a published video's metadata (`videos.update`).

YouTube replaces each part sent (`snippet`, `status`) whole and resets what it leaves out,
so the video is read first (`videos.list`, 1 unit) and the part sent again with only the
asked-for fields changed (`videos.update`, 50 units); a part nothing was asked of is not
sent. The description keeps aifilm's `sha256` line, which finds the film again. The result
is checked with the rules uploads follow, first against what was uploaded (a bad title
costs no quota), then against what YouTube holds.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from aifilm.publish.youtube import VideoMetadata
from aifilm.publish.youtube.metadata import MARKER, footer_for, parse_publish_at
from aifilm.server.errors import Problem
from aifilm.server.models import YoutubeUpload
from aifilm.server.youtube.schemas import VideoUpdate

SNIPPET = {"title", "description", "tags", "category_id"}
STATUS = {"privacy", "publish_at", "made_for_kids"}
# The fields of each part a channel owner may set; the rest are YouTube's own.
WRITABLE = {
    "snippet": ("title", "description", "tags", "categoryId", "defaultLanguage",
                "defaultAudioLanguage"),
    "status": ("privacyStatus", "publishAt", "selfDeclaredMadeForKids", "license",
               "embeddable", "publicStatsViewable", "containsSyntheticMedia"),
}  # fmt: skip


def changes(body: VideoUpdate) -> dict[str, Any]:
    """The fields asked for (an explicit `publish_at: null` included), or a 422."""
    asked = body.model_dump(include=body.model_fields_set)
    if not asked:
        raise Problem(
            422,
            "nothing to update: give at least one of title, description, tags, category_id, "
            "privacy, publish_at, made_for_kids",
        )
    return asked


def without_footer(description: str) -> str:
    """The description as the user wrote it (aifilm's sha256 line removed)."""
    at = description.rfind(MARKER)
    return description[:at].rstrip("\n") if at >= 0 else description


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_publish_at(str(value))


def merged(current: dict[str, Any], asked: dict[str, Any]) -> VideoMetadata:
    """The video's metadata (`current`, in the upload request's terms) with `asked` applied."""
    values = {**current, **asked}
    return VideoMetadata(
        title=str(values.get("title") or ""),
        description=str(values.get("description") or ""),
        tags=list(values.get("tags") or []),
        category_id=str(values.get("category_id") or "1"),
        privacy=str(values.get("privacy") or "private"),
        publish_at=_when(values.get("publish_at")),
        made_for_kids=bool(values.get("made_for_kids")),
    )


def check(
    metadata: VideoMetadata, sha256: str, asked: dict[str, Any], *, only_asked: bool = False
) -> None:
    """The rules of uploads, as a 422 naming the field and the fix; `only_asked`: just the
    fields asked for (the check before YouTube is read)."""
    found = metadata.problems(footer=footer_for(sha256, metadata.description))
    if only_asked:
        found = [problem for problem in found if problem[0] in asked]
    if not found:
        return
    lines = [f"{name}: {message} (fix: {fix})" for name, message, fix in found]
    if any(name == "publish_at" for name, _m, _f in found) and "publish_at" not in asked:
        when = metadata.publish_at.isoformat() if metadata.publish_at else "a time"
        lines.append(
            f'the video is scheduled for {when}: send "publish_at": null to drop the schedule'
        )
    raise Problem(422, "; ".join(lines), title="Invalid video metadata", field=found[0][0])


def as_requested(video: dict[str, Any]) -> dict[str, Any]:
    """A YouTube video resource in the terms of an upload request."""
    snippet, status = video.get("snippet", {}), video.get("status", {})
    return {
        "title": snippet.get("title", ""),
        "description": without_footer(snippet.get("description", "")),
        "tags": list(snippet.get("tags") or []),
        "category_id": snippet.get("categoryId", "1"),
        "privacy": status.get("privacyStatus", "private"),
        "publish_at": status.get("publishAt"),
        # YouTube may leave the owner's own flag out and show only its verdict.
        "made_for_kids": status.get("selfDeclaredMadeForKids", status.get("madeForKids")),
    }


def update_body(
    video: dict[str, Any], metadata: VideoMetadata, sha256: str, asked: dict[str, Any]
) -> dict[str, Any]:
    """The parts to send: each part something was asked of, whole, with the changes."""
    wanted = metadata.resource(footer=footer_for(sha256, metadata.description))
    body: dict[str, Any] = {}
    for part, fields in (("snippet", SNIPPET), ("status", STATUS)):
        if not fields & asked.keys():
            continue
        keep = {k: v for k, v in video.get(part, {}).items() if k in WRITABLE[part]}
        new = {k: v for k, v in wanted[part].items() if k in WRITABLE[part]}
        if part == "snippet":
            keep.pop("tags", None)  # an emptied tag list must go, not stay
        if part == "status":
            keep.pop("publishAt", None)
        body[part] = {**keep, **new}
    return body


def remember(upload: YoutubeUpload, asked: dict[str, Any]) -> None:
    """Keep the upload's request in step with what the video now says."""
    stored = {
        k: (v.astimezone(timezone.utc).isoformat() if isinstance(v, datetime) else v)
        for k, v in asked.items()
    }
    upload.request = {**upload.request, **stored}
