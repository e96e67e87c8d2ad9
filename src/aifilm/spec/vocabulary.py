"""The words a project file may use: voice presets, genres, languages, sizes, motions.

Kept as plain tables so the CLI (`aifilm voices`, `aifilm music`), the JSON Schema
and the error messages ("did you mean ...") all read the same source.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

VOICE_PRESETS: dict[str, str] = {
    "baby": "Baby (0-2 years): very high, soft, slow",
    "toddler": "Toddler (2-4 years): high, simple speech",
    "child": "Child (6-10 years): clear child voice",
    "pre-teen": "Pre-teen (10-14 years): young adolescent",
    "young-adult": "Young adult (18-25 years): energetic",
    "adult-male": "Adult male (25-50 years): standard male voice",
    "adult-female": "Adult female (25-50 years): standard female voice",
    "mature": "Mature (50+ years): deeper, slower, authoritative",
}


@dataclass(frozen=True)
class Genre:
    """A music genre recipe the default music backend can play."""

    id: str
    family: str
    description: str


GENRES: tuple[Genre, ...] = (
    Genre("carnatic", "indian", "South Indian classical: drone, raga melody, mridangam-like pulse"),
    Genre("hindustani", "indian", "North Indian classical: tanpura drone, raga, tabla-like theka"),
    Genre("bollywood", "indian", "Film song: strings, bright melody, dholak groove"),
    Genre("bhajan", "indian", "Devotional bhajan: harmonium, bells, gentle 4-beat"),
    Genre("aarti", "indian", "Devotional aarti: bells, harmonium, call-and-response melody"),
    Genre("folk", "indian", "Regional folk: flute, dhol-like drum, lively 6/8"),
    Genre("cinematic", "western", "Cinematic: slow strings, brass swells, timpani"),
    Genre("orchestral", "western", "Orchestral: strings and woodwinds in a classical cadence"),
    Genre("ambient", "western", "Ambient: evolving pads, no drums"),
    Genre("meditation", "western", "Meditation: singing-bowl tones and drone, no drums"),
    Genre("pop", "western", "Pop: piano and bass, four-on-the-floor"),
    Genre("rock", "western", "Rock: overdriven guitar, bass, backbeat drums"),
    Genre("electronic", "western", "Electronic/EDM: synth lead, saw bass, kick on every beat"),
    Genre("sloka", "special", "Sloka backing: tanpura drone and soft bells under chanting"),
    Genre("sahasranama", "special", "Sahasranama backing: steady drone, temple bell pulse"),
    Genre("poem", "special", "Poem backing: sparse piano, soft strings"),
    Genre("nature", "special", "Nature sounds: wind, stream and birdsong, synthesised"),
    Genre("asmr", "special", "ASMR: soft rain, gentle chimes"),
)
GENRE_IDS: tuple[str, ...] = tuple(g.id for g in GENRES)


@dataclass(frozen=True)
class Language:
    """A language the product supports for voices and subtitles."""

    code: str
    name: str
    script: str  # for fonts and shaping: latin, devanagari, arabic, tamil, telugu, cjk, ...
    rtl: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "latin"),
    Language("hi", "Hindi", "devanagari"),
    Language("es", "Spanish", "latin"),
    Language("fr", "French", "latin"),
    Language("de", "German", "latin"),
    Language("pt", "Portuguese", "latin"),
    Language("zh", "Mandarin Chinese", "cjk"),
    Language("ja", "Japanese", "cjk"),
    Language("ar", "Arabic", "arabic", rtl=True),
    Language("ta", "Tamil", "tamil"),
    Language("te", "Telugu", "telugu"),
    Language("bn", "Bengali", "bengali"),
    Language("mr", "Marathi", "devanagari"),
    Language("gu", "Gujarati", "gujarati"),
    Language("ml", "Malayalam", "malayalam"),
    Language("kn", "Kannada", "kannada"),
    Language("pa", "Punjabi", "gurmukhi"),
    Language("it", "Italian", "latin"),
    Language("ru", "Russian", "cyrillic"),
    Language("sa", "Sanskrit", "devanagari"),
)
LANGUAGE_CODES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGES)


# ISO 639-2/T three-letter codes, as MP4 (and Matroska) tag a subtitle or audio track.
ISO_639_2: dict[str, str] = {
    "en": "eng", "hi": "hin", "es": "spa", "fr": "fra", "de": "deu", "pt": "por", "zh": "zho",
    "ja": "jpn", "ar": "ara", "ta": "tam", "te": "tel", "bn": "ben", "mr": "mar", "gu": "guj",
    "ml": "mal", "kn": "kan", "pa": "pan", "it": "ita", "ru": "rus", "sa": "san",
}  # fmt: skip


def base_language(code: str) -> str:
    """The language without its region: "en_GB", "pt-BR" -> "en", "pt"."""
    return code.strip().lower().replace("_", "-").split("-")[0]


def language(code: str) -> Language:
    """The `Language` for a code; KeyError if unknown."""
    for lang in LANGUAGES:
        if lang.code == code:
            return lang
    raise KeyError(code)


RESOLUTIONS: dict[str, tuple[int, int]] = {
    "480p": (854, 480),
    "720p": (1280, 720),
    "1080p": (1920, 1080),
    "vertical": (1080, 1920),
    "vertical-720": (720, 1280),
    "square": (1080, 1080),
}

CAMERA_MOTIONS: dict[str, str] = {
    "static": "no movement",
    "zoom-in": "slow push in (Ken Burns)",
    "zoom-out": "slow pull back",
    "pan-left": "slow pan towards the left",
    "pan-right": "slow pan towards the right",
    "pan-up": "slow tilt up",
    "pan-down": "slow tilt down",
    "auto": "a gentle motion chosen per shot",
}

TRANSITIONS: dict[str, str] = {
    "cut": "hard cut",
    "fade": "fade through black",
    "crossfade": "dissolve into the next shot",
    "wipe-left": "wipe from right to left",
    "wipe-right": "wipe from left to right",
    "slide-left": "slide the next shot in from the right",
}


def suggest(value: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest valid choice to a mistyped value, if any is close enough."""
    matches = difflib.get_close_matches(
        value.lower(), [c.lower() for c in choices], n=1, cutoff=0.6
    )
    if not matches:
        return None
    for choice in choices:
        if choice.lower() == matches[0]:
            return choice
    return None


def choice_error(kind: str, value: str, choices: list[str] | tuple[str, ...]) -> str:
    """A message for a value outside a vocabulary: the bad value, a suggestion, the list."""
    close = suggest(value, choices)
    did_you_mean = f"; did you mean '{close}'?" if close else ""
    return f"unknown {kind} '{value}'{did_you_mean} valid: {', '.join(choices)}"


# Unicode script names (the first word of unicodedata.name) that some language voices.
VOICED_SCRIPTS: frozenset[str] = frozenset(
    {
        "LATIN",
        "DEVANAGARI",
        "ARABIC",
        "TAMIL",
        "TELUGU",
        "BENGALI",
        "GUJARATI",
        "GURMUKHI",
        "MALAYALAM",
        "KANNADA",
        "CYRILLIC",
        "CJK",
        "HIRAGANA",
        "KATAKANA",
    }
)
