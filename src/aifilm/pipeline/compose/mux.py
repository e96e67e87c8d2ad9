"""Soft subtitle tracks: add SRT files to a finished MP4 as selectable `mov_text` tracks.

A remux, not an encode: video and audio are copied as they are, each subtitle
file becomes one `mov_text` track tagged with its ISO 639-2 language (what
players and YouTube read) and titled with the language's name. No track is
marked default, so players show none until the viewer picks one (the burned
subtitles are already in the picture). The `moov` box stays in front
(faststart) for progressive playback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aifilm.media.ffmpeg import run_ffmpeg
from aifilm.spec.vocabulary import ISO_639_2
from aifilm.spec.vocabulary import language as lookup


@dataclass(frozen=True)
class SubtitleTrack:
    """One subtitle file to add, with its language code (`hi`) and optional title."""

    path: Path
    language: str
    title: str | None = None


def track_tags(language: str) -> tuple[str, str]:
    """(ISO 639-2 code, display name) for an aifilm language code; 'und' if unknown."""
    try:
        return ISO_639_2[language], lookup(language).name
    except KeyError:
        return "und", language


def add_subtitle_tracks(film: Path, tracks: Sequence[SubtitleTrack], out: Path) -> Path:
    """Copy `film` to `out` with one `mov_text` track per subtitle file, in order."""
    args: list[str | Path] = ["-i", film]
    for track in tracks:
        args += ["-f", "srt", "-sub_charenc", "UTF-8", "-i", track.path]
    # The film's picture and sound (not any subtitle track it has), then the new tracks.
    args += ["-map", "0:v", "-map", "0:a?"]
    for n in range(1, len(tracks) + 1):
        args += ["-map", str(n)]
    args += ["-c", "copy", "-c:s", "mov_text"]
    for n, track in enumerate(tracks):
        code, name = track_tags(track.language)
        args += [
            f"-metadata:s:s:{n}", f"language={code}",
            f"-metadata:s:s:{n}", f"title={track.title or name}",
            f"-disposition:s:{n}", "0",
        ]  # fmt: skip
    args += ["-movflags", "+faststart", "-f", "mp4", out]
    run_ffmpeg(args, what="adding subtitle tracks to the film")
    return out
