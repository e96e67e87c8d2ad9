"""Screenplays end to end: parsing against a reference parser, and casting against the scripts.

The three screenplays in tests/screenplays/ are original, written for these tests the way
screenwriters write (title pages, centred titles, notes over lines, multi-line
parentheticals, lyrics, dual dialogue, transitions without marks); the fourth is a
feature-length script made by repeating their scenes. benchmarks/bench_screenplays.py
prints the same numbers for docs/screenplays.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.screenplay_reference import CAST_AS_WRITTEN, compare, feature_length

from aifilm.cast.casting import cast_project
from aifilm.spec.loader import load_project, load_project_yaml

SCREENPLAYS = Path(__file__).parent / "screenplays"
NAMES = sorted(CAST_AS_WRITTEN)


def test_feature_length_script_is_feature_length() -> None:
    text = feature_length([(SCREENPLAYS / n).read_text(encoding="utf-8") for n in NAMES])
    assert text.count("\nINT. ") + text.count("\nEXT. ") >= 90


@pytest.mark.parametrize("name", [*NAMES, "feature"])
def test_every_element_matches_the_reference_parser(name: str) -> None:
    if name == "feature":
        text = feature_length([(SCREENPLAYS / n).read_text(encoding="utf-8") for n in NAMES])
    else:
        text = (SCREENPLAYS / name).read_text(encoding="utf-8")
    result = compare(text)
    assert result.total > 40
    assert result.wrong == [] and result.dropped == [] and result.extra == []
    assert result.right == result.total


@pytest.mark.parametrize("name", NAMES)
def test_every_described_character_gets_a_matching_voice(name: str) -> None:
    roles = cast_project(load_project(SCREENPLAYS / name))
    for character, (sex, age, preset) in CAST_AS_WRITTEN[name].items():
        role = roles[character]
        assert (role.identity.sex, role.identity.age, role.voice) == (sex, age, preset), (
            character,
            role.identity.evidence,
        )


@pytest.mark.parametrize("name", NAMES)
def test_no_two_characters_in_a_scene_share_a_voice(name: str) -> None:
    project = load_project(SCREENPLAYS / name)
    voices = {c.name: (c.voice, c.variant) for c in project.characters}
    for scene in project.scenes:
        speakers = {line.speaker for shot in scene.shots for line in shot.lines if line.speaker}
        heard = [voices[s] for s in speakers]
        assert len(heard) == len(set(heard)), scene.title


def test_the_override_example_in_the_docs_works(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[1] / "docs" / "screenplays.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```yaml\n(.*?)```", doc, flags=re.DOTALL)
    script = (SCREENPLAYS / "retired.fountain").resolve()
    project = load_project_yaml(
        f"title: Retired\nscript_file: {script}\n{block}", base_dir=tmp_path
    )
    roles = cast_project(project)
    assert (roles["Steel"].identity.age, roles["Steel"].voice) == ("adult", "adult-male")
    assert roles["Waitress"].voice == "young-adult" and roles["Waitress"].voice_set


def test_a_part_of_a_script_keeps_who_everyone_is_and_their_voices() -> None:
    from aifilm.cast import infer_cast
    from aifilm.cast.report import cast_report
    from aifilm.pipeline.parts import scenes_project
    from aifilm.pipeline.stages import speech_requests

    whole = load_project(SCREENPLAYS / "crow.fountain")
    part = scenes_project(whole, "2")  # Kaka and Bandar are introduced in scene 1
    who = infer_cast(part)
    assert (who["Kaka"].species, who["Bandar"].species, who["Bandar"].age) == (
        "crow",
        "monkey",
        "pre-teen",
    )
    rows = {row["name"]: row for row in cast_report(part)}
    for char in whole.characters:
        assert rows[char.name]["voice"] == char.voice  # as cast for the whole script
    speakers = {c.name for c in part.speaking_characters}
    assert len({(rows[n]["voice"], rows[n]["variant"]) for n in speakers}) == len(speakers)
    # What is spoken is what the report says.
    spoken = {(r.preset, r.variant) for r in speech_requests(part).values() if r.preset != "mature"}
    assert spoken == {(rows[n]["voice"], rows[n]["variant"]) for n in speakers}
