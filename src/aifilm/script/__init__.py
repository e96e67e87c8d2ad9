"""Script formats (plain, Fountain) parsed into one `ScriptDocument` shape."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from aifilm.script.document import ScriptDocument, ScriptLine, ScriptScene
from aifilm.script.fountain import parse_fountain
from aifilm.script.plain import parse_plain

ScriptFormat = Literal["plain", "fountain"]
SCRIPT_SUFFIXES: dict[str, ScriptFormat] = {
    ".fountain": "fountain",
    ".spmd": "fountain",
    ".txt": "plain",
    ".script": "plain",
    ".md": "plain",
}


def detect_format(path: Path | None, text: str) -> ScriptFormat:
    """Fountain for .fountain files or text with scene headings; plain otherwise."""
    if path is not None and path.suffix.lower() in SCRIPT_SUFFIXES:
        return SCRIPT_SUFFIXES[path.suffix.lower()]
    head = text.lstrip()[:2000].upper()
    if any(head.startswith(p) or f"\n{p}" in head for p in ("INT. ", "EXT. ", "INT ", "EXT ")):
        return "fountain"
    return "plain"


def parse_script(text: str, fmt: ScriptFormat = "plain") -> ScriptDocument:
    """Parse script text in the given format."""
    return parse_fountain(text) if fmt == "fountain" else parse_plain(text)


__all__ = [
    "SCRIPT_SUFFIXES",
    "ScriptDocument",
    "ScriptFormat",
    "ScriptLine",
    "ScriptScene",
    "detect_format",
    "parse_script",
]
