"""SubRip (.srt) subtitles: numbered cues, `00:00:01,500 --> 00:00:03,000`, UTF-8."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from aifilm.pipeline.subtitles.cues import Cue

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{1,2}[,.]\d{1,3})\s*-->\s*"
    r"(?P<end>(?:\d+:)?\d{1,2}:\d{1,2}[,.]\d{1,3})"
)


def format_timestamp(seconds: float, separator: str = ",") -> str:
    """`HH:MM:SS,mmm` (SRT) or, with separator ".", `HH:MM:SS.mmm` (WebVTT)."""
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{ms:03d}"


def parse_timestamp(text: str) -> float:
    """Seconds from `[HH:]MM:SS,mmm` or `[HH:]MM:SS.mmm`."""
    clock, _, fraction = text.strip().replace(",", ".").partition(".")
    parts = [int(p) for p in clock.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, secs = parts
    return (
        hours * 3600
        + minutes * 60
        + secs
        + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)
    )


def _lines(text: str) -> list[str]:
    # A blank line ends a cue in SRT and VTT, so a cue's own lines are never blank.
    return [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]


def _blocks(text: str) -> list[list[str]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [block.split("\n") for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]


def write_srt(cues: Iterable[Cue], path: Path) -> Path:
    """Write `cues` as an SRT file (UTF-8, no BOM) and return its path."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        timing = f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"
        blocks.append("\n".join([str(number), timing, *_lines(cue.text)]))
    path.write_text("\n\n".join(blocks) + ("\n" if blocks else ""), encoding="utf-8")
    return path


def parse_srt(text: str) -> list[Cue]:
    """Cues from the text of an SRT file (cue numbers optional; `,` or `.` before milliseconds)."""
    cues = []
    for block in _blocks(text):
        for i, line in enumerate(block[:2]):
            match = _TIMING.match(line)
            if match:
                body = "\n".join(part.strip() for part in block[i + 1 :])
                cues.append(
                    Cue(parse_timestamp(match["start"]), parse_timestamp(match["end"]), body)
                )
                break
    return cues
