"""Casting: every character gets the voice of who they are; talking partners never sound alike."""

from __future__ import annotations

from pathlib import Path

from aifilm.cast.casting import cast_project
from aifilm.pipeline.stages import speech_requests
from aifilm.spec.loader import load_project, load_project_yaml

BRICK_AND_STEEL = """\
Title: Brick & Steel
Author: Test

EXT. BRICK'S PATIO - DAY

A gorgeous day. The sun is shining. But BRICK BRADDOCK, retired police detective in his
50s, is sitting quietly, contemplating -- something.

The SCREEN DOOR slides open and DICK STEEL, his former partner and fellow retiree, emerges
with two cold beers.

STEEL
Beer's ready!

BRICK
Are they cold?

STEEL
Does a bear crap in the woods?

Steel sits. They laugh.

INT. WAREHOUSE - NIGHT

MRS. DAVENPORT, a criminal mastermind in her 60s, counts the money. Her son TOMMY (8)
plays with a toy truck.

MRS. DAVENPORT
Count it again, Tommy.

TOMMY
I counted twice, Mama!

INT. DINER - DAY

A WAITRESS in her 20s pours coffee for two TRUCKERS.

WAITRESS
More coffee, boys?

TRUCKER ONE
Sure.

TRUCKER TWO
Not for me.
"""


def test_each_character_gets_the_voice_of_who_they_are(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(BRICK_AND_STEEL, encoding="utf-8")
    project = load_project(script)
    voices = {c.name: c.voice for c in project.characters}
    # Before casting, voices went in order of first line: Steel was female, the mastermind
    # got the baby voice.
    assert voices["Brick"] == "mature"  # introduced as a retired detective in his 50s
    assert voices["Steel"] == "mature"  # "his former partner and fellow retiree"
    steel = project.character("Steel")
    brick = project.character("Brick")
    assert steel is not None and brick is not None
    # Two retired men and the (mature) narrator: three voices.
    assert project.narrator.voice == "mature"
    assert {steel.variant, brick.variant} == {1, 2}
    assert voices["Mrs. Davenport"] == "adult-female"  # her 60s: the mature voice sounds male
    assert voices["Tommy"] == "child"  # TOMMY (8)
    assert voices["Waitress"] == "adult-female"
    requests = speech_requests(project)
    presets = {r.text: (r.preset, r.variant) for r in requests.values()}
    assert presets["Beer's ready!"] == ("mature", steel.variant)


def test_partners_in_a_scene_never_share_a_voice(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(BRICK_AND_STEEL, encoding="utf-8")
    roles = cast_project(load_project(script))
    one, two = roles["Trucker One"], roles["Trucker Two"]
    assert (one.voice, one.variant) != (two.voice, two.variant)
    assert roles["Waitress"].voice == "adult-female"
    waitress = (roles["Waitress"].voice, roles["Waitress"].variant)
    assert waitress not in {(one.voice, one.variant), (two.voice, two.variant)}


def test_main_characters_have_voices_of_their_own_and_minor_ones_may_share(
    tmp_path: Path,
) -> None:
    scenes = "".join(
        f"INT. ROOM {n} - DAY\n\nMARK\nLine {n}.\n\nPAUL\nReply {n}.\n\nMARK\nMore {n}.\n\n"
        for n in range(4)
    )
    # Two minor men who never meet: they may share Mark's preset but not his voice,
    # and they may share with each other.
    scenes += "INT. SHOP - DAY\n\nGUARD MAN\nHalt.\n\nINT. GATE - DAY\n\nOTHER MAN\nStop.\n"
    script = tmp_path / "men.fountain"
    script.write_text(scenes, encoding="utf-8")
    roles = cast_project(load_project(script))
    assert [r.name for r in roles.values() if r.main][:2] == ["Mark", "Paul"]
    assert roles["Mark"].voice == roles["Paul"].voice == "adult-male"
    assert {roles["Mark"].variant, roles["Paul"].variant} == {0, 1}
    assert roles["Mark"].variant == 0  # the most lines: the clearest (unshifted) voice


def test_minor_characters_who_never_meet_share(tmp_path: Path) -> None:
    text = "".join(
        f"INT. ROOM {n} - DAY\n\nANNA\nHello {n}.\n\nMAN {n}\nHi.\n\n" for n in range(12)
    )
    script = tmp_path / "many.fountain"
    script.write_text(text, encoding="utf-8")
    roles = cast_project(load_project(script))
    minors = [r for r in roles.values() if not r.main]
    assert minors  # twelve one-line men: only the first few are main
    # Each man talks only to Anna: they all share one adult-male voice, none of the mains'.
    shared = {(r.voice, r.variant) for r in minors}
    assert len(shared) == 1 and next(iter(shared))[0] == "adult-male"
    assert not shared & {(r.voice, r.variant) for r in roles.values() if r.main}
    assert len({(r.voice, r.variant) for r in roles.values() if r.main}) == 6


def test_an_explicit_voice_always_wins(tmp_path: Path) -> None:
    text = (
        "title: T\nscript: |\n  Grandfather: Hello child.\n  Kid: Hello grandpa.\n"
        "characters:\n  - {name: Grandfather, voice: adult-female}\n"
    )
    project = load_project_yaml(text, base_dir=tmp_path)
    roles = cast_project(project)
    assert project.character("Grandfather").voice == "adult-female"  # type: ignore[union-attr]
    assert roles["Grandfather"].voice_set and roles["Grandfather"].why == "set in the project"
    assert project.character("Kid").voice == "child"  # type: ignore[union-attr]
    # A character listed without a voice is cast too (it used to default to adult-female).
    text = "title: T\nscript: 'King: Bow.'\ncharacters:\n  - {name: King, image: null}\n"
    project = load_project_yaml(text, base_dir=tmp_path)
    assert project.character("King").voice == "adult-male"  # type: ignore[union-attr]
    assert "voice" not in project.character("King").model_fields_set  # type: ignore[union-attr]


def test_casting_is_deterministic(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(BRICK_AND_STEEL, encoding="utf-8")
    first = {n: (r.voice, r.variant) for n, r in cast_project(load_project(script)).items()}
    again = {n: (r.voice, r.variant) for n, r in cast_project(load_project(script)).items()}
    assert first == again


def test_a_project_built_in_python_still_tells_shared_presets_apart() -> None:
    from aifilm.spec.models import Project

    project = Project.model_validate(
        {
            "title": "Two women",
            "characters": [
                {"name": "Ann", "voice": "adult-female"},
                {"name": "Bea", "voice": "adult-female"},
                {"name": "Cal", "voice": "adult-male"},
            ],
            "scenes": [
                {"shots": [{"dialogue": [{"Ann": "Hi."}, {"Bea": "Hello."}, {"Cal": "Hey."}]}]}
            ],
        }
    )
    assert [r.variant for r in speech_requests(project).values()] == [0, 1, 0]


def test_requests_carry_the_variants_casting_chose(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(BRICK_AND_STEEL, encoding="utf-8")
    project = load_project(script)
    by_text = {r.text: r.variant for r in speech_requests(project).values()}
    roles = cast_project(project)
    assert by_text["Beer's ready!"] == roles["Steel"].variant
    assert {roles["Steel"].variant, roles["Brick"].variant} == {1, 2}
    assert by_text["Not for me."] == roles["Trucker Two"].variant
