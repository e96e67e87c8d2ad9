"""Compare aifilm's Fountain parsing with a reference parser (screenplain), element by element.

Both parses become the same sequence of film elements: a scene heading, a
narration (action, centred text) or a dialogue line with its speaker. Elements
the reference keeps but aifilm leaves silent on purpose (transitions and
directions written without Fountain's marks: `FADE IN:`, a `(beat)` alone, a
cue with only a parenthetical) are counted apart, not as dropped. Used by
tests/test_screenplays.py and benchmarks/bench_screenplays.py.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass, field

from screenplain.parsers import fountain as reference  # type: ignore[import-untyped]

from aifilm.script import parse_script
from aifilm.script.document import NARRATOR_NAMES
from aifilm.script.fountain import _BARE_TRANSITION, _DIRECTION

Element = tuple[str, str | None]  # ("scene" | "narration" | "dialogue", speaker or heading)


@dataclass
class Comparison:
    """How aifilm's elements match the reference's."""

    right: int = 0
    wrong: list[tuple[Element, Element]] = field(default_factory=list)
    dropped: list[Element] = field(default_factory=list)
    extra: list[Element] = field(default_factory=list)
    silent_by_design: int = 0

    @property
    def total(self) -> int:
        """Elements the reference has that aifilm should have too."""
        return self.right + len(self.wrong) + len(self.dropped)


def _speaker(cue: str) -> str:
    name = re.sub(r"\([^)]*\)", " ", cue).replace("^", " ").lstrip("@")
    return " ".join(name.split()).casefold()


def reference_elements(text: str) -> tuple[list[Element], int]:
    """The reference parser's elements, and how many it has that aifilm keeps silent."""
    play = reference.parse(io.StringIO(text))
    out: list[Element] = []
    silent = 0

    def dialog(paragraph: object) -> None:
        nonlocal silent
        spoken = [str(line) for is_paren, line in paragraph.blocks if not is_paren]  # type: ignore[attr-defined]
        speaker = _speaker(str(paragraph.character))  # type: ignore[attr-defined]
        if not "".join(spoken).strip(" ~"):
            silent += 1
        elif speaker in NARRATOR_NAMES:
            out.append(("narration", None))
        else:
            out.append(("dialogue", speaker))

    for paragraph in play.paragraphs:
        kind = type(paragraph).__name__
        if kind == "Slug":
            out.append(("scene", " ".join(str(paragraph.line).split()).casefold()))
        elif kind == "Dialog":
            dialog(paragraph)
        elif kind == "DualDialog":
            dialog(paragraph.left)
            dialog(paragraph.right)
        elif kind == "Action":
            words = " ".join(str(line) for line in paragraph.lines).strip()
            bare = _DIRECTION.sub("", words).strip()
            if not bare or _BARE_TRANSITION.match(bare):
                silent += 1
            else:
                out.append(("narration", None))
    return out, silent


def aifilm_elements(text: str) -> list[Element]:
    """aifilm's elements for the same text."""
    out: list[Element] = []
    for scene in parse_script(text, "fountain").scenes:
        if scene.title:
            out.append(("scene", " ".join(scene.title.split()).casefold()))
        for line in scene.lines:
            if line.speaker is None:
                out.append(("narration", None))
            else:
                out.append(("dialogue", _speaker(line.speaker)))
    return out


def compare(text: str) -> Comparison:
    """Align the two parses; count right, wrong, dropped and extra elements."""
    expected, silent = reference_elements(text)
    found = aifilm_elements(text)
    result = Comparison(silent_by_design=silent)
    matcher = difflib.SequenceMatcher(a=expected, b=found, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            result.right += a1 - a0
        elif op == "replace":
            pairs = min(a1 - a0, b1 - b0)
            result.wrong += list(
                zip(expected[a0 : a0 + pairs], found[b0 : b0 + pairs], strict=True)
            )
            result.dropped += expected[a0 + pairs : a1]
            result.extra += found[b0 + pairs : b1]
        elif op == "delete":
            result.dropped += expected[a0:a1]
        else:
            result.extra += found[b0:b1]
    return result


# Who each character is, as its screenplay describes them (sex, the age it states or clearly
# implies), and the voice preset that fits: the answer key for casting.
CAST_AS_WRITTEN: dict[str, dict[str, tuple[str, str, str]]] = {
    "retired.fountain": {
        "Brick": ("male", "mature", "mature"),  # retired detective in his late 50s
        "Steel": ("male", "mature", "mature"),  # his old partner, also in his fifties
        "Maggie": ("female", "mature", "adult-female"),  # his wife, in her fifties
        "Vivian": ("female", "adult", "adult-female"),  # mastermind in her forties
        "Delivery Boy": ("male", "young-adult", "young-adult"),  # a teenager of sixteen
        "Waitress": ("female", "young-adult", "adult-female"),  # in her twenties
        "Mrs. Holloway": ("female", "mature", "adult-female"),  # elderly widow, eighty
    },
    "birthday.fountain": {
        "Edith": ("female", "mature", "adult-female"),  # a widow in her eighties
        "Daniel": ("male", "adult", "adult-male"),  # her son, in his forties
        "Lily": ("female", "child", "child"),  # eight (twenty-four in the last scene)
        "Tommy": ("male", "toddler", "toddler"),  # her little brother, three
        "Priya": ("female", "adult", "adult-female"),  # in her thirties
        "Mr. Okafor": ("male", "mature", "mature"),  # the elderly postman, sixty-five
    },
    "crow.fountain": {
        "Kaka": ("female", "young-adult", "adult-female"),  # a young crow; "she"
        "Grandmother Owl": ("female", "mature", "adult-female"),  # an old wise owl
        "Bandar": ("male", "pre-teen", "pre-teen"),  # a young monkey, ten; "his tail"
        "Arjun": ("male", "adult", "adult-male"),  # a farmer in his thirties
        "Dadi": ("female", "mature", "adult-female"),  # a tiny woman of seventy-five
        "Meera": ("female", "child", "child"),  # a girl of nine
    },
}


def feature_length(scripts: list[str], *, copies: int = 7) -> str:
    """A feature-length screenplay: the scenes of `scripts`, repeated `copies` times in a
    shuffled but fixed order, each repeat a new place and time so the headings differ."""
    title, *_ = scripts[0].split("\n\n", 1)
    scenes: list[str] = []
    for text in scripts:
        body = text.split("\n\n", 1)[1] if text.startswith("Title:") else text
        # Keep each scene with its heading; drop acts (a feature has its own).
        parts = re.split(r"\n(?=(?:INT|EXT)\. )", body)
        scenes += [p.strip() for p in parts if re.match(r"(?:INT|EXT)\. ", p)]
    times = ["DAY", "NIGHT", "LATER", "DAWN", "DUSK", "MORNING", "EVENING"]
    out = [f"{title}\n"]
    for copy in range(copies):
        out.append(f"# ACT {copy + 1}\n")
        order = scenes[copy % len(scenes) :] + scenes[: copy % len(scenes)]
        for n, scene in enumerate(order):
            heading, _, rest = scene.partition("\n")
            place = heading.rsplit(" - ", 1)[0]
            out.append(f"{place} #{copy + 1}.{n + 1} - {times[(copy + n) % len(times)]}\n{rest}\n")
    return "\n".join(out)
