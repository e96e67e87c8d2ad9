"""The three ways to write a script parse into the same scenes and shots."""

from __future__ import annotations

from pathlib import Path

from aifilm import Project
from aifilm.script import parse_script

PLAIN = """\
Title: The Thirsty Crow
[Scene: The forest]
Once upon a time, a crow was very thirsty.
It flew over the dry forest.

Crow: I need water!
Fox (smiling): Try the well, friend.

[Scene: The well]
The crow found a pot with a little water.
"""

FOUNTAIN = """\
Title: The Thirsty Crow
Author: Anon

EXT. THE FOREST - DAY

Once upon a time, a crow was *very* thirsty.
It flew over the dry forest.

CROW
I need water!

FOX (V.O.)
(smiling)
Try the well, friend.

CUT TO:

EXT. THE WELL - DAY

The crow found a pot with a little water. [[note to self]]

/* a cut scene
CROW
Never mind.
*/
"""


def _shape(doc):  # type: ignore[no-untyped-def]
    return [[(ln.speaker, ln.text) for ln in sc.lines] for sc in doc.scenes]


def test_plain_and_fountain_agree() -> None:
    plain = parse_script(PLAIN, "plain")
    fountain = parse_script(FOUNTAIN, "fountain")
    assert plain.title == fountain.title == "The Thirsty Crow"
    assert (
        _shape(plain)
        == _shape(fountain)
        == [
            [
                (None, "Once upon a time, a crow was very thirsty. It flew over the dry forest."),
                ("Crow", "I need water!"),
                ("Fox", "Try the well, friend."),
            ],
            [(None, "The crow found a pot with a little water.")],
        ]
    )
    assert [s.title for s in plain.scenes] == ["The forest", "The well"]
    assert [s.title for s in fountain.scenes] == ["EXT. THE FOREST - DAY", "EXT. THE WELL - DAY"]


def test_line_numbers_are_kept() -> None:
    plain = parse_script(PLAIN, "plain")
    assert [ln.line for ln in plain.scenes[0].lines] == [3, 6, 7]
    fountain = parse_script(FOUNTAIN, "fountain")
    assert [ln.line for ln in fountain.scenes[0].lines] == [6, 9, 12]
    assert fountain.scenes[1].lines[0].line == 20


def test_inline_yaml_script_and_files_give_same_project(tmp_path: Path) -> None:
    (tmp_path / "s.fountain").write_text(FOUNTAIN)
    (tmp_path / "s.txt").write_text(PLAIN)
    inline = "title: The Thirsty Crow\nscript: |\n" + "".join(
        f"  {line}\n" for line in PLAIN.splitlines()
    )
    (tmp_path / "project.yaml").write_text(inline)
    projects = [Project.load(tmp_path / n) for n in ("s.fountain", "s.txt", "project.yaml")]
    shapes = [
        [[(ln.speaker, ln.text) for sh in sc.shots for ln in sh.lines] for sc in p.scenes]
        for p in projects
    ]
    assert shapes[0] == shapes[1] == shapes[2]
    assert all(p.title == "The Thirsty Crow" for p in projects)
    assert projects[2].shot_source(0, 1) == f"{tmp_path / 'project.yaml'}:8"


def test_plain_text_corner_cases() -> None:
    doc = parse_script(
        "Note: this is narration.\nhe said: lowercase is narration too\n# comment\nDr. Rao: Hello.",
        "plain",
    )
    lines = [(ln.speaker, ln.text) for ln in doc.scenes[0].lines]
    assert lines == [
        (None, "Note: this is narration. he said: lowercase is narration too"),
        ("Dr. Rao", "Hello."),
    ]


def test_devanagari_speaker_names() -> None:
    doc = parse_script("राम: नमस्ते सीता।\nसीता: नमस्ते।", "plain")
    assert [ln.speaker for ln in doc.scenes[0].lines] == ["राम", "सीता"]
