"""Fountain screenplays (https://fountain.io): the standard plain-text screenplay format.

Mapped onto a film: scene headings start scenes, character cues with their
dialogue become dialogue lines (parentheticals and extensions like (V.O.)
are dropped), action paragraphs become narration, centred text (`>THE END<`)
becomes narration too. Notes, boneyard, sections, synopses, transitions and
page breaks are skipped. Emphasis markers (`*`, `_`) are removed from spoken text.
"""

from __future__ import annotations

import re

from aifilm.script.document import ScriptDocument, ScriptLine, ScriptScene

_HEADING = re.compile(r"^(?:int|ext|est|int\.?/ext|i/e)[.\s]", re.IGNORECASE)
_TITLE_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]*):\s*(?P<value>.*)$")
_TRANSITION = re.compile(r"^[A-Z0-9 .'-]+TO:$")
_EXTENSION = re.compile(r"\s*\([^)]*\)\s*")


def _strip_markup(text: str) -> str:
    text = re.sub(r"\[\[.*?\]\]", "", text, flags=re.DOTALL)
    text = re.sub(r"(?<!\\)[*_]+", "", text)
    return re.sub(r"\s+", " ", text.replace("\\", "")).strip()


def _is_character_cue(line: str) -> bool:
    if line.startswith("@"):
        return True
    name = _EXTENSION.sub("", line).rstrip("^ ").strip()
    return bool(name) and any(c.isalpha() for c in name) and name == name.upper()


def _speaker_name(cue: str) -> str:
    name = _EXTENSION.sub(" ", cue.lstrip("@")).rstrip("^ ").strip()
    # Fountain writes cues in capitals; films show names in title case.
    return name.title() if name.isupper() else name


def _remove_boneyard(text: str) -> str:
    # Keep line numbers: replace commented text with as many newlines as it spanned.
    return re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.DOTALL)


def parse_fountain(text: str) -> ScriptDocument:
    """Parse a Fountain screenplay into scenes of spoken lines, keeping line numbers."""
    doc = ScriptDocument()
    lines = _remove_boneyard(text.replace("\r\n", "\n")).split("\n")
    index = _parse_title_page(lines, doc)
    scene: ScriptScene | None = None
    section: str | None = None  # the act: the latest top-level "# ..." section
    action: list[str] = []
    action_line = 0

    def current(number: int) -> ScriptScene:
        nonlocal scene
        if scene is None:
            scene = ScriptScene(title=None, line=number, section=section)
            doc.scenes.append(scene)
        return scene

    def flush() -> None:
        nonlocal action
        spoken = _strip_markup(" ".join(action))
        if spoken:
            current(action_line).lines.append(ScriptLine(None, spoken, action_line))
        action = []

    while index < len(lines):
        raw = lines[index]
        line = raw.strip()
        number = index + 1
        before_blank = index == 0 or not lines[index - 1].strip()
        next_line = lines[index + 1].strip() if index + 1 < len(lines) else ""
        index += 1
        if not line:
            flush()
            continue
        if line.startswith("#") and not line.startswith("##"):
            flush()
            section = line.lstrip("#").strip() or None
            scene = None  # an act starts a new scene
            continue
        if line.startswith(("#", "=", "[[")) or (line.startswith(">") and not line.endswith("<")):
            continue
        if before_blank and not next_line and _TRANSITION.match(line):
            continue
        if before_blank and (
            (line.startswith(".") and not line.startswith("..")) or _HEADING.match(line)
        ):
            flush()
            title = _strip_markup(re.sub(r"#[^#]*#\s*$", "", line.lstrip(".")))
            scene = ScriptScene(title=title or None, line=number, section=section)
            doc.scenes.append(scene)
            continue
        if before_blank and next_line and not line.startswith("!") and _is_character_cue(line):
            flush()
            speaker = _speaker_name(line)
            spoken: list[str] = []
            # "(interrupting)" under the cue, or as its extension, overlaps the line before.
            interrupt = "interrupt" in line.casefold()
            while index < len(lines) and lines[index].strip():
                part = lines[index].strip()
                index += 1
                if not (part.startswith("(") and part.endswith(")")):
                    spoken.append(part)
                elif not spoken and "interrupt" in part.casefold():
                    interrupt = True
            text_spoken = _strip_markup(" ".join(spoken).lstrip("~"))
            if text_spoken:
                current(number).lines.append(ScriptLine(speaker, text_spoken, number, interrupt))
            continue
        if line.startswith(">") and line.endswith("<"):
            line = line[1:-1]
        if not action:
            action_line = number
        action.append(line.lstrip("!~"))
    flush()
    return doc


def _parse_title_page(lines: list[str], doc: ScriptDocument) -> int:
    """Read the optional `Key: value` title page; return the index of the first body line."""
    if not lines or not _TITLE_KEY.match(lines[0].strip()) or _HEADING.match(lines[0]):
        return 0
    index = 0
    key = ""
    while index < len(lines) and lines[index].strip():
        match = _TITLE_KEY.match(lines[index].strip()) if not lines[index][:1].isspace() else None
        if match:
            key = match.group("key").strip().lower()
            value = match.group("value").strip()
        else:
            value = lines[index].strip()
        if key == "title" and value and doc.title is None:
            doc.title = _strip_markup(value)
        index += 1
    return index
