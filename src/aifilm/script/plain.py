"""The plain script format: the simplest way to write a film.

    [Scene: The forest]
    Once upon a time, a thirsty crow flew over the forest.

    Crow: I am so thirsty!
    Fox (smiling): There is a pot by the well.

`[Scene: ...]` starts a scene, `NAME: line` is dialogue (an optional
parenthetical after the name is dropped), a line starting with `#` is a
comment, and every other paragraph is narration. Each line of dialogue and each
paragraph of narration becomes one shot.

A dialogue line written `-- Name: ...` (or `— Name: ...`), or with the
parenthetical `(interrupting)` / `(interrupts)` / `(cutting in)`, interrupts:
podcast mode starts it before the previous line has finished.
"""

from __future__ import annotations

import re

from aifilm.script.document import ScriptDocument, ScriptLine, ScriptScene

_SCENE = re.compile(r"^\s*\[\s*scene\s*:?\s*(?P<title>[^\]]*)\]\s*$", re.IGNORECASE)
_TITLE = re.compile(r"^\s*title\s*:\s*(?P<title>.+)$", re.IGNORECASE)
# A speaker is 1-4 words that each start with a capital or digit, then ':'.
_DIALOGUE = re.compile(
    r"^\s*(?P<name>[^\s:()\[\]][^:()\[\]]{0,40}?)\s*(?:\((?P<paren>[^)]*)\))?\s*:\s*(?P<text>\S.*)$"
)
_INTERRUPT_MARK = re.compile(r"^\s*(?:--|—|–)\s*")
_INTERRUPT_WORDS = ("interrupt", "cutting in", "cuts in")
_NOT_SPEAKERS = {"note", "notes", "warning", "tip", "example", "chapter", "part", "step"}


def _speaker(name: str) -> bool:
    words = name.split()
    if not words or len(words) > 4 or not name[0].isalpha() or name.casefold() in _NOT_SPEAKERS:
        return False
    return all(w[0].isupper() or w[0].isdigit() or not w[0].isalpha() for w in words) or all(
        not w.isascii()
        for w in words  # names in scripts without capitals (Devanagari, CJK)
    )


def parse_plain(text: str) -> ScriptDocument:
    """Parse a plain script into scenes of spoken lines, keeping 1-based line numbers."""
    doc = ScriptDocument()
    scene: ScriptScene | None = None
    paragraph: list[str] = []
    paragraph_line = 0

    def current() -> ScriptScene:
        nonlocal scene
        if scene is None:
            scene = ScriptScene(title=None, line=max(paragraph_line, 1))
            doc.scenes.append(scene)
        return scene

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            current().lines.append(ScriptLine(None, " ".join(paragraph), paragraph_line))
            paragraph = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#"):
            continue
        if (m := _SCENE.match(line)) is not None:
            flush()
            scene = ScriptScene(title=m.group("title").strip() or None, line=number)
            doc.scenes.append(scene)
            continue
        if doc.title is None and not doc.scenes and (m := _TITLE.match(line)) is not None:
            doc.title = m.group("title").strip()
            continue
        marked = _INTERRUPT_MARK.match(line)
        m = _DIALOGUE.match(line[marked.end() :] if marked else line)
        if m is not None and _speaker(m.group("name")):
            flush()
            paren = (m.group("paren") or "").casefold()
            interrupt = bool(marked) or any(w in paren for w in _INTERRUPT_WORDS)
            current().lines.append(
                ScriptLine(m.group("name").strip(), m.group("text").strip(), number, interrupt)
            )
            continue
        if not paragraph:
            paragraph_line = number
        paragraph.append(line)
    flush()
    return doc
