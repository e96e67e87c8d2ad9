"""Fountain screenplays (https://fountain.io): the standard plain-text screenplay format.

Mapped onto a film: scene headings start scenes, character cues with their
dialogue become dialogue lines (parentheticals and extensions like (V.O.)
are dropped), action paragraphs become narration, centred text (`>THE END<`)
becomes narration too. Notes, boneyard, sections, synopses, transitions and
page breaks are skipped, and so are the transitions and directions
screenwriters write without Fountain's marks (`FADE IN:`, `FADE OUT.`, a
`(beat)` alone in the action). Emphasis markers (`*`, `_`) are removed from
spoken text; an asterisk that marks nothing (`2 * 3`) stays. Top-level
sections (`# ACT ONE`) are kept as the acts of the scenes after them.
"""

from __future__ import annotations

import re

from aifilm.script.document import ScriptDocument, ScriptLine, ScriptScene

_HEADING = re.compile(r"^(?:int|ext|est|int\.?/ext|i/e)[.\s]", re.IGNORECASE)
_TITLE_KEY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]*):\s*(?P<value>.*)$")
# Keys a Fountain title page uses; a first paragraph "Dawn: ..." is not a title page.
TITLE_PAGE_KEYS = frozenset(
    {
        "title",
        "credit",
        "author",
        "authors",
        "source",
        "draft date",
        "date",
        "contact",
        "copyright",
        "notes",
        "revision",
        "episode",
        "series",
        "format",
    }
)
_TRANSITION = re.compile(r"^[A-Z0-9 .'-]+TO:$")
# Transitions screenwriters write without '>' and mean as transitions all the same.
_BARE_TRANSITION = re.compile(
    r"^(?:FADE (?:IN|OUT|TO BLACK|TO WHITE)|FADE OUT AND IN|CUT TO BLACK|SMASH CUT|"
    r"MATCH CUT|JUMP CUT|IRIS (?:IN|OUT)|BACK TO SCENE|END CREDITS|FADE)\s*[.:]?$"
)
# Directions in parentheses that are never spoken: a pause, where a voice comes from.
_DIRECTION = re.compile(
    r"\(\s*(?:a\s+)?(?:beat|pause|long pause|beat\.|silence|o\.?s\.?|o\.?c\.?|v\.?o\.?|"
    r"cont'?d|continued|more)\s*\)",
    re.IGNORECASE,
)
_EXTENSION = re.compile(r"\s*\([^)]*\)\s*")
_NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
_GONE = "\x00"  # a line that held only a note or boneyard: neither text nor a blank line
_EMPHASIS = re.compile(r"(?<![\\\w])(\*{1,3}|_)(?=[^\s*_])(.+?)(?<=[^\s\\])\1(?!\w)")


def _strip_markup(text: str) -> str:
    """Spoken and subtitled text: no notes, emphasis or escapes, single spaces."""
    text = _NOTE.sub("", text)
    text = _DIRECTION.sub(" ", text)
    previous = None
    while previous != text:  # nested emphasis: ***bold italic*** or *_both_*
        previous = text
        text = _EMPHASIS.sub(r"\2", text)
    # An escaped marker is literal for the page; as a word's wrapping it is not spoken.
    text = re.sub(r"\\\*(\S(?:.*?\S)?)\\\*", r"\1", text)
    text = re.sub(r"\\([*_\\~#>.!@])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def title_case(name: str) -> str:
    """A name from a cue in capitals as a film shows it: 'WILL'S DATE' -> "Will's Date"."""
    if not name.isupper():
        return name

    def word(match: re.Match[str]) -> str:
        text = match.group(0).lower()
        # O'BRIEN -> O'Brien, but WILL'S -> Will's.
        head, apostrophe, rest = text.partition("'")
        if apostrophe and len(head) == 1 and len(rest) > 1:
            return head.upper() + apostrophe + rest[:1].upper() + rest[1:]
        return text[:1].upper() + text[1:]

    return re.sub(r"[^\W\d_][\w'’]*", word, name)


def _is_character_cue(line: str) -> bool:
    if line.startswith("@"):
        return True
    name = _EXTENSION.sub("", line).rstrip("^ ").strip()
    return (
        bool(name)
        and any(c.isalpha() for c in name)
        and name == name.upper()
        and not name.startswith((">", "!", "~", "=", "#", "."))
        and not _BARE_TRANSITION.match(name)
    )


def _speaker_name(cue: str) -> str:
    name = _EXTENSION.sub(" ", cue.lstrip("@")).rstrip("^ ").strip()
    # Fountain writes cues in capitals; films show names in title case.
    return title_case(name)


def _blank_out(pattern: str, text: str) -> str:
    """Remove spans (boneyard, notes) but keep the file's line numbers and paragraphs."""

    def keep_lines(match: re.Match[str]) -> str:
        return (_GONE + "\n") * match.group(0).count("\n") + _GONE

    return re.sub(pattern, keep_lines, text, flags=re.DOTALL)


def _is_blank(raw: str) -> bool:
    # Two spaces alone on a line are Fountain's way to keep a blank line inside a block.
    return not raw.strip() and raw != "  "


def parse_fountain(text: str) -> ScriptDocument:
    """Parse a Fountain screenplay into scenes of spoken lines, keeping line numbers."""
    doc = ScriptDocument()
    text = _blank_out(r"/\*.*?\*/", text.replace("\r\n", "\n"))
    text = _blank_out(r"\[\[.*?\]\]", text)
    lines = [
        "" if raw.replace(_GONE, "").strip() == "" and _GONE in raw else raw.replace(_GONE, "")
        for raw in text.split("\n")
    ]
    # A line that held only a note is skipped, not a paragraph break: remember which.
    gone = {n for n, raw in enumerate(text.split("\n")) if _GONE in raw and not lines[n].strip()}
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
        if spoken and any(c.isalnum() for c in spoken):
            current(action_line).lines.append(ScriptLine(None, spoken, action_line))
        action = []

    def blank(n: int) -> bool:
        return n < 0 or (n < len(lines) and n not in gone and _is_blank(lines[n]))

    def next_content(n: int) -> str:
        while n < len(lines) and n in gone:
            n += 1
        return lines[n].strip() if n < len(lines) else ""

    while index < len(lines):
        raw = lines[index]
        line = raw.strip()
        number = index + 1
        before_blank = index == 0 or blank(index - 1)
        next_line = next_content(index + 1)
        index += 1
        if index - 1 in gone:
            continue
        if not line:
            if _is_blank(raw):
                flush()
            continue
        if line.startswith("#") and not line.startswith("##"):
            flush()
            section = line.lstrip("#").strip() or None
            scene = None  # an act starts a new scene
            continue
        if line.startswith(("#", "=")) or (line.startswith(">") and not line.endswith("<")):
            continue
        if before_blank and not next_line and _TRANSITION.match(line):
            continue
        if _BARE_TRANSITION.match(line) and (before_blank or not action):
            continue
        if before_blank and (
            (line.startswith(".") and not line.startswith("..")) or _HEADING.match(line)
        ):
            flush()
            title = _strip_markup(re.sub(r"#[^#]*#\s*$", "", line.lstrip(".")))
            scene = ScriptScene(title=title or None, line=number, section=section)
            doc.scenes.append(scene)
            continue
        if line.startswith(">") and line.endswith("<"):
            # Centred text, maybe over several lines: one line of narration.
            if before_blank:
                flush()
                action_line = number
            action.append(line[1:-1].strip())
            continue
        if before_blank and next_line and _is_character_cue(line):
            flush()
            index, said = _dialogue(lines, index, gone, line, number)
            if said is not None:
                current(number).lines.append(said)
            continue
        if not action:
            action_line = number
        if _DIRECTION.fullmatch(line):
            continue  # "(beat)" alone in the action
        action.append(line.lstrip("!").lstrip("~"))
    flush()
    return doc


def _dialogue(
    lines: list[str], index: int, gone: set[int], cue: str, number: int
) -> tuple[int, ScriptLine | None]:
    """Read the block under a character cue: the index after it, and the line if any."""
    speaker = _speaker_name(cue)
    spoken: list[str] = []
    # "(interrupting)" under the cue, or as its extension, overlaps the line before.
    interrupt = "interrupt" in cue.casefold()
    in_parenthetical = False
    while index < len(lines) and (index in gone or not _is_blank(lines[index])):
        part = lines[index].strip()
        index += 1
        if not part:
            continue  # a note's line, or the two-space line that keeps dialogue going
        if in_parenthetical or part.startswith("("):
            # A parenthetical may run over lines: "(looking at the" / "clock)".
            if not spoken and "interrupt" in part.casefold():
                interrupt = True
            in_parenthetical = not part.endswith(")")
            continue
        spoken.append(part.lstrip("~").strip())
    text_spoken = _strip_markup(" ".join(spoken))
    if not text_spoken:
        return index, None
    return index, ScriptLine(speaker, text_spoken, number, interrupt)


def _parse_title_page(lines: list[str], doc: ScriptDocument) -> int:
    """Read the optional `Key: value` title page; return the index of the first body line."""
    first = _TITLE_KEY.match(lines[0].strip()) if lines else None
    if first is None or first.group("key").strip().casefold() not in TITLE_PAGE_KEYS:
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
