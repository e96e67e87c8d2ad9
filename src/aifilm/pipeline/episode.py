"""Audio-only export: the final mix as an episode file (M4A/AAC or MP3) with chapters.

Chapters are one per scene, named by the scene's title, written through FFmpeg's
ffmetadata format: MP4 chapters (a QuickTime text track and `chpl`) for M4A, ID3v2
`CHAP` frames for MP3. Both are what podcast apps and `ffprobe -show_chapters` read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aifilm.media.ffmpeg import run_ffmpeg
from aifilm.pipeline.timeline import Timeline
from aifilm.spec.models import Project

AudioFormat = Literal["m4a", "mp3"]
AUDIO_FORMATS: tuple[str, ...] = ("m4a", "mp3")
_CODECS: dict[str, list[str]] = {
    "m4a": ["-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart", "-f", "mp4"],
    "mp3": ["-c:a", "libmp3lame", "-b:a", "160k", "-id3v2_version", "3", "-f", "mp3"],
}


@dataclass(frozen=True)
class Chapter:
    """A stretch of the episode, in seconds, and its title."""

    start: float
    end: float
    title: str


def scene_chapters(project: Project, timeline: Timeline) -> list[Chapter]:
    """One chapter per scene, from its first shot to the next scene's first shot."""
    firsts: list[tuple[int, float]] = []
    for shot in timeline.shots:
        if not firsts or shot.scene != firsts[-1][0]:
            firsts.append((shot.scene, shot.start))
    chapters = []
    for n, (scene, start) in enumerate(firsts):
        end = firsts[n + 1][1] if n + 1 < len(firsts) else timeline.duration
        title = project.scenes[scene].title if scene < len(project.scenes) else None
        if not title:
            title = project.title if len(firsts) == 1 else f"Part {n + 1}"
        chapters.append(Chapter(round(start, 3), round(end, 3), title))
    return chapters


def _escape(value: str) -> str:
    # ffmetadata: '=', ';', '#', '\' and newlines are escaped with a backslash.
    out = value
    for char in ("\\", "=", ";", "#"):
        out = out.replace(char, "\\" + char)
    return out.replace("\n", "\\\n")


def ffmetadata(chapters: list[Chapter], *, title: str, artist: str | None = None) -> str:
    """The text of an FFmpeg ffmetadata file with the episode's title and chapters."""
    rows = [";FFMETADATA1", f"title={_escape(title)}"]
    if artist:
        rows.append(f"artist={_escape(artist)}")
    for chapter in chapters:
        rows += [
            "[CHAPTER]",
            "TIMEBASE=1/1000",
            f"START={round(chapter.start * 1000)}",
            f"END={round(chapter.end * 1000)}",
            f"title={_escape(chapter.title)}",
        ]
    return "\n".join(rows) + "\n"


def export_episode(
    mix: Path,
    out: Path,
    chapters: list[Chapter],
    *,
    title: str,
    artist: str | None = None,
    fmt: AudioFormat = "m4a",
) -> Path:
    """Encode the mix (48 kHz stereo WAV) to `out` as AAC in M4A or as MP3, with chapters."""
    meta = out.with_name(f".{out.stem}.ffmetadata")
    meta.write_text(ffmetadata(chapters, title=title, artist=artist), encoding="utf-8")
    partial = out.with_name(f".{out.stem}.partial.{fmt}")
    try:
        run_ffmpeg(
            ["-i", str(mix), "-i", str(meta), "-map", "0:a:0", "-map_metadata", "1",
             "-map_chapters", "1", "-ar", "48000", "-ac", "2", *_CODECS[fmt], str(partial)],
            what="episode export",
        )  # fmt: skip
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
        meta.unlink(missing_ok=True)
    return out
