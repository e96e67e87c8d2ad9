"""Ordinals as German and Russian say them in dates and years (checked against grammars:
"am einundzwanzigsten", "двухтысячного года", "в тысяча девятьсот девяностом году")."""

from __future__ import annotations

import pytest

from aifilm.pipeline.voice.ordinal_words import (
    english_ordinal,
    english_ordinal_word,
    german_cardinal,
    german_ordinal,
    russian_ordinal,
)
from aifilm.pipeline.voice.spoken_numbers import roman_value


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "eins"),
        (16, "sechzehn"),
        (21, "einundzwanzig"),
        (100, "hundert"),
        (101, "hunderteins"),
        (1990, "tausendneunhundertneunzig"),
        (2024, "zweitausendvierundzwanzig"),
        (31_000, "einunddreißigtausend"),
    ],
)
def test_german_cardinals_are_one_word(n: int, words: str) -> None:
    assert german_cardinal(n) == words


@pytest.mark.parametrize(
    ("n", "ending", "words"),
    [
        (1, "e", "erste"),
        (3, "en", "dritten"),
        (7, "er", "siebter"),
        (8, "en", "achten"),
        (12, "en", "zwölften"),
        (19, "en", "neunzehnten"),
        (20, "e", "zwanzigste"),
        (21, "en", "einundzwanzigsten"),
        (31, "er", "einunddreißigster"),
        (100, "en", "hundertsten"),
        (101, "e", "hunderterste"),
        (1000, "e", "tausendste"),
    ],
)
def test_german_ordinals(n: int, ending: str, words: str) -> None:
    assert german_ordinal(n, ending) == words  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "case", "words"),
    [
        (1, "neuter", "первое"),
        (2, "nominative", "второй"),
        (3, "genitive", "третьего"),
        (3, "dative", "третьему"),
        (12, "genitive", "двенадцатого"),
        (21, "neuter", "20 первое"),
        (40, "prepositional", "сороковом"),
        (100, "nominative", "сотый"),
        (1900, "genitive", "тысяча девятисотого"),
        (1990, "prepositional", "тысяча 900 девяностом"),
        (2000, "genitive", "двухтысячного"),
        (2013, "genitive", "2000 тринадцатого"),
        (2024, "nominative", "2020 четвёртый"),
        (2030, "dative", "2000 тридцатому"),
    ],
)
def test_russian_ordinals_end_in_their_case(n: int, case: str, words: str) -> None:
    assert russian_ordinal(n, case) == words  # type: ignore[arg-type]


def test_english_ordinal_suffixes() -> None:
    assert [english_ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st",
        "111th",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "call",
    [
        lambda: german_ordinal(0, "e"),
        lambda: russian_ordinal(0, "genitive"),
        lambda: german_cardinal(10**6),
    ],
)
def test_numbers_out_of_range_are_refused(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_english_ordinal_words() -> None:
    assert [english_ordinal_word(n) for n in (1, 8, 12, 20, 21, 39, 40, 99)] == [
        "first", "eighth", "twelfth", "twentieth", "twenty-first", "thirty-ninth", "fortieth",
        "ninety-ninth",
    ]  # fmt: skip


def test_roman_numerals_are_read_by_value() -> None:
    assert [roman_value(r) for r in ("I", "IV", "IX", "XIV", "XIX", "XXI", "XXXIX")] == [
        1, 4, 9, 14, 19, 21, 39,
    ]  # fmt: skip
