"""Script formats (plain, Fountain) parsed into one `ScriptDocument` shape."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from aifilm.script.document import ScriptDocument, ScriptLine, ScriptScene
from aifilm.script.fountain import parse_fountain
from aifilm.script.language import detect_language
from aifilm.script.plain import parse_plain

ScriptFormat = Literal["plain", "fountain"]
SCRIPT_SUFFIXES: dict[str, ScriptFormat] = {
    ".fountain": "fountain",
    ".spmd": "fountain",
    ".txt": "plain",
    ".script": "plain",
    ".md": "plain",
}


_CUE = re.compile(r"^[ \t]*@?[A-Z][A-Z0-9 .'’&-]*[A-Z0-9.](?:\s*\([^)]*\))?\s*\^?\s*$")
_PLAIN_DIALOGUE = re.compile(r"^\s*[^\s:()\[\]][^:()\[\]]{0,40}?\s*(?:\([^)]*\))?\s*:\s*\S")
_FOUNTAIN_TITLE_KEYS = ("credit", "author", "authors", "source", "draft date", "contact")


def looks_like_fountain(text: str) -> bool:
    """True for a screenplay in Fountain, whatever the file is called.

    Evidence: scene headings, title-page keys only Fountain uses (Credit:, Author:,
    Source:, Draft date:), or more character cues (a line in capitals, after a blank
    line, with the speech on the next line) than plain `Name: line` dialogue.
    """
    lines = text.replace("\r\n", "\n").split("\n")[:4000]
    head = [ln.strip().casefold() for ln in lines[:30]]
    page = next((i for i, ln in enumerate(head) if not ln), len(head))
    if any(ln.split(":", 1)[0] in _FOUNTAIN_TITLE_KEYS for ln in head[:page] if ":" in ln):
        return True
    headings = cues = plain = 0
    for n, raw in enumerate(lines):
        line = raw.strip()
        before_blank = n == 0 or not lines[n - 1].strip()
        after = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if before_blank and re.match(r"^(?:int|ext|est|int\.?/ext|i/e)[.\s]", line, re.I):
            headings += 1
        elif before_blank and after and _CUE.match(line) and any(c.isalpha() for c in line):
            cues += 1
        elif _PLAIN_DIALOGUE.match(line):
            plain += 1
    return headings >= 1 or (cues >= 2 and cues > plain)


def detect_format(path: Path | None, text: str) -> ScriptFormat:
    """Fountain for .fountain files, and for text that reads as a screenplay; plain otherwise."""
    suffix = path.suffix.lower() if path is not None else ""
    if SCRIPT_SUFFIXES.get(suffix) == "fountain":
        return "fountain"
    return "fountain" if looks_like_fountain(text) else "plain"


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
    "detect_language",
    "looks_like_fountain",
    "parse_script",
]
