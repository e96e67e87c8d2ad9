"""Ordinal numbers as words, in the forms German and Russian dates and years take.

espeak reads the day of a date as a cardinal: German "am 12. Mai" was "am zwölf Mai"
(a German says "am zwölften Mai"), Russian "12 мая 2024 года" was "двенадцать мая две
тысячи двадцать четыре года" (a Russian says "двенадцатого мая две тысячи двадцать
четвёртого года"). The ending follows the grammar around the number, so it cannot come
from espeak, which has no such rules; `normalize` picks the case from the word before.

Russian keeps all but the last part of a compound ordinal as digits, which espeak reads
as the cardinal the compound starts with ("2020 четвёртого": "две тысячи двадцать
четвёртого"); German compounds are one word, so they are written out whole.
"""

from __future__ import annotations

from typing import Literal

GermanEnding = Literal["e", "en", "er"]
RussianCase = Literal[
    "nominative",  # masculine: первый, второй
    "neuter",  # первое (мая)
    "feminine",  # первая, третья
    "feminine_accusative",  # первую
    "genitive",  # первого
    "dative",  # первому
    "instrumental",  # первым
    "prepositional",  # первом
    "plural_genitive",  # первых
]

_GERMAN_UNITS = (
    "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn",
    "neunzehn",
)  # fmt: skip
_GERMAN_TENS = ("", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig",
                "achtzig", "neunzig")  # fmt: skip
_GERMAN_IRREGULAR = {1: "ers", 3: "drit", 7: "sieb", 8: "ach"}  # erste, dritte, siebte, achte


def german_cardinal(n: int, *, alone: bool = True) -> str:
    """A German cardinal in one word ("vierundzwanzig", "zweitausendvierundzwanzig",
    "hundertzwölf"); `alone` says "eins" for a final 1, else "ein" ("einundzwanzig")."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"no German words here for {n}")
    if n < 20:
        return _GERMAN_UNITS[n] if alone or n != 1 else "ein"
    if n < 100:
        tens, unit = divmod(n, 10)
        return (f"{german_cardinal(unit, alone=False)}und" if unit else "") + _GERMAN_TENS[tens]
    size, name = (100, "hundert") if n < 1000 else (1000, "tausend")
    count, rest = divmod(n, size)
    head = "" if count == 1 else german_cardinal(count, alone=False)  # "hundert", "tausend"
    return head + name + (german_cardinal(rest, alone=alone) if rest else "")


def german_ordinal(n: int, ending: GermanEnding) -> str:
    """ "zwölften" (12, "en"), "erste" (1, "e"), "einundzwanzigster" (21, "er")."""
    if n <= 0:
        raise ValueError(f"no German ordinal for {n}")
    last = n % 100
    if 1 <= last < 20:
        head = german_cardinal(n - last, alone=False) if n - last else ""
        stem = head + _GERMAN_IRREGULAR.get(last, german_cardinal(last)) + "t"
    else:  # 20 and above, round hundreds and thousands: -ste
        stem = german_cardinal(n) + "st"
    return stem + ending


# Russian ordinal stems by the part the ordinal ends in; True where the ending is stressed
# (nominative "-ой": второй, шестой, сороковой), else "-ый"; "третий" is soft.
_RUSSIAN_UNITS = ("", "перв", "втор", "трет", "четвёрт", "пят", "шест", "седьм", "восьм",
                  "девят")  # fmt: skip
_RUSSIAN_TEENS = ("десят", "одиннадцат", "двенадцат", "тринадцат", "четырнадцат",
                  "пятнадцат", "шестнадцат", "семнадцат", "восемнадцат", "девятнадцат")  # fmt: skip
_RUSSIAN_TENS = ("", "", "двадцат", "тридцат", "сороков", "пятидесят", "шестидесят",
                 "семидесят", "восьмидесят", "девяност")  # fmt: skip
_RUSSIAN_HUNDREDS = ("", "сот", "двухсот", "трёхсот", "четырёхсот", "пятисот", "шестисот",
                     "семисот", "восьмисот", "девятисот")  # fmt: skip
_RUSSIAN_THOUSANDS = ("", "тысячн", "двухтысячн", "трёхтысячн", "четырёхтысячн", "пятитысячн",
                      "шеститысячн", "семитысячн", "восьмитысячн", "девятитысячн")  # fmt: skip
_RUSSIAN_STRESSED = frozenset({"втор", "шест", "седьм", "восьм", "сороков"})
_RUSSIAN_ENDINGS = {  # hard stem, soft stem (трет-)
    "nominative": ("ый", "ий"),
    "neuter": ("ое", "ье"),
    "feminine": ("ая", "ья"),
    "feminine_accusative": ("ую", "ью"),
    "genitive": ("ого", "ьего"),
    "dative": ("ому", "ьему"),
    "instrumental": ("ым", "ьим"),
    "prepositional": ("ом", "ьем"),
    "plural_genitive": ("ых", "ьих"),
}


def russian_ordinal(n: int, case: RussianCase) -> str:
    """A Russian ordinal in `case`: "2020 четвёртого" for 2024 in the
    genitive, "двенадцатое" for 12 in the neuter nominative ("двенадцатое мая"), "тысяча
    900 девяностом" for 1990 in the prepositional ("в 1990 году")."""
    if n <= 0 or n >= 10_000:
        raise ValueError(f"no Russian ordinal here for {n}")
    if n % 1000 == 0:
        stem, rest = _RUSSIAN_THOUSANDS[n // 1000], 0
    elif n % 100 == 0:
        stem, rest = _RUSSIAN_HUNDREDS[n % 1000 // 100], n - n % 1000
    elif 10 <= n % 100 < 20:
        stem, rest = _RUSSIAN_TEENS[n % 100 - 10], n - n % 100
    elif n % 10 == 0:
        stem, rest = _RUSSIAN_TENS[n % 100 // 10], n - n % 100
    else:
        stem, rest = _RUSSIAN_UNITS[n % 10], n - n % 10
    hard, soft = _RUSSIAN_ENDINGS[case]
    if stem == "трет":
        word = stem + soft
    elif case == "nominative" and stem in _RUSSIAN_STRESSED:
        word = stem + "ой"
    else:
        word = stem + hard
    if not rest:
        return word
    if 1000 <= rest < 2000:  # "тысяча девятьсот", as a Russian says a year, not "одна тысяча"
        return " ".join(["тысяча", *([str(rest - 1000)] if rest > 1000 else []), word])
    return f"{rest} {word}"


def english_ordinal(n: int) -> str:
    """ "1st", "22nd", "13th": digits with the suffix, which espeak reads as an ordinal."""
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ENGLISH_ORDINAL_UNITS = (
    "", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth",
)  # fmt: skip
_ENGLISH_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                 "ninety")  # fmt: skip


def english_ordinal_word(n: int) -> str:
    """ "eighth", "twenty-first" (1-99): a word espeak reads whole, even with "'s" after it
    ("Henry the eighth's"; "8th's" was "eight tee aitch ess")."""
    if not 0 < n < 100:
        raise ValueError(f"no English ordinal word here for {n}")
    if n < 20:
        return _ENGLISH_ORDINAL_UNITS[n]
    tens, unit = divmod(n, 10)
    if not unit:
        return _ENGLISH_TENS[tens][:-1] + "ieth"  # twentieth
    return f"{_ENGLISH_TENS[tens]}-{_ENGLISH_ORDINAL_UNITS[unit]}"
