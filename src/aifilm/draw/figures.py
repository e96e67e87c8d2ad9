"""Who a character is, as a picture: the Fluent Emoji figure for an `Identity`.

Animals are their animal (the word table's picture for the species). People are
picked by role, then age, then sex: a king wears a crown, a grandmother is an old
woman, a child is a boy or a girl. Skin tone is fixed per character (a digest of the
name), drawn from tones that suit the film's language, so the same character looks
the same in every shot, podcast and thumbnail.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from aifilm.draw.words import lookup

TONES = ("light", "medium-light", "medium", "medium-dark", "dark")
# Languages of South Asia, Africa, the Middle East...: tones weighted to the region's people.
_TONES_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    **{
        lang: ("medium", "medium-dark", "medium-dark", "medium")
        for lang in ("hi", "mr", "bn", "gu", "pa", "ta", "te", "kn", "ml", "ne", "ur", "si", "or")
    },
    **{lang: ("medium-dark", "dark") for lang in ("sw", "yo", "ig", "ha", "am", "zu")},
    **{lang: ("medium-light", "medium") for lang in ("ar", "fa", "tr", "he")},
    **{lang: ("light", "medium-light") for lang in ("zh", "ja", "ko")},
}

# role -> (male, female, unknown sex); base names of person assets (a tone is appended).
ROLES: dict[str, tuple[str, str, str]] = {
    "king": ("prince", "princess", "person-with-crown"),
    "queen": ("princess", "princess", "princess"),
    "prince": ("prince", "princess", "prince"),
    "princess": ("princess", "princess", "princess"),
    "emperor": ("prince", "princess", "person-with-crown"),
    "raja": ("prince", "princess", "prince"),
    "rani": ("princess", "princess", "princess"),
    "grandmother": ("old-woman", "old-woman", "old-woman"),
    "grandma": ("old-woman", "old-woman", "old-woman"),
    "granny": ("old-woman", "old-woman", "old-woman"),
    "dadi": ("old-woman", "old-woman", "old-woman"),
    "nani": ("old-woman", "old-woman", "old-woman"),
    "grandfather": ("old-man", "old-man", "old-man"),
    "grandpa": ("old-man", "old-man", "old-man"),
    "dada": ("old-man", "old-man", "old-man"),
    "nana": ("old-man", "old-man", "old-man"),
    "teacher": ("man-teacher", "woman-teacher", "man-teacher"),
    "guru": ("man-white-hair", "woman-white-hair", "man-white-hair"),
    "sage": ("man-white-hair", "woman-white-hair", "man-white-hair"),
    "rishi": ("man-white-hair", "woman-white-hair", "man-white-hair"),
    "monk": ("man-in-lotus-position", "woman-in-lotus-position", "man-in-lotus-position"),
    "student": ("man-student", "woman-student", "man-student"),
    "farmer": ("man-farmer", "woman-farmer", "man-farmer"),
    "cook": ("man-cook", "woman-cook", "man-cook"),
    "chef": ("man-cook", "woman-cook", "man-cook"),
    "doctor": ("man-health-worker", "woman-health-worker", "man-health-worker"),
    "nurse": ("man-health-worker", "woman-health-worker", "woman-health-worker"),
    "detective": ("man-detective", "woman-detective", "man-detective"),
    "police": ("man-police-officer", "woman-police-officer", "man-police-officer"),
    "officer": ("man-police-officer", "woman-police-officer", "man-police-officer"),
    "guard": ("man-guard", "woman-guard", "man-guard"),
    "soldier": ("man-guard", "woman-guard", "man-guard"),
    "scientist": ("man-scientist", "woman-scientist", "man-scientist"),
    "astronaut": ("man-astronaut", "woman-astronaut", "man-astronaut"),
    "pilot": ("man-pilot", "woman-pilot", "man-pilot"),
    "judge": ("man-judge", "woman-judge", "man-judge"),
    "artist": ("man-artist", "woman-artist", "man-artist"),
    "painter": ("man-artist", "woman-artist", "man-artist"),
    "singer": ("man-singer", "woman-singer", "man-singer"),
    "wizard": ("man-mage", "woman-mage", "man-mage"),
    "witch": ("woman-mage", "woman-mage", "woman-mage"),
    "fairy": ("man-fairy", "woman-fairy", "woman-fairy"),
    "genie": ("man-mage", "woman-mage", "man-mage"),
    "host": ("man-office-worker", "woman-office-worker", "man-office-worker"),
    "presenter": ("man-office-worker", "woman-office-worker", "man-office-worker"),
    "boss": ("man-office-worker", "woman-office-worker", "man-office-worker"),
    "engineer": ("man-technologist", "woman-technologist", "man-technologist"),
    "mechanic": ("man-mechanic", "woman-mechanic", "man-mechanic"),
    "firefighter": ("man-firefighter", "woman-firefighter", "man-firefighter"),
    "worker": ("man-construction-worker", "woman-construction-worker", "man-construction-worker"),
    "merchant": ("man-in-tuxedo", "woman-in-tuxedo", "man-in-tuxedo"),
    "mother": ("woman", "woman", "woman"),
    "father": ("man-beard", "man-beard", "man-beard"),
}
# By age when no role says more: (male, female, unknown).
AGES: dict[str, tuple[str, str, str]] = {
    "baby": ("baby", "baby", "baby"),
    "toddler": ("baby", "baby", "baby"),
    "child": ("boy", "girl", "child"),
    "pre-teen": ("boy", "girl", "child"),
    "young-adult": ("man", "woman", "person"),
    "adult": ("man", "woman", "person"),
    "mature": ("old-man", "old-woman", "older-person"),
}
# Adults vary their hair so two men in a film do not look alike.
_ADULT_LOOKS: dict[str, tuple[str, ...]] = {
    "male": ("man", "man-beard", "man-curly-hair", "man-office-worker"),
    "female": ("woman", "woman-curly-hair", "woman-office-worker", "woman-with-headscarf"),
    "unknown": ("person", "person-curly-hair", "person-beard"),
}
PERSON_BASES = sorted(
    {a for triple in (*ROLES.values(), *AGES.values()) for a in triple}
    | {a for looks in _ADULT_LOOKS.values() for a in looks}
)
UNKNOWN_ANIMAL = "paw-prints"


@dataclass(frozen=True)
class Figure:
    """The picture of one character: its asset, whether it has a mouth to lip-sync, its tone."""

    name: str
    asset: str
    animal: bool
    tone: str | None  # skin tone of a person
    color: str | None  # the character's colour (a halo and name tag)
    image: Path | None = None  # the character's own picture, shown instead of `asset`


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode("utf-8")).digest()[:8], "big")


def skin_tone(name: str, language: str) -> str:
    """A skin tone for a person, fixed by their name and suited to the film's language."""
    tones = _TONES_BY_LANGUAGE.get(language.split("-")[0].casefold(), TONES)
    return tones[_digest("tone", name.casefold()) % len(tones)]


def person_base(name: str, sex: str, age: str, role: str | None, look: str | None = None) -> str:
    """The person asset (without tone) for a role, age and sex."""
    column = {"male": 0, "female": 1}.get(sex, 2)
    words = " ".join(x for x in (role or "", look or "", name) if x).casefold()
    for word in words.replace("-", " ").split():
        if word in ROLES:
            return ROLES[word][column]
    if "beard" in words and sex != "female":
        return "man-beard"
    if age in ("young-adult", "adult"):
        looks = _ADULT_LOOKS[sex if sex in ("male", "female") else "unknown"]
        return looks[_digest("look", name.casefold()) % len(looks)]
    return AGES.get(age, AGES["adult"])[column]


def figure_for(
    name: str,
    *,
    species: str,
    sex: str,
    age: str,
    role: str | None,
    look: str | None,
    color: str | None,
    language: str,
    image: Path | None = None,
) -> Figure:
    """The figure of a character from who they are (an `aifilm.cast.Identity`'s fields).

    With `image` (the character's own picture), scenes show that picture instead.
    """
    if species and species != "human":
        asset = lookup(species) or UNKNOWN_ANIMAL
        return Figure(name, asset, True, None, color, image)
    tone = skin_tone(name, language)
    base = person_base(name, sex, age, role, look)
    return Figure(name, f"{base}-{tone}", False, tone, color, image)
