"""The project spec: validation, positioned errors, suggestions, script resolution."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from aifilm import Project, SpecError
from aifilm.spec.loader import load_project_yaml
from aifilm.spec.models import parse_duration


def _issues(text: str, tmp_path: Path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_project_yaml(text, filename="project.yaml", base_dir=tmp_path)
    return [str(i) for i in info.value.issues]


def test_minimal_project_loads_with_defaults(tmp_path: Path) -> None:
    project = load_project_yaml("title: Hi\nscript: 'Hello world.'\n", base_dir=tmp_path)
    assert project.output.size == (1280, 720)
    assert project.duration is None
    assert project.scenes[0].shots[0].lines[0].text == "Hello world."


def test_every_error_has_file_line_column_and_suggestion(tmp_path: Path) -> None:
    text = (
        "title: Crow\n"
        "narator: {voice: mature}\n"
        "characters:\n"
        "  - name: Fox\n"
        "    voice: adlt-male\n"
        "music: {genre: hindustanni}\n"
        "scenes:\n"
        "  - shots:\n"
        "      - narration: Once\n"
        "        transition: crossfde\n"
    )
    issues = _issues(text, tmp_path)
    assert len(issues) == 4
    assert "project.yaml:2:1: unknown key 'narator'; did you mean 'narrator'?" in issues[0]
    assert issues[1].startswith(
        "project.yaml:5:5: characters[0].voice: unknown voice 'adlt-male'; "
        "did you mean 'adult-male'?"
    )
    assert "project.yaml:6:" in issues[2] and "did you mean 'hindustani'" in issues[2]
    assert issues[3].startswith("project.yaml:10:9: scenes[0].shots[0].transition:")


def test_yaml_syntax_error_is_positioned(tmp_path: Path) -> None:
    issues = _issues("title: A\nscript: [unclosed\n", tmp_path)
    assert issues[0].startswith("project.yaml:3:") or issues[0].startswith("project.yaml:2:")
    assert "YAML syntax" in issues[0]


def test_unknown_dialogue_speaker_and_missing_files(tmp_path: Path) -> None:
    text = (
        "title: T\n"
        "characters: [{name: Crow, image: crow.png}]\n"
        "scenes:\n"
        "  - background: forest.jpg\n"
        "    shots:\n"
        "      - dialogue:\n"
        "          - Crw: I am thirsty\n"
    )
    issues = _issues(text, tmp_path)
    assert any("2:" in i and "image not found: 'crow.png'" in i for i in issues)
    assert any("forest.jpg" in i for i in issues)
    assert any(":7:13:" in i and "did you mean 'Crow'" in i for i in issues)


def test_no_script_at_all_is_an_error(tmp_path: Path) -> None:
    assert "the project has no script" in _issues("title: Empty\n", tmp_path)[0]


def test_empty_script_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text("# only a comment\n\n")
    with pytest.raises(SpecError) as info:
        load_project_yaml(
            "title: T\nscript_file: story.txt\n", filename="p.yaml", base_dir=tmp_path
        )
    assert "story.txt" in str(info.value) and "empty" in str(info.value)


def test_unsupported_writing_system_is_reported(tmp_path: Path) -> None:
    issues = _issues("title: K\nscript: '안녕하세요 여러분, 반갑습니다'\n", tmp_path)
    assert "Hangul" in issues[0] and "supported languages" in issues[0]


def test_hostile_text_is_kept_verbatim(tmp_path: Path) -> None:
    text = (
        'title: "Quotes: \\"100%\\" \\\\ back"\nscript: |\n  NARRATOR: 50% off {now} \\ 😀 مرحبا\n'
    )
    project = load_project_yaml(text, base_dir=tmp_path)
    assert project.title == 'Quotes: "100%" \\ back'
    (line,) = project.scenes[0].shots[0].lines
    assert (line.speaker, line.text) == (None, "50% off {now} \\ 😀 مرحبا")
    assert project.characters == []


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(60, 60.0), ("90s", 90.0), ("2m", 120.0), ("1m30s", 90.0), ("2 min", 120.0), ("auto", None)],
)
def test_durations(value: object, seconds: float | None) -> None:
    assert parse_duration(value) == seconds


def test_duration_out_of_range(tmp_path: Path) -> None:
    assert (
        "outside 10 s to 10 min" in _issues("title: T\nduration: 11m\nscript: Hi.\n", tmp_path)[0]
    )


def test_script_speakers_become_characters_with_distinct_voices(tmp_path: Path) -> None:
    (tmp_path / "s.txt").write_text("Ann: Hi.\nBob: Hello.\nCara: Hey.\nAnn: Bye.\n")
    project = Project.load(tmp_path / "s.txt")
    names = [c.name for c in project.characters]
    voices = [(c.voice, c.variant) for c in project.characters]
    assert names == ["Ann", "Bob", "Cara"]
    # Cast by who they are (Ann and Bob by their given names); all three sound different.
    assert voices[:2] == [("adult-female", 0), ("adult-male", 0)]
    assert len(set(voices)) == 3 and (project.narrator.voice, 0) not in voices


def test_paths_resolve_against_the_project_folder(tmp_path: Path) -> None:
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    (tmp_path / "project.yaml").write_text(
        "title: T\nscenes: [{background: a.png, shots: [{narration: Hi}]}]\n"
    )
    project = Project.load(tmp_path / "project.yaml")
    assert project.resolve(project.scenes[0].background) == (tmp_path / "a.png").resolve()  # type: ignore[arg-type]
    assert project.shot_source(0, 0) == f"{tmp_path / 'project.yaml'}:2"
