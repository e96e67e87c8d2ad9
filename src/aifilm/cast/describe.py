"""Read sex, age, species and role out of a few words: a name, a `look`, an introduction.

`traits_of_name` reads a character's name ("Grandmother Owl", "Mrs. Rao",
"Will"); `traits_of_text` reads a description ("a retired detective in his
50s", "a little black crow"). Both return `Traits` whose fields are None where
the words say nothing, each decided field with the word that decided it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aifilm.cast.lexicon import (
    AGE_WORDS,
    ANIMALS,
    DECADE_WORDS,
    FEMALE_PRONOUNS,
    INDIAN_LANGUAGES,
    INDIAN_ROLES,
    MALE_PRONOUNS,
    NUMBER_WORDS,
    PLURAL_ANIMALS,
    ROLES,
    AgeWord,
    SexWord,
    age_from_years,
)
from aifilm.cast.names import sex_of_given_name


@dataclass
class Traits:
    """What some words say about someone; None where they say nothing."""

    species: str | None = None
    sex: SexWord = None
    age: AgeWord = None
    role: str | None = None
    why: dict[str, str] = field(default_factory=dict)  # field -> the word(s) that decided it

    def set(self, name: str, value: str | None, because: str) -> None:
        """Record `value` for a field unless an earlier word already decided it."""
        if value is not None and getattr(self, name) is None:
            setattr(self, name, value)
            self.why[name] = because


# Letters, plus the combining vowel signs of Indic scripts that \w leaves out.
_LETTER = r"(?:[^\W_]|[\u0300-\u036f\u0900-\u0dff])"
_WORD = re.compile(rf"{_LETTER}+(?:['’.-]{_LETTER}+)*")
_YEARS = re.compile(
    r"(?:(?P<part>early|mid|late)[\s-]*)?(?<![\d.,])\b(?P<n>\d{1,2})\s*(?:'?s\b|-?\s*(?:years?|yrs?)"
    r"(?:[\s-]*old)?\b|\b(?=\s*\)))",
    re.IGNORECASE,
)
_AGED = re.compile(r"\b(?:aged?|age)\s+(?P<n>\d{1,2})\b", re.IGNORECASE)
_DECADE = re.compile(
    r"\b(?:(?P<part>early|mid|late)[\s-]*)?(?P<word>" + "|".join(DECADE_WORDS) + r")\b",
    re.IGNORECASE,
)
_WORD_YEARS = re.compile(
    r"\b(?P<word>"
    + "|".join(NUMBER_WORDS)
    + r")(?:[\s-]+(?P<unit>"
    + "|".join(NUMBER_WORDS)
    + r"))?[\s-]+years?[\s-]+old\b",
    re.IGNORECASE,
)


_COMPANION_WORDS = frozenset(
    {"with", "and", "holding", "carrying", "riding", "feeding", "of", "who", "whose", "'s"}
)


_NUMBER = (
    r"(?P<word>" + "|".join(NUMBER_WORDS) + r")(?:[\s-]+(?P<unit>" + "|".join(NUMBER_WORDS) + "))?"
)
# "a girl of nine", "a woman of seventy-five"
_OF_WORD_YEARS = re.compile(r"\bof\s+" + _NUMBER + r"\b(?!\s+(?:years|of|more|us|them))", re.I)
# An introduction that is only an age: "LILY, eight, in a paper crown" -> "eight".
_ONLY_NUMBER = re.compile(r"^\s*(?:" + _NUMBER + r"|(?P<digits>\d{1,2}))\s*$", re.I)


def words(text: str) -> list[str]:
    """The words of a text, lower case, full stops of abbreviations dropped ("Mrs." -> "mrs")."""
    return [w.casefold().rstrip(".").replace("’", "'") for w in _WORD.findall(text)]


def _role(word: str, language: str) -> tuple[SexWord, AgeWord, str | None] | None:
    if language in INDIAN_LANGUAGES and word in INDIAN_ROLES:
        return INDIAN_ROLES[word]
    return ROLES.get(word) or (INDIAN_ROLES.get(word) if not word.isascii() else None)


def _years(text: str) -> tuple[int, str] | None:
    """An age in years written in the text, with the words that gave it."""
    for pattern in (_AGED, _YEARS):
        match = pattern.search(text)
        if match and 0 < int(match.group("n")) < 120:
            return int(match.group("n")), match.group(0).strip()
    match = _DECADE.search(text)
    if match:
        return DECADE_WORDS[match.group("word").casefold()], match.group(0).strip()
    for pattern in (_WORD_YEARS, _OF_WORD_YEARS, _ONLY_NUMBER):
        match = pattern.search(text)
        if match:
            found = match.groupdict()
            if found.get("digits"):
                years = int(found["digits"])
            else:
                years = NUMBER_WORDS[found["word"].casefold()]
                if found.get("unit"):
                    years += NUMBER_WORDS[found["unit"].casefold()]
            return years, match.group(0).strip()
    return None


def traits_of_text(text: str, *, language: str = "en") -> Traits:
    """What a description says: role and animal nouns, age words and numbers, pronouns."""
    traits = Traits()
    found = _years(text)
    if found is not None:
        years, said = found
        # "in his 20s" is a young adult; "late 40s" stays adult: the presets' ranges.
        traits.set("age", age_from_years(years), f"'{said}'")
    tokens = words(text)
    person_seen, animals_allowed = False, True
    for index, word in enumerate(tokens):
        if person_seen and word in _COMPANION_WORDS:
            # "a woman with a crow": the crow is hers, she is not one.
            animals_allowed = False
        animal = ANIMALS.get(word) or PLURAL_ANIMALS.get(word)
        if animal is not None and animals_allowed:
            species, sex, age = animal
            traits.set("species", species, f"'{word}'")
            traits.set("sex", sex, f"'{word}'")
            traits.set("age", age, f"'{word}'")
            continue
        role = _role(word, language)
        if role is not None:
            sex, age, name = role
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            if word in ("man", "woman") and following in ("of",):
                age = None  # "a man of means"
            traits.set("sex", sex, f"'{word}'")
            traits.set("age", age, f"'{word}'")
            traits.set("role", name, f"'{word}'")
            person_seen = True
            continue
        if word in FEMALE_PRONOUNS:
            traits.set("sex", "female", f"'{word}'")
        elif word in MALE_PRONOUNS:
            traits.set("sex", "male", f"'{word}'")
        elif word in AGE_WORDS:
            # "little" and "tiny" say nothing of age ("a tiny woman of seventy-five", "a little
            # crow"); "a little girl" is a child by "girl".
            traits.set("age", AGE_WORDS[word], f"'{word}'")
    if traits.species is None and person_seen:
        traits.species = "human"
        traits.why["species"] = traits.why.get("role") or traits.why.get("sex") or ""
    return traits


# Animal nouns that are people's names more often than animals' in a cast list:
# Ram (a common Indian name), Robin, Jane Doe, Buck, Drake. In descriptions they stay animals.
_NAMES_NOT_ANIMALS = frozenset({"ram", "robin", "doe", "buck", "drake"})


def traits_of_name(name: str, *, language: str = "en") -> Traits:
    """What a character's name says: honorifics and roles, animal nouns, a given name."""
    traits = Traits()
    tokens = words(name)
    for word in tokens:
        animal = None if word in _NAMES_NOT_ANIMALS else ANIMALS.get(word)
        if animal is not None:
            species, sex, age = animal
            traits.set("species", species, f"name has '{word}'")
            traits.set("sex", sex, f"name has '{word}'")
            traits.set("age", age, f"name has '{word}'")
            continue
        role = _role(word, language)
        if role is not None:
            sex, age, role_name = role
            traits.set("sex", sex, f"name has '{word}'")
            traits.set("age", age, f"name has '{word}'")
            traits.set("role", role_name, f"name has '{word}'")
            continue
        if word in AGE_WORDS and word not in ("wise",) and len(tokens) > 1:
            traits.set("age", AGE_WORDS[word], f"name has '{word}'")
    # A given name is the first word that is not an honorific ("Mrs. Jane Rao" -> Jane).
    for word in tokens:
        if _role(word, language) is None and (word not in ANIMALS or word in _NAMES_NOT_ANIMALS):
            sex = sex_of_given_name(word, language)
            if sex is not None:
                traits.set("sex", sex, f"'{word.title()}' is a common {sex} given name")
            break
    return traits
