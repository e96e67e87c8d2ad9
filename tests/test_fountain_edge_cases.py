"""Fountain as screenwriters write it: the edge cases real screenplays hit, one test each."""

from __future__ import annotations

from pathlib import Path

import pytest

from aifilm.errors import SpecError
from aifilm.pipeline.plan.summary import plan_project
from aifilm.pipeline.registry import registry
from aifilm.pipeline.voice.base import VoiceBackend
from aifilm.script import ScriptDocument, detect_format, detect_language, parse_script
from aifilm.script.fountain import title_case
from aifilm.spec.loader import load_project, load_project_yaml


def said(doc: ScriptDocument) -> list[tuple[str | None, str]]:
    return [(line.speaker, line.text) for scene in doc.scenes for line in scene.lines]


def fountain(text: str) -> list[tuple[str | None, str]]:
    return said(parse_script(text, "fountain"))


def test_a_fountain_file_named_txt_is_read_as_fountain(tmp_path: Path) -> None:
    script = tmp_path / "brick.txt"
    script.write_text(
        "Title: Brick & Steel\nCredit: Written by\nAuthor: Stu Maschwitz\nSource: a sample\n\n"
        "EXT. PATIO - DAY\n\nBrick sits.\n\nSTEEL\nBeer's ready!\n\nBRICK\nAre they cold?\n",
        encoding="utf-8",
    )
    project = load_project(script)
    assert [c.name for c in project.characters] == ["Steel", "Brick"]  # not Credit, Author
    assert project.title == "Brick & Steel"
    assert project.scenes[0].title == "EXT. PATIO - DAY"


def test_content_detection_keeps_plain_scripts_plain() -> None:
    plain = "Title: The Crow\n\nOnce a crow was thirsty.\n\nCrow: I am thirsty!\nFox: Drink.\n"
    assert detect_format(Path("story.txt"), plain) == "plain"
    cues = "A room.\n\nANNA\nHello.\n\nBOB\nHi there.\n"
    assert detect_format(Path("story.txt"), cues) == "fountain"
    assert detect_format(Path("x.fountain"), plain) == "fountain"  # the extension still wins


def test_centred_text_over_two_lines_is_one_narration_not_a_character() -> None:
    lines = fountain("> BRICK & STEEL <\n> FULL RETIRED <\n\nINT. ROOM - DAY\n\nA room.\n")
    assert lines[0] == (None, "BRICK & STEEL FULL RETIRED")
    assert all(speaker is None for speaker, _ in lines)


def test_a_note_over_several_lines_is_silent() -> None:
    lines = fountain(
        "INT. ROOM - DAY\n\nBrick sits. [[A note that\nspans lines]] He waits.\n\n"
        "[[A note\nalone\nin its paragraph]]\n\nSTEEL\nHello [[aside\nhere]] there.\n"
    )
    assert lines == [(None, "Brick sits. He waits."), ("Steel", "Hello there.")]


def test_a_parenthetical_over_two_lines_is_silent() -> None:
    lines = fountain("STEEL\n(looking at the\nclock on the wall)\nWe are late.\n")
    assert lines == [("Steel", "We are late.")]


def test_two_spaces_keep_the_dialogue_going() -> None:
    lines = fountain("STEEL\nFirst part.\n  \nSecond part.\n\nThe door opens.\n")
    assert lines == [("Steel", "First part. Second part."), (None, "The door opens.")]


def test_a_first_paragraph_like_dawn_is_action_not_a_title_page() -> None:
    lines = fountain("Dawn: the sun rises over the hill.\n\nANNA\nHi.\n")
    assert lines[0] == (None, "Dawn: the sun rises over the hill.")
    doc = parse_script("Title: Real Title\nAuthor: Me\n\nA room.\n", "fountain")
    assert doc.title == "Real Title" and said(doc) == [(None, "A room.")]


def test_lyrics_lose_their_tildes() -> None:
    lines = fountain("WILL\n~Happy birthday to you\n~Happy birthday dear Will\n")
    assert lines == [("Will", "Happy birthday to you Happy birthday dear Will")]


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("It costs 2 * 3 dollars.", "It costs 2 * 3 dollars."),
        ("I said \\*no\\* twice.", "I said no twice."),
        ("I **meant** it, *really*, _truly_.", "I meant it, really, truly."),
        ("***Both*** at once.", "Both at once."),
        ("A snake_case word stays.", "A snake_case word stays."),
        ("A lone \\* star.", "A lone * star."),
    ],
)
def test_emphasis_and_escapes(written: str, spoken: str) -> None:
    assert fountain(f"ANNA\n{written}\n") == [("Anna", spoken)]


@pytest.mark.parametrize(
    ("cue", "name"),
    [
        ("WILL'S DATE", "Will's Date"),
        ("O'BRIEN", "O'Brien"),
        ("MRS. DAVENPORT", "Mrs. Davenport"),
        ("JEAN-LUC", "Jean-Luc"),
        ("McCoy", "McCoy"),
    ],
)
def test_names_are_title_cased_properly(cue: str, name: str) -> None:
    assert title_case(cue) == name


def test_standard_transitions_and_directions_are_silent_without_marks() -> None:
    lines = fountain(
        "FADE IN:\n\nINT. ROOM - DAY\n\nBrick sits.\n\n(beat)\n\n(pause)\n\n(O.C.)\n\n"
        "He waits (beat) and waits.\n\nCUT TO:\n\nFADE TO BLACK.\n\nFADE OUT.\n"
    )
    assert lines == [(None, "Brick sits."), (None, "He waits and waits.")]


def test_language_is_detected_from_the_text() -> None:
    assert detect_language("Привет, как у тебя дела? Я давно тебя не видел, друг мой.") == "ru"
    assert detect_language("The old man walked into the house and sat down by the fire.") == "en"
    assert (
        detect_language("El viejo entró en la casa y se sentó junto al fuego con su perro.") == "es"
    )
    assert detect_language("मैं घर जा रहा हूँ और तुम यहाँ क्या कर रहे हो? यह मेरा घर है।") == "hi"
    assert detect_language("Hi.") is None  # too little to tell


def test_a_bare_script_takes_its_language_from_the_text(tmp_path: Path) -> None:
    script = tmp_path / "story.txt"
    script.write_text("Жил-был старый кот. Он любил спать на солнце весь день.\n", encoding="utf-8")
    assert load_project(script).language == "ru"
    assert load_project(script, language="ru").load_warnings == []


def test_a_set_language_that_disagrees_with_the_text_warns(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(
        "Жил-был старый кот. Он любил спать на солнце весь день.\n", encoding="utf-8"
    )
    project = load_project_yaml(
        "title: T\nlanguage: en\nscript_file: story.txt\n", base_dir=tmp_path
    )
    assert project.language == "en"  # what the user set is kept...
    [warning] = project.load_warnings  # ...and they are told
    assert "reads as Russian (ru)" in warning and "language: ru" in warning
    voice = registry.create("voice", None)
    assert isinstance(voice, VoiceBackend)
    assert warning in plan_project(project, voice, {}).warnings


def test_an_empty_fountain_script_gets_fountain_advice(tmp_path: Path) -> None:
    script = tmp_path / "empty.fountain"
    script.write_text("Title: Nothing\nAuthor: Me\n\n/* all cut */\n", encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_project(script)
    assert raised.value.hint and "CAPITALS" in raised.value.hint
    assert "Name: line" not in raised.value.hint
    assert "read as fountain" in str(raised.value)


def test_detection_never_breaks_a_spec_that_assumes_the_default_language(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(
        "Жил-был старый кот. Он любил спать на солнце весь день.\n", encoding="utf-8"
    )
    project = load_project_yaml(
        "title: T\nscript_file: story.txt\noutput: {subtitles: {burn_language: en}}\n",
        base_dir=tmp_path,
    )
    assert project.language == "en"
    assert any("language: ru" in w for w in project.load_warnings)
