"""How aifilm's objects show themselves in Jupyter (`_repr_html_`), as MoviePy's clips do.

- a `RenderResult`: the film in a video player with its subtitle tracks, and its shots;
- a `Timeline`: a table of its shots with times, pictures, camera and lines;
- a `Project`: its cast with their pictures, and its shots as planned (estimated times).

Every piece of user text is HTML-escaped. Media in the notebook's folder are linked by a
relative path (as `IPython.display.Video` does); others are embedded when small.
Pictures are embedded as small JPEG thumbnails, so a notebook stays light.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from aifilm.pipeline.render import RenderResult
    from aifilm.pipeline.timeline import TimedShot, Timeline
    from aifilm.spec.models import Project

EMBED_LIMIT = 25 * 1000**2  # a film outside the notebook's folder is embedded up to this size
THUMB_SIZE = (160, 90)
MAX_ROWS = 300  # a table longer than this is cut, with a line saying how many are left out
_TABLE = 'style="border-collapse:collapse;font-size:90%"'
_CELL = 'style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"'


def media_src(path: Path, mime: str, embed_limit: int = EMBED_LIMIT) -> str | None:
    """A URL a notebook can play `path` from: relative if under the working folder, else
    a data URI if it is small enough, else None."""
    path = Path(path)
    try:
        relative = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        relative = None
    if relative is not None:
        return quote(relative.as_posix())
    if path.is_file() and path.stat().st_size <= embed_limit:
        return data_uri(path.read_bytes(), mime)
    return None


def data_uri(data: bytes, mime: str) -> str:
    """`data:` URL of some bytes."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def thumbnail_src(path: Path | None, size: tuple[int, int] = THUMB_SIZE) -> str | None:
    """A data URI of a small JPEG of a picture; None if there is none or it cannot be read."""
    if path is None or not Path(path).is_file():
        return None
    try:
        from PIL import Image

        with Image.open(path) as im:
            im.thumbnail(size)
            buffer = io.BytesIO()
            im.convert("RGB").save(buffer, "JPEG", quality=80)
    except (OSError, ValueError, ImportError):
        return None
    return data_uri(buffer.getvalue(), "image/jpeg")


def thumbnail(path: Path | None, size: tuple[int, int] = THUMB_SIZE) -> str:
    """An <img> of a small JPEG of a picture, or '' if there is none or it cannot be read."""
    src = thumbnail_src(path, size)
    if src is None or path is None:
        return ""
    return f'<img src="{src}" alt="{escape(Path(path).name)}" style="max-width:{size[0]}px">'


def _table(head: Iterable[str], rows: list[list[str]]) -> str:
    """An HTML table; cells are HTML already (callers escape user text)."""
    shown = rows[:MAX_ROWS]
    header = "".join(f"<th {_CELL}>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td {_CELL}>{c}</td>" for c in row) + "</tr>" for row in shown
    )
    more = f"<p>… and {len(rows) - len(shown)} more</p>" if len(rows) > len(shown) else ""
    return f"<table {_TABLE}><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>{more}"


def _picture(shot: TimedShot) -> str:
    spec = shot.visual
    image = spec.image or spec.reference
    if image is not None:
        return thumbnail(image)
    if spec.kind == "color" and spec.color:
        return (
            f'<div title="{escape(spec.color)}" style="width:48px;height:27px;'
            f'background:{escape(spec.color)};border:1px solid #999"></div>'
        )
    label = spec.text or spec.prompt or spec.character or ""
    return f"<i>{escape(spec.kind)}</i>" + (f": {escape(label[:60])}" if label else "")


def timeline_html(timeline: Timeline, caption: str | None = None) -> str:
    """A timeline as a table: shot, start, length, picture, camera, transition, lines."""
    rows = []
    for shot in timeline.shots:
        lines = "<br>".join(
            f"<b>{escape(line.speaker or 'narrator')}</b>: {escape(line.text)}"
            for line in shot.lines
        )
        rows.append(
            [
                escape(shot.id),
                f"{shot.start:.2f} s",
                f"{shot.duration:.2f} s",
                _picture(shot),
                escape(shot.camera),
                escape(shot.transition),
                lines,
            ]
        )
    head = caption or (
        f"{len(timeline.shots)} shots, {timeline.duration:.1f} s, "
        f"{timeline.width}x{timeline.height} at {timeline.fps} fps"
    )
    table = _table(("shot", "start", "length", "picture", "camera", "into next", "lines"), rows)
    return f"<div><p>{escape(head)}</p>{table}</div>"


def result_html(result: RenderResult) -> str:
    """The film in a player with its subtitle tracks, then its facts and its shots."""
    audio_only = result.audio_only
    mime = (
        "audio/mpeg"
        if result.video.suffix == ".mp3"
        else ("audio/mp4" if audio_only else "video/mp4")
    )
    src = media_src(result.video, mime)
    tracks = []
    vtts = sorted((k, p) for k, p in result.subtitles.items() if k.partition(":")[0] == "vtt")
    if any(":" in kind for kind, _ in vtts):  # one track per language; "vtt" repeats the first
        vtts = [(kind, path) for kind, path in vtts if ":" in kind]
    main_language = str(result.report.get("project", {}).get("language") or "en")
    for n, (kind, path) in enumerate(vtts):
        language = kind.partition(":")[2] or main_language
        track_src = data_uri(Path(path).read_bytes(), "text/vtt") if Path(path).is_file() else ""
        tracks.append(
            f'<track kind="subtitles" src="{track_src}" srclang="{escape(language)}" '
            f'label="{escape(language)}"{" default" if n == 0 else ""}>'
        )
    poster_src = thumbnail_src(result.thumbnail, (640, 360))
    poster = f' poster="{poster_src}"' if poster_src else ""
    tag = "audio" if audio_only else "video"
    if src is None:
        player = (
            f"<p>{escape(str(result.video))} is outside the notebook's folder and over "
            f"{EMBED_LIMIT // 1000**2} MB: open it from there.</p>"
        )
    else:
        size = "" if audio_only else ' style="max-width:100%;max-height:480px"'
        player = f'<{tag} controls{poster}{size} src="{escape(src)}">{"".join(tracks)}</{tag}>'
    title = str(result.report.get("project", {}).get("title") or result.video.stem)
    facts = [
        f"{result.duration:.1f} s",
        f"rendered in {result.report.get('wall_seconds', 0):.1f} s",
        escape(str(result.video)),
    ]
    warnings = "".join(f"<li>{escape(w)}</li>" for w in result.warnings)
    shots = result.report.get("timeline", {}).get("shots", [])
    rows = [
        [
            escape(str(s["id"])),
            f"{s['start']:.2f} s",
            f"{s['duration']:.2f} s",
            escape(str(s["visual"])),
            escape(str(s["camera"])),
            escape(str(s["transition"])),
            str(int(s.get("lines", 0))),
        ]
        for s in shots
    ]
    table = _table(("shot", "start", "length", "visual", "camera", "into next", "lines"), rows)
    return (
        f"<div><h4>{escape(title)}</h4>{player}<p>{' · '.join(facts)}</p>"
        + (f"<p>warnings:</p><ul>{warnings}</ul>" if warnings else "")
        + f"<details><summary>{len(rows)} shots</summary>{table}</details></div>"
    )


def project_html(project: Project) -> str:
    """The project's title, cast with pictures, and its shots as planned."""
    cast = [
        [
            escape(c.name),
            escape(c.voice or ""),
            thumbnail(project.resolve(c.image)) if c.image else "",
        ]
        for c in project.characters
    ]
    parts = [f"<h4>{escape(project.title)}</h4>"]
    length = "auto" if project.duration is None else f"{project.duration:g} s"
    parts.append(
        f"<p>{escape(project.language)} · {escape(project.mode)} · target length {length} · "
        f"{len(project.scenes)} scenes</p>"
    )
    if cast:
        parts.append(_table(("character", "voice", "picture"), cast))
    timeline = _estimated_timeline(project)
    if timeline is not None:
        parts.append(timeline_html(timeline, caption="shots as planned (speech lengths estimated)"))
    return "<div>" + "".join(parts) + "</div>"


def _estimated_timeline(project: Project) -> Timeline | None:
    """The plan from estimated speech lengths (as `aifilm plan`), or None if it cannot be made."""
    from aifilm.errors import AifilmError
    from aifilm.pipeline.plan.timing import plan_timeline
    from aifilm.pipeline.registry import registry
    from aifilm.pipeline.stages import speech_requests
    from aifilm.pipeline.voice.base import VoiceBackend

    try:
        voice = registry.create("voice", project.backends.get("voice"))
        if not isinstance(voice, VoiceBackend):
            return None
        requests = speech_requests(project)
        return plan_timeline(project, lambda key: voice.estimate_duration(requests[key]))
    except (AifilmError, OSError):
        return None
