"""WebVTT (.vtt) subtitles: a `WEBVTT` header, `00:00:01.500 --> 00:00:03.000`, UTF-8."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

from aifilm.pipeline.subtitles.cues import Cue
from aifilm.pipeline.subtitles.srt import (
    _TIMING,
    _blocks,
    _lines,
    format_timestamp,
    parse_timestamp,
)


def _escape(line: str) -> str:
    # `<` starts a tag and `&` an entity in cue text; escaping `>` also keeps "-->" out.
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_vtt(cues: Iterable[Cue], path: Path) -> Path:
    """Write `cues` as a WebVTT file (numbered cue ids) and return its path."""
    blocks = ["WEBVTT"]
    for number, cue in enumerate(cues, start=1):
        timing = f"{format_timestamp(cue.start, '.')} --> {format_timestamp(cue.end, '.')}"
        blocks.append("\n".join([str(number), timing, *(_escape(x) for x in _lines(cue.text))]))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def parse_vtt(text: str) -> list[Cue]:
    """Cues from the text of a WebVTT file; tags are dropped and entities decoded."""
    blocks = _blocks(text)
    if not blocks or not blocks[0][0].startswith("WEBVTT"):
        raise ValueError("not a WebVTT file: it must start with 'WEBVTT'")
    cues = []
    for block in blocks[1:]:
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        for i, line in enumerate(block[:2]):
            match = _TIMING.match(line)
            if match:
                body = "\n".join(
                    html.unescape(re.sub(r"<[^>]*>", "", part.strip())) for part in block[i + 1 :]
                )
                cues.append(
                    Cue(parse_timestamp(match["start"]), parse_timestamp(match["end"]), body)
                )
                break
    return cues
