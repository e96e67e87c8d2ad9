"""A video's YouTube metadata, checked against YouTube's rules before anything is sent.

Rules (https://developers.google.com/youtube/v3/docs/videos#resource): a title of 1-100
characters, a description of at most 5000 bytes, neither with `<` or `>`; tags of at most
500 characters in all (commas between tags count, and a tag with a space counts its quotes);
`publishAt` only for private videos, in the future. Thumbnails: at most 2 MB.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from aifilm.publish.youtube.errors import MetadataError

Privacy = Literal["public", "unlisted", "private"]
PRIVACY: tuple[str, ...] = ("public", "unlisted", "private")
MAX_TITLE = 100
MAX_DESCRIPTION_BYTES = 5000
MAX_TAGS_CHARS = 500
MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024
MAX_VIDEO_BYTES = 256 * 1024**3  # 256 GB
UNVERIFIED_SECONDS = 15 * 60
MARKER = "aifilm:sha256="
LANGUAGE_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
CATEGORY_FILM = "1"  # Film & Animation


def tags_length(tags: list[str]) -> int:
    """The length YouTube counts for a tag list."""
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + max(len(tags) - 1, 0)


def parse_publish_at(text: str) -> datetime:
    """An ISO 8601 date-time with a time zone (`2030-01-31T18:00:00Z`, `...+05:30`)."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise MetadataError(
            f"publish-at '{text}' is not an ISO 8601 date-time",
            field="publish_at",
            hint="write it like 2030-01-31T18:00:00Z or 2030-01-31T18:00:00+05:30",
        ) from None
    if when.tzinfo is None:
        raise MetadataError(
            f"publish-at '{text}' has no time zone",
            field="publish_at",
            hint="add Z (UTC) or an offset such as +05:30",
        )
    return when


@dataclass
class VideoMetadata:
    """What YouTube shows about the video. `check()` raises on anything YouTube would refuse."""

    title: str
    description: str = ""
    tags: list[str] = field(default_factory=list)
    category_id: str = CATEGORY_FILM
    default_language: str | None = None
    default_audio_language: str | None = None
    privacy: str = "private"
    publish_at: datetime | None = None
    made_for_kids: bool = False
    notify_subscribers: bool = True

    def problems(self, *, footer: str = "") -> list[tuple[str, str, str]]:
        """Every broken rule: (field, message, fix)."""
        found: list[tuple[str, str, str]] = []
        title = self.title.strip()
        if not title:
            found.append(("title", "the title is empty", "give the video a title"))
        if len(self.title) > MAX_TITLE:
            found.append(
                (
                    "title",
                    f"the title has {len(self.title)} characters; YouTube allows {MAX_TITLE}",
                    f"shorten it to at most {MAX_TITLE} characters",
                )
            )
        for name, text in (("title", self.title), ("description", self.description)):
            bad = sorted({c for c in text if c in "<>"})
            if bad:
                found.append(
                    (
                        name,
                        f"the {name} contains {' and '.join(repr(c) for c in bad)}, "
                        "which YouTube does not allow",
                        "remove < and > (write ‹ › or « » instead)",
                    )
                )
        size = len((self.description + footer).encode("utf-8"))
        if size > MAX_DESCRIPTION_BYTES:
            found.append(
                (
                    "description",
                    f"the description is {size} bytes (with aifilm's {len(footer)}-byte "
                    f"footer); YouTube allows {MAX_DESCRIPTION_BYTES}",
                    f"shorten it by {size - MAX_DESCRIPTION_BYTES} bytes",
                )
            )
        for tag in self.tags:
            if not tag.strip() or any(c in tag for c in "<>,"):
                found.append(
                    ("tags", f"tag {tag!r} is empty or holds < > or ,", "fix or drop that tag")
                )
        if tags_length(self.tags) > MAX_TAGS_CHARS:
            found.append(
                (
                    "tags",
                    f"the tags come to {tags_length(self.tags)} characters (commas and the "
                    f"quotes around tags with spaces count); YouTube allows {MAX_TAGS_CHARS}",
                    "drop or shorten tags",
                )
            )
        if not self.category_id.isdigit():
            found.append(
                (
                    "category_id",
                    f"category '{self.category_id}' is not a YouTube category ID",
                    "use a number such as 1 (Film & Animation), 22 (People & Blogs), "
                    "24 (Entertainment), 27 (Education)",
                )
            )
        if self.privacy not in PRIVACY:
            found.append(
                ("privacy", f"unknown privacy '{self.privacy}'", "use public, unlisted or private")
            )
        for name, code in (
            ("default_language", self.default_language),
            ("default_audio_language", self.default_audio_language),
        ):
            if code is not None and not LANGUAGE_RE.match(code):
                found.append(
                    (name, f"'{code}' is not a language code", "use a BCP-47 code: en, hi, pt-BR")
                )
        if self.publish_at is not None:
            if self.publish_at.tzinfo is None:
                found.append(("publish_at", "publish-at has no time zone", "add Z or +HH:MM"))
            elif self.publish_at <= datetime.now(timezone.utc):
                found.append(
                    (
                        "publish_at",
                        f"publish-at {self.publish_at.isoformat()} is not in the future",
                        "give a later time, or leave it out to publish now",
                    )
                )
            if self.privacy != "private":
                found.append(
                    (
                        "publish_at",
                        f"scheduled publishing needs privacy 'private', not '{self.privacy}'",
                        "use --privacy private with --publish-at: YouTube makes it public then",
                    )
                )
        return found

    def check(self, *, footer: str = "") -> None:
        """Raise MetadataError naming every broken rule (before any request)."""
        found = self.problems(footer=footer)
        if not found:
            return
        if len(found) == 1:
            name, message, fix = found[0]
            raise MetadataError(message, field=name, hint=fix)
        lines = "\n".join(f"  {name}: {message} (fix: {fix})" for name, message, fix in found)
        raise MetadataError(
            f"{len(found)} problems in the video's metadata:\n{lines}", field=found[0][0]
        )

    def resource(self, *, footer: str = "") -> dict[str, Any]:
        """The `videos.insert` request body (snippet and status)."""
        snippet: dict[str, Any] = {
            "title": self.title,
            "description": self.description + footer,
            "categoryId": self.category_id,
        }
        if self.tags:
            snippet["tags"] = list(self.tags)
        if self.default_language:
            snippet["defaultLanguage"] = self.default_language
        if self.default_audio_language:
            snippet["defaultAudioLanguage"] = self.default_audio_language
        status: dict[str, Any] = {
            "privacyStatus": self.privacy,
            "selfDeclaredMadeForKids": self.made_for_kids,
        }
        if self.publish_at is not None:
            status["publishAt"] = self.publish_at.astimezone(timezone.utc).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z"
            )
        return {"snippet": snippet, "status": status}


def footer_for(sha256: str, description: str) -> str:
    """The line that marks the upload as this exact file (for finding it again)."""
    return ("\n\n" if description else "") + f"{MARKER}{sha256}"


def thumbnail_bytes(path: Path) -> tuple[bytes, str, str | None]:
    """(image, MIME type, note): the file as it is if YouTube takes it, else a JPEG under 2 MB.

    The note says what was changed (None when nothing was).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MetadataError(
            f"cannot read the thumbnail {path}: {exc.strerror}", field="thumbnail"
        ) from None
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        kind = (image.format or "").upper()
    except (UnidentifiedImageError, OSError):
        raise MetadataError(
            f"the thumbnail {path} is not an image", field="thumbnail", hint="use a PNG or JPEG"
        ) from None
    mimes = {"PNG": "image/png", "JPEG": "image/jpeg"}
    if kind in mimes and len(data) <= MAX_THUMBNAIL_BYTES:
        return data, mimes[kind], None
    rgb = image.convert("RGB")
    if max(rgb.size) > 1920:  # YouTube shows thumbnails at 1280x720 at most
        rgb.thumbnail((1920, 1920))
    for quality in (92, 85, 75, 65, 50):
        buffer = io.BytesIO()
        rgb.save(buffer, "JPEG", quality=quality, optimize=True)
        if buffer.tell() <= MAX_THUMBNAIL_BYTES:
            note = (
                f"thumbnail {path.name} ({kind or 'unknown'}, {len(data) / 1e6:.1f} MB) sent as "
                f"a {rgb.width}x{rgb.height} JPEG of {buffer.tell() / 1e6:.2f} MB "
                "(YouTube takes PNG or JPEG up to 2 MB)"
            )
            return buffer.getvalue(), "image/jpeg", note
        rgb.thumbnail((max(rgb.width * 3 // 4, 320), max(rgb.height * 3 // 4, 180)))
    raise MetadataError(
        f"the thumbnail {path} cannot be brought under 2 MB",
        field="thumbnail",
        hint="use a 1280x720 PNG or JPEG",
    )
