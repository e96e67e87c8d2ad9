"""What to publish: a film file, a render folder, a render-report.json or a RenderResult.

A render folder holds `<slug>.mp4`, `<slug>.png` (the thumbnail), `<slug>.srt` (the main
subtitle language) and, when the film has several, `<slug>.<lang>.srt` for every language;
`render-report.json` gives the title and the language. Captions found here are one file per
language, SRT preferred over VTT.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aifilm.errors import AssetError, UserError

if TYPE_CHECKING:
    from aifilm.pipeline.render import RenderResult

VIDEO_SUFFIXES = (".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi")
CAPTION_SUFFIXES = (".srt", ".vtt")
REPORT = "render-report.json"
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")


@dataclass
class Film:
    """A film file and what goes with it."""

    video: Path
    title: str | None = None
    language: str | None = None
    thumbnail: Path | None = None
    captions: dict[str, Path] = field(default_factory=dict)  # language -> file
    duration: float | None = None
    report: dict[str, Any] | None = None

    def sha256(self) -> str:
        """The hex SHA-256 of the film's bytes (what makes two uploads 'the same')."""
        digest = hashlib.sha256()
        with self.video.open("rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


def _read_report(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AssetError(f"cannot read the render report {path}: {exc}", path=path) from None
    return data


def find_film(path: str | Path) -> Film:
    """The film named by a video file, a render folder or a render-report.json."""
    path = Path(path)
    if not path.exists():
        raise AssetError(
            f"{path} does not exist",
            path=path,
            hint="give the film (.mp4), its render folder or its render-report.json",
        )
    if path.is_file() and path.name != REPORT and path.suffix.lower() != ".json":
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            raise AssetError(
                f"{path} is not a video file ({path.suffix or 'no extension'})",
                path=path,
                hint=f"YouTube takes {', '.join(VIDEO_SUFFIXES)}; or give a render folder",
            )
        return Film(video=path)
    folder = path if path.is_dir() else path.parent
    report_path = path if path.is_file() else folder / REPORT
    report = _read_report(report_path) if report_path.exists() else None
    video = _video_in(folder, report)
    film = Film(video=video, report=report)
    if report is not None:
        project = report.get("project") or {}
        film.title = project.get("title") or None
        film.language = project.get("language") or None
        film.duration = (report.get("output") or {}).get("duration")
    thumb = video.with_suffix(".png")
    film.thumbnail = thumb if thumb.exists() else None
    film.captions = captions_beside(video, film.language)
    return film


def _video_in(folder: Path, report: dict[str, Any] | None) -> Path:
    if report is not None:
        named = Path(str((report.get("output") or {}).get("path") or "")).name
        if named and (folder / named).is_file():
            return folder / named
    videos = sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    finals = [p for p in videos if not p.stem.endswith("-preview")]
    choice = finals or videos
    if len(choice) == 1:
        return choice[0]
    if not choice:
        raise AssetError(
            f"no film in {folder}",
            path=folder,
            hint="render it first (`aifilm render`), or give the video file",
        )
    raise UserError(
        f"{folder} holds {len(choice)} films ({', '.join(p.name for p in choice)})",
        hint="give the one to publish",
    )


def captions_beside(video: Path, language: str | None) -> dict[str, Path]:
    """`<slug>.<lang>.srt` (or .vtt) for each language, and `<slug>.srt` as `language`."""
    found: dict[str, Path] = {}
    plain: Path | None = None
    for suffix in CAPTION_SUFFIXES:  # SRT first: it wins when both exist
        for file in sorted(video.parent.glob(f"{video.stem}*{suffix}")):
            middle = file.name[len(video.stem) : -len(suffix)]
            if middle == "":
                plain = plain or file
            elif middle.startswith(".") and LANG_RE.match(middle[1:]):
                found.setdefault(middle[1:], file)
    if plain is not None:
        # With several languages the plain file copies the main one: keep it only if new.
        same = any(p.read_bytes() == plain.read_bytes() for p in found.values())
        if not same:
            if language is None:
                raise UserError(
                    f"cannot tell the language of {plain.name}",
                    hint="name it <film>.<lang>.srt, or pass --caption-language",
                )
            found.setdefault(language, plain)
    return found


def captions_from(
    items: Iterable[str | Path], video: Path | None, default_language: str | None
) -> dict[str, Path]:
    """Caption files from paths given by the user: files (`x.hi.srt`) or folders of them."""
    found: dict[str, Path] = {}
    for item in items:
        path = Path(item)
        if path.is_dir():
            stem = video.stem if video is not None else None
            files = [p for p in sorted(path.iterdir()) if p.suffix.lower() in CAPTION_SUFFIXES]
            if stem is not None and any(p.name.startswith(stem) for p in files):
                found.update(captions_beside(path / (stem + ".mp4"), default_language))
                continue
            candidates: Iterable[Path] = files
        elif path.is_file():
            candidates = [path]
        else:
            raise AssetError(f"caption file {path} does not exist", path=path)
        for file in candidates:
            if file.suffix.lower() not in CAPTION_SUFFIXES:
                raise AssetError(
                    f"{file} is not a caption file", path=file, hint="use .srt or .vtt files"
                )
            parts = file.name.split(".")
            language = parts[-2] if len(parts) >= 3 and LANG_RE.match(parts[-2]) else None
            language = language or default_language
            if language is None:
                raise UserError(
                    f"cannot tell the language of {file.name}",
                    hint="name it <film>.<lang>.srt (e.g. film.hi.srt), or pass --caption-language",
                )
            if language in found and found[language].suffix.lower() == ".srt":
                continue
            found[language] = file
    return found


def film_from_result(result: RenderResult) -> Film:
    """A Film from what `aifilm.render` returned."""
    project = result.report.get("project") or {}
    language = project.get("language")
    captions: dict[str, Path] = {}
    for kind, path in sorted(result.subtitles.items()):
        fmt, _, lang = kind.partition(":")
        if fmt != "srt":
            continue
        captions[lang or language or "und"] = path
    if any(":" in k for k in result.subtitles):  # "srt" copies the main "srt:<lang>"
        captions = {
            lang: p
            for lang, p in captions.items()
            if lang in {k.partition(":")[2] for k in result.subtitles if k.startswith("srt:")}
        }
    return Film(
        video=result.video,
        title=project.get("title"),
        language=language,
        thumbnail=result.thumbnail,
        captions=captions,
        duration=result.duration,
        report=result.report,
    )
