"""Who a character is: species, sex, age and role, with the evidence for each.

One inference serves the voice (casting picks a preset from it) and the picture
(drawn as who they are). Sources, first that says something wins, per field:

    explicit `species`/`sex`/`age`  >  the `look` text  >  an explicitly set `voice`
    >  the name (honorifics, roles, animal nouns, common given names)
    >  the script (introductions, pronouns near the name)  >  human, unknown sex, adult

Deterministic, no network; a feature-length script takes a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from aifilm.cast.context import Paragraph, read_context
from aifilm.cast.describe import Traits, traits_of_name, traits_of_text

if TYPE_CHECKING:
    from aifilm.spec.models import Character, Project

Sex = Literal["female", "male", "unknown"]
Age = Literal["baby", "toddler", "child", "pre-teen", "young-adult", "adult", "mature"]
AGES: tuple[Age, ...] = ("baby", "toddler", "child", "pre-teen", "young-adult", "adult", "mature")
_FIELDS = ("species", "sex", "age", "role")

# What an explicitly chosen voice preset says about its speaker.
_PRESET_TRAITS: dict[str, tuple[str | None, str | None]] = {
    "baby": (None, "baby"),
    "toddler": (None, "toddler"),
    "child": (None, "child"),
    "pre-teen": (None, "pre-teen"),
    "young-adult": (None, "young-adult"),
    "adult-male": ("male", "adult"),
    "adult-female": ("female", "adult"),
    "mature": (None, "mature"),
}


@dataclass(frozen=True)
class Identity:
    """Who a character is, as far as the project and its script tell."""

    name: str
    species: str  # "human" or an animal noun, singular, lower case ("crow")
    sex: Sex
    age: Age
    role: str | None  # "king", "grandmother", "detective", "host", ... or None
    look: str | None  # the user's look text, or the script's words describing them
    evidence: tuple[str, ...]  # why: "sex female: name has 'mrs'", ...

    @property
    def is_animal(self) -> bool:
        """True for an animal character (drawn as one, voiced by age like anyone)."""
        return self.species != "human"

    def voice_preset(self) -> str:
        """The voice preset (one of `spec.vocabulary.VOICE_PRESETS`) that fits best.

        The presets have no mature female or young female voice: every built-in
        backend makes `mature` and `young-adult` male-sounding, so women of those
        ages get `adult-female`; the sex is the more audible mismatch.
        """
        if self.age in ("baby", "toddler", "child", "pre-teen"):
            return self.age
        if self.sex == "female":
            return "adult-female"
        if self.age in ("young-adult", "mature"):
            return self.age
        return "adult-male" if self.sex == "male" else "adult-female"


def _explicit(character: Character) -> Traits:
    traits = Traits()
    for key in ("species", "sex", "age"):
        value = getattr(character, key, None)
        traits.set(key, value, f"set in the project ('{key}: {value}')")
    return traits


def _from_voice(character: Character) -> Traits:
    traits = Traits()
    if "voice" in character.model_fields_set:
        sex, age = _PRESET_TRAITS.get(character.voice, (None, None))
        traits.set("sex", sex, f"voice preset {character.voice}")
        traits.set("age", age, f"voice preset {character.voice}")
        # A voice preset says nothing of species; a person is assumed only by default.
    return traits


def _from_look(character: Character, language: str) -> Traits:
    look = getattr(character, "look", None)
    if not look:
        return Traits()
    traits = traits_of_text(look, language=language)
    traits.why = {key: f"look has {word}" for key, word in traits.why.items()}
    return traits


# Words in a name that say "young" loosely: a "Delivery Boy" may be sixteen. The script's
# stated age, when it gives one, comes first.
_LOOSE_AGE_WORDS = ("boy", "girl", "kid", "lad", "lass")


def _from_name(character: Character, language: str) -> tuple[Traits, Traits]:
    """What the name says, and the loose age it implies (read after the script)."""
    traits = traits_of_name(character.name, language=language)
    loose = Traits()
    if traits.age and any(f"'{w}'" in traits.why.get("age", "") for w in _LOOSE_AGE_WORDS):
        loose.set("age", traits.age, traits.why.pop("age"))
        traits.age = None
    return traits, loose


def _identity(
    character: Character,
    paragraphs: Iterable[Paragraph],
    *,
    other_names: Iterable[str],
    language: str,
) -> Identity:
    reading = read_context(character.name, paragraphs, other_names=other_names, language=language)
    pronouns = Traits()
    female, male = reading.female_votes, reading.male_votes
    if max(female, male) > 0 and max(female, male) >= 2 * min(female, male):
        sex, word, votes = ("female", "she", female) if female > male else ("male", "he", male)
        where = f", first at line {reading.first_vote_line}" if reading.first_vote_line else ""
        pronouns.set("sex", sex, f"'{word}' near the name {votes} of {female + male} times{where}")
    name, loose_age = _from_name(character, language)
    sources = (
        _explicit(character),
        _from_look(character, language),
        _from_voice(character),
        name,
        reading.intro,
        loose_age,
        pronouns,
    )
    decided: dict[str, str] = {}
    reasons: dict[str, list[str]] = {}  # one reason may decide several fields: say it once
    for traits in sources:
        for key in _FIELDS:
            value = getattr(traits, key)
            if value is not None and key not in decided:
                decided[key] = value
                reasons.setdefault(traits.why.get(key, ""), []).append(f"{key} {value}")
    evidence = [f"{', '.join(found)}: {why}".rstrip(": ") for why, found in reasons.items()]
    species = decided.get("species")
    if species is None:
        species = "human"
    look = getattr(character, "look", None) or reading.look
    return Identity(
        name=character.name,
        species=species,
        sex=cast(Sex, decided.get("sex", "unknown")),
        age=cast(Age, decided.get("age", "adult")),
        role=decided.get("role"),
        look=look,
        evidence=tuple(evidence),
    )


def _paragraphs(context: str) -> list[Paragraph]:
    """Blank-line separated paragraphs of a context text, with their 1-based lines."""
    out: list[Paragraph] = []
    lines: list[str] = []
    start = 0
    for number, line in enumerate([*context.splitlines(), ""], start=1):
        if line.strip():
            if not lines:
                start = number
            lines.append(line.strip())
        elif lines:
            out.append((" ".join(lines), start))
            lines = []
    return out


def infer_identity(character: Character, *, context: str = "", language: str = "en") -> Identity:
    """Who one character is, from the project's fields and `context` (script text naming them)."""
    return _identity(character, _paragraphs(context), other_names=(), language=language)


def _source_line(source: str | None) -> int | None:
    number = (source or "").rpartition(":")[2]
    return int(number) if number.isdigit() else None


def script_paragraphs(project: Project) -> list[Paragraph]:
    """The project's narration (a screenplay's action lines), each with its line in the file."""
    out: list[Paragraph] = []
    for s, scene in enumerate(project.scenes):
        for t, shot in enumerate(scene.shots):
            if shot.narration:
                out.append((shot.narration, _source_line(project.line_source(s, t, 0))))
    return out


def infer_cast(project: Project) -> dict[str, Identity]:
    """Every character and speaker of the project (not the narrator), by name."""
    from aifilm.spec.models import Character

    characters = list(project.characters)
    for scene in project.scenes:
        for shot in scene.shots:
            for line in shot.lines:
                speaker = line.speaker
                if speaker and all(c.name.casefold() != speaker.casefold() for c in characters):
                    characters.append(Character(name=speaker))
    # A part of a longer script (--scenes, --episodes) reads the whole script: a character
    # may be introduced in a scene the part leaves out.
    paragraphs = script_paragraphs(project.whole)
    names = [c.name for c in characters]
    # Only paragraphs naming someone are read: a feature script has thousands.
    return {
        c.name: _identity(c, paragraphs, other_names=names, language=project.language)
        for c in characters
    }
