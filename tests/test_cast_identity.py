"""Who a character is: the shared identity interface (voices and pictures both read it)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from aifilm.cast import Identity, infer_cast, infer_identity
from aifilm.errors import SpecError
from aifilm.spec.loader import load_project, load_project_yaml
from aifilm.spec.models import Character
from aifilm.spec.vocabulary import VOICE_PRESETS


def who(name: str, context: str = "", language: str = "en", **fields: object) -> Identity:
    return infer_identity(Character(name=name, **fields), context=context, language=language)


@pytest.mark.parametrize(
    ("name", "species", "sex", "age", "role"),
    [
        ("Mrs. Rao", "human", "female", "adult", None),
        ("Grandmother", "human", "female", "mature", "grandmother"),
        ("King", "human", "male", "adult", "king"),
        ("Dr. Mehta", "human", "unknown", "adult", "doctor"),
        ("Grandmother Owl", "owl", "female", "mature", "grandmother"),
        ("Crow", "crow", "unknown", "adult", None),
        ("Little Girl", "human", "female", "child", None),
        ("Old Man", "human", "male", "mature", None),
        ("Mother Hen", "chicken", "female", "adult", "mother"),
        ("Kitten", "cat", "unknown", "child", None),
        ("Will", "human", "male", "adult", None),
        ("Sandra", "human", "female", "adult", None),
        ("Priya", "human", "female", "adult", None),
        ("Arjun", "human", "male", "adult", None),
        ("Steel", "human", "unknown", "adult", None),
        ("Sam", "human", "unknown", "adult", None),  # used for both sexes: no evidence
        ("Ram", "human", "male", "adult", None),  # a name, not a male sheep
        ("Robin", "human", "unknown", "adult", None),
        ("Jane Doe", "human", "female", "adult", None),
    ],
)
def test_the_name_alone(name: str, species: str, sex: str, age: str, role: str | None) -> None:
    identity = who(name)
    assert (identity.species, identity.sex, identity.age, identity.role) == (
        species,
        sex,
        age,
        role,
    )


def test_indian_family_words_apply_only_in_indian_languages() -> None:
    # "Nana" is a grandmother in English and a (maternal) grandfather in Hindi.
    assert who("Nana").sex == "unknown"
    hindi = who("Nana", language="hi")
    assert (hindi.sex, hindi.age) == ("male", "mature")
    assert who("दादी", language="hi").sex == "female"


def test_given_names_by_language() -> None:
    assert who("Jean").sex == "female"  # English
    assert who("Jean", language="fr").sex == "male"  # French
    assert who("José", language="es").sex == "male"
    assert who("Giulia", language="it").sex == "female"
    assert who("Andrea", language="it").sex == "unknown"  # a man's name there, a woman's elsewhere
    assert who("Señora Díaz", language="es").sex == "female"  # honorifics of other languages


def test_screenplay_introduction_in_capitals() -> None:
    context = "A dark office. STEEL, a retired detective in his 50s, sits behind a desk."
    identity = who("Steel", context)
    assert (identity.sex, identity.age, identity.role) == ("male", "mature", "detective")
    assert identity.look == "a retired detective in his 50s"
    assert any("introduced as" in e and "(line 1)" in e for e in identity.evidence)
    assert identity.voice_preset() == "mature"


def test_introduction_with_age_in_parentheses() -> None:
    identity = who("Maya", "MAYA (8) runs into the kitchen.")
    assert identity.age == "child"
    assert identity.voice_preset() == "child"


@pytest.mark.parametrize(
    ("context", "name", "sex", "age"),
    [
        ("LILY, eight, in a paper crown, runs.", "Lily", None, "child"),
        ("MEERA, Arjun's daughter, a girl of nine, runs in.", "Meera", "female", "child"),
        ("His grandmother DADI, a tiny woman of seventy-five, sits.", "Dadi", "female", "mature"),
        ("LILY chases her little brother TOMMY, a toddler of three.", "Tommy", "male", "toddler"),
        (
            "The DELIVERY BOY, a lanky teenager of sixteen, waits.",
            "Delivery Boy",
            "male",
            "young-adult",
        ),
    ],
)
def test_introductions_as_screenplays_write_them(
    context: str, name: str, sex: str | None, age: str
) -> None:
    identity = infer_identity(Character(name=name), context=context)
    assert (identity.sex if sex else None, identity.age) == (sex, age)


def test_story_introduction_named() -> None:
    identity = who("Kaka", "Once there lived a little crow named Kaka.")
    assert identity.species == "crow"
    assert identity.is_animal
    assert identity.look == "a little crow"


def test_is_a_introduction() -> None:
    identity = who("Ollie", "\nOllie is a wise old owl who lives in the banyan tree.")
    assert (identity.species, identity.age) == ("owl", "mature")


def test_pronouns_near_the_name() -> None:
    context = (
        "Brick walks in. He drops a folder on the desk.\n\n"
        "Later, Brick lights a cigarette and checks his watch.\n\n"
        "Jo looks up. She smiles."
    )
    assert who("Brick", context).sex == "male"
    evidence = who("Brick", context).evidence
    assert any("'he' near the name 2 of 2 times, first at line 1" in e for e in evidence)
    assert who("Jo", context).sex == "female"


def test_pronouns_stop_at_another_character() -> None:
    story = [("Brick hands Jo the file. She reads it.", 3)]
    from aifilm.cast.context import read_context

    reading = read_context("Brick", story, other_names=["Brick", "Jo"])
    assert (reading.female_votes, reading.male_votes) == (0, 0)
    reading = read_context("Jo", story, other_names=["Brick", "Jo"])
    assert (reading.female_votes, reading.male_votes) == (1, 0)


def test_look_text() -> None:
    identity = who("Raja", look="a king with a grey beard and his old dog")
    assert (identity.species, identity.sex, identity.role) == ("human", "male", "king")
    owl = who("Hoot", look="an old wise owl")
    assert (owl.species, owl.age) == ("owl", "mature")
    crow = who("Kaka", look="a little black crow")
    assert crow.species == "crow" and crow.age == "adult"


def test_precedence_fields_then_look_then_voice_then_name_then_script() -> None:
    context = "MRS. ROSE, a young woman in her 20s, waves."
    assert who("Mrs. Rose", context, sex="male").sex == "male"  # the field wins
    assert who("Mrs. Rose", context, look="an old man").sex == "male"  # look beats the name
    assert who("Mrs. Rose", context, look="an old man").age == "mature"
    assert who("Mrs. Rose", context, voice="mature").age == "mature"  # voice beats the script
    assert who("Mrs. Rose", context).age == "young-adult"  # the script's introduction
    explicit = who("Mrs. Rose", context, age="child")
    assert explicit.age == "child"
    assert "age child: set in the project ('age: child')" in explicit.evidence
    # A voice that is only the default says nothing.
    assert who("Steel", voice="adult-female").sex == "female"
    assert who("Steel").sex == "unknown"


@pytest.mark.parametrize(
    ("sex", "age", "preset"),
    [
        ("female", "adult", "adult-female"),
        ("male", "adult", "adult-male"),
        ("male", "mature", "mature"),
        ("female", "mature", "adult-female"),
        ("male", "young-adult", "young-adult"),
        ("female", "child", "child"),
        ("male", "baby", "baby"),
        (None, "pre-teen", "pre-teen"),
        (None, "toddler", "toddler"),
    ],
)
def test_voice_preset(sex: str | None, age: str, preset: str) -> None:
    identity = who("X", sex=sex, age=age)
    assert identity.voice_preset() == preset
    assert preset in VOICE_PRESETS


def test_spec_fields_validate(tmp_path: Path) -> None:
    text = (
        "title: T\nscript: 'Kaka: hello'\ncharacters:\n"
        "  - {name: Kaka, species: Crow, sex: female, age: child, look: a small crow}\n"
    )
    project = load_project_yaml(text, base_dir=tmp_path)
    kaka = project.characters[0]
    assert (kaka.species, kaka.sex, kaka.age) == ("crow", "female", "child")
    assert kaka.look == "a small crow"
    with pytest.raises(SpecError) as raised:
        load_project_yaml(
            "title: T\nscript: 'Kaka: hi'\ncharacters:\n  - {name: Kaka, age: elderly}\n",
            base_dir=tmp_path,
        )
    assert "characters[0].age" in str(raised.value)
    assert ":4:" in str(raised.value)


def test_infer_cast_reads_the_whole_script(tmp_path: Path) -> None:
    script = tmp_path / "brick.fountain"
    script.write_text(
        "Title: Brick & Steel\n\n"
        "INT. OFFICE - NIGHT\n\n"
        "STEEL, a retired detective in his 50s, reads the paper.\n\n"
        "BRICK, a young cop in her 20s, bursts in.\n\n"
        "BRICK\nWe have a case.\n\n"
        "STEEL\nI am retired.\n\n"
        "MRS. KANE\nHelp me!\n",
        encoding="utf-8",
    )
    project = load_project(script)
    cast = infer_cast(project)
    assert set(cast) == {"Steel", "Brick", "Mrs. Kane"}
    assert (cast["Steel"].sex, cast["Steel"].age) == ("male", "mature")
    assert (cast["Brick"].sex, cast["Brick"].age) == ("female", "young-adult")
    assert "(line 5)" in " ".join(cast["Steel"].evidence)
    assert cast["Mrs. Kane"].sex == "female"


def test_feature_length_is_fast(tmp_path: Path) -> None:
    # Not a timing assertion to the millisecond: a guard against quadratic work per line.
    scene = (
        "INT. ROOM {n} - DAY\n\nANNA, a woman in her 30s, enters. She sits.\n\n"
        "ANNA\nHello {n}.\n\nBOB\nHi.\n\nBob stands up. He leaves.\n\n"
    )
    script = tmp_path / "long.fountain"
    script.write_text("".join(scene.format(n=n) for n in range(1500)), encoding="utf-8")
    project = load_project(script)
    start = time.perf_counter()
    cast = infer_cast(project)
    assert time.perf_counter() - start < 5
    assert cast["Anna"].sex == "female" and cast["Bob"].sex == "male"
