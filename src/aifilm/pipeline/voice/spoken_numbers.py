"""Numbers in forms espeak misreads: Roman numerals, ranges, fractions, "No. 5", decades,
clock times written with a point or an "h", and Russian ordinals with a suffix.

What espeak said before, found by reading its phonemes:

* Roman numerals: English "Louis XIV" was "Louis Roman fourteen" (now "Louis the 14th"),
  German "Ludwig XIV." "Ludwig römisch vierzehn" ("Ludwig der vierzehnte"), French "Louis
  XIV" "Louis quatorze romain" ("Louis quatorze") and "le XXIe siècle" "iksɡzi" ("vingt et
  unième"), Russian "Пётр I" an English "I" ("Пётр первый") and "XXI век" "Roman twenty
  one" ("двадцать первый век"), Portuguese "D. Pedro II" "quinhentos Pedro dois" ("Dom
  Pedro segundo"). Spanish and Italian espeak already reads as the language says them.
* Ranges: "10-15 minutes" was "ten dash fifteen" ("ten to fifteen"), German "zehn Strich
  fünfzehn" ("zehn bis fünfzehn").
* Fractions: "1/2 cup" was "one two cup" ("one half cup"), Hindi "1/2 कप" "एक दो" ("आधा").
* Number signs: "No. 5" was "no five", "#1" "one", French "n° 5" "N cinq", Italian "n. 5"
  "enne cinque", Spanish "n.º 5" "ene o cinco", Russian "№ 5" "пять".
* Decades: "the 1990s" was "the nineteen hundred ninety z" ("the nineteen nineties").
* Clock times: Italian "alle 15.30" was "quindici punto trenta" ("quindici e trenta"),
  Portuguese "15h30" "quinze agá trinta" ("quinze horas e trinta").
* Russian "5-й дом" was "пять й краткое дом" ("пятый дом").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from aifilm.pipeline.voice.ordinal_words import (
    RussianCase,
    english_ordinal_word,
    german_cardinal,
    german_ordinal,
    russian_ordinal,
)
from aifilm.pipeline.voice.rewrite import Index, sub
from aifilm.pipeline.voice.spoken_dates import english_year
from aifilm.spec.vocabulary import base_language

_Rule = Callable[[str, Index], tuple[str, Index]]

# I to XXXIX: the numbers of kings, popes, centuries, chapters and wars
_ROMAN = r"(?:X{1,3}(?:IX|IV|V?I{0,3})|IX|IV|VI{0,3}|I{1,3})"
_ROMAN_VALUE = {"I": 1, "V": 5, "X": 10}


def roman_value(numeral: str) -> int:
    """ "XIV" -> 14."""
    total = 0
    for i, ch in enumerate(numeral):
        value = _ROMAN_VALUE[ch]
        later = _ROMAN_VALUE[numeral[i + 1]] if i + 1 < len(numeral) else 0
        total += -value if value < later else value
    return total


def spoken_numbers(language: str, text: str, index: Index) -> tuple[str, Index]:
    """Each of the language's rules in turn (see the module's docstring)."""
    for rule in _rules(language):
        text, index = rule(text, index)
    return text, index


def _pattern_rule(pattern: str, replace: Callable[[re.Match[str]], str]) -> _Rule:
    compiled = re.compile(pattern)

    def rule(text: str, index: Index) -> tuple[str, Index]:
        return sub(text, index, compiled, replace)

    return rule


# Roman numerals ------------------------------------------------------------------------

_NAME = r"([A-ZÀ-ÖØ-ÞА-ЯЁ][a-zß-öø-ÿа-яё]+)"  # a capitalised word: a name or a noun
# English nouns whose Roman numeral is a cardinal ("World War Two", "Part Two")
_ENGLISH_CARDINAL_AFTER = frozenset((
    "War", "Part", "Chapter", "Act", "Scene", "Volume", "Book", "Phase", "Type", "Class",
    "Level", "Stage", "Round", "Season", "Episode", "Section", "Article", "Title", "Appendix",
    "Grade", "Apollo", "Gemini", "Mark", "Division", "Category", "Tier", "Rocky", "Schedule",
    "Annex", "Unit", "Lesson", "Module", "Step",
))  # fmt: skip
# capitalised at a sentence's start, never a name before a numeral
_ENGLISH_NOT_NAMES = frozenset((
    "The", "A", "An", "In", "On", "At", "And", "But", "Or", "Of", "To", "For", "With", "By",
    "From", "As", "If", "So", "Then", "When", "My", "His", "Her", "Our", "Their", "Its",
    "This", "That", "No", "Not", "Is", "Was", "Give", "Get", "Put", "Take", "Use", "Need",
))  # fmt: skip
_GERMAN_CARDINAL_AFTER = frozenset((
    "Teil", "Kapitel", "Band", "Akt", "Szene", "Stufe", "Klasse", "Phase", "Typ", "Staffel",
    "Folge", "Abschnitt", "Artikel", "Buch", "Lektion", "Schritt",
))  # fmt: skip
_PORTUGUESE_ORDINALS = (
    "primeiro", "segundo", "terceiro", "quarto", "quinto", "sexto", "sétimo", "oitavo",
    "nono", "décimo",
)  # fmt: skip
_RUSSIAN_CENTURY_CASE: dict[str, RussianCase] = {
    "век": "nominative",
    "века": "genitive",
    "веке": "prepositional",
    "веку": "dative",
    "веком": "instrumental",
    "веков": "plural_genitive",
    "столетие": "neuter",
    "столетия": "genitive",
}


def _english_roman(m: re.Match[str]) -> str:
    name, numeral = m.group(1), m.group(2)
    if numeral in ("I", "X"):  # the pronoun; "Malcolm X"
        return m.group(0)
    n = roman_value(numeral)
    if name in _ENGLISH_CARDINAL_AFTER:
        return f"{name} {n}"
    if name in _ENGLISH_NOT_NAMES:  # "An IV drip"
        return m.group(0)
    return f"{name} the {english_ordinal_word(n)}"  # "Henry the eighth's": espeak reads words


def _german_roman(m: re.Match[str]) -> str:
    name, numeral, point = m.group(1), m.group(2), m.group(3) or ""
    n = roman_value(numeral)
    if name in _GERMAN_CARDINAL_AFTER:
        return f"{name} {n}{point}"
    # "Ludwig XIV. regierte": the point marks the ordinal, not a sentence's end
    ends = point and re.match(r"\s+[A-ZÄÖÜ]|\s*$", m.string[m.end() :]) is not None
    return f"{name} der {german_ordinal(n, 'e')}{point if ends else ''}"


def _french_roman(m: re.Match[str]) -> str:
    """ "Louis XIV" -> "Louis 14" (quatorze); "Monsieur X" and a lone "I" stay letters."""
    name, numeral = m.group(1), m.group(2)
    if numeral == "I" or (numeral == "X" and name in ("Monsieur", "Madame", "Mademoiselle")):
        return m.group(0)
    return f"{name} {roman_value(numeral)}"


def _portuguese_roman(m: re.Match[str]) -> str:
    title, name, numeral = m.group(1), m.group(2), m.group(3)
    feminine = name.endswith("a")
    said_title = ("Dona " if feminine else "Dom ") if title else ""
    n = roman_value(numeral)
    if numeral == "I" and not title:  # a letter as often as a numeral
        return m.group(0)
    if n > 10:  # "Bento XVI": dezesseis
        return f"{said_title}{name} {n}"
    ordinal = _PORTUGUESE_ORDINALS[n - 1]
    if feminine:
        ordinal = ordinal[:-1] + "a"
    return f"{said_title}{name} {ordinal}"


def _russian_regnal(m: re.Match[str]) -> str:
    name, numeral = m.group(1), m.group(2)
    case: RussianCase = "feminine" if name.endswith(("а", "я")) else "nominative"
    return f"{name} {russian_ordinal(roman_value(numeral), case)}"


def _russian_century(m: re.Match[str]) -> str:
    return russian_ordinal(roman_value(m.group(1)), _RUSSIAN_CENTURY_CASE[m.group(2)])


# Ranges, fractions, number signs ---------------------------------------------------------

_RANGE_WORD = {"en": "to", "de": "bis", "es": "a", "pt": "a", "fr": "à"}
_RANGE = r"(?<![\w.,:/\-–])(\d{1,4})\s?[-–]\s?(\d{1,4})(?![\w/\-–]|[.,:]\d)"  # "10-15", not "3-2"

_FRACTIONS: dict[str, dict[str, str]] = {
    "en": {"1/2": "one half", "1/3": "one third", "2/3": "two thirds", "1/4": "one quarter",
           "3/4": "three quarters"},
    "es": {"1/2": "un medio", "1/3": "un tercio", "2/3": "dos tercios", "1/4": "un cuarto",
           "3/4": "tres cuartos"},
    "fr": {"1/2": "un demi", "1/3": "un tiers", "2/3": "deux tiers", "1/4": "un quart",
           "3/4": "trois quarts"},
    "pt": {"1/2": "meio", "1/3": "um terço", "2/3": "dois terços", "1/4": "um quarto",
           "3/4": "três quartos"},
    "it": {"1/2": "un mezzo", "1/3": "un terzo", "2/3": "due terzi", "1/4": "un quarto",
           "3/4": "tre quarti"},
    "de": {"1/2": "einhalb", "1/3": "ein Drittel", "2/3": "zwei Drittel", "1/4": "ein Viertel",
           "3/4": "drei Viertel"},
    "ru": {"1/2": "половина", "1/3": "треть", "2/3": "две трети", "1/4": "четверть",
           "3/4": "три четверти"},
    "hi": {"1/2": "आधा", "1/3": "एक तिहाई", "2/3": "दो तिहाई", "1/4": "एक चौथाई",
           "3/4": "तीन चौथाई"},
    "ja": {"1/2": "2ぶんの1", "1/3": "3ぶんの1", "2/3": "3ぶんの2", "1/4": "4ぶんの1",
           "3/4": "4ぶんの3"},  # in kana: 分 alone is read "wake"
}  # fmt: skip
# a half before a noun agrees with it: "media taza", "medio kilo" (a noun in -a is taken as
# feminine); French "demi" before a noun, without the article it would need a gender for
_HALF_BEFORE_NOUN = {"es": ("medio", "media"), "pt": ("meio", "meia"), "it": ("mezzo", "mezza"),
                     "fr": ("demi", "demi")}  # fmt: skip
_VULGAR = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4"}
# "1 1/2": the whole number and a half (Spanish, Portuguese, Italian: `_half_for_noun`)
_AND_A_HALF = {"en": "{} and a half", "fr": "{} et demi", "ru": "{} с половиной"}
_HINDI_HALVES = {1: "डेढ़", 2: "ढाई"}  # 3 1/2 and up: साढ़े 3

_NUMBER_SIGN = {
    "en": (r"(?<![\w#])(?:No\.|#)\s?(?=\d)", "number "),  # "no. 2 days later": a word
    "es": (r"(?<!\w)(?:n\.º|nº|n\.°|N\.º|Nº|núm\.|Núm\.)\s?(?=\d)", "número "),
    "fr": (r"(?<!\w)(?:n°|nº|N°|Nº)\s?(?=\d)", "numéro "),
    "it": (r"(?<!\w)(?:n\.|nr\.|N\.|Nr\.)\s?(?=\d)", "numero "),
    "ru": (r"№\s?(?=\d)", "номер "),
    "hi": (r"(?<!\w)नं\.?\s?(?=\d)", "नंबर "),
}


def is_number_sign(word: str, after: str, language: str) -> bool:
    """Whether `word` is a number sign before a number ("No." in "No. 1", Italian "n. 5"),
    whose point does not end a sentence. Subtitles keep it on the line of its number."""
    sign = _NUMBER_SIGN.get(base_language(language))
    if not sign or not after[:1].isdigit():
        return False
    found = re.match(sign[0], f"{word} {after}")
    return found is not None and found.end() >= len(word)


_ENGLISH_TENS = ("hundreds", "tens", "twenties", "thirties", "forties", "fifties", "sixties",
                 "seventies", "eighties", "nineties")  # fmt: skip


def _english_decade(m: re.Match[str]) -> str:
    century, tens = m.group(1), int(m.group(2)[0])
    if century == "20" and tens == 0:  # "the 2000s": the two thousands
        return "two thousands"
    if not century and tens == 0:
        return m.group(0)
    return f"{century} {_ENGLISH_TENS[tens]}" if century else _ENGLISH_TENS[tens]


_AND = {"es": "y", "pt": "e", "it": "e"}


def _noun_after(m: re.Match[str]) -> str:
    noun = re.match(r"\s+(\w+)", m.string[m.end() :])
    return noun.group(1) if noun else ""


def _half_for_noun(language: str, m: re.Match[str]) -> str:
    """ "media" before "taza(s)", "medio" before "kilo": a noun in -a taken as feminine."""
    masculine, feminine = _HALF_BEFORE_NOUN[language]
    return feminine if _noun_after(m).endswith(("a", "as")) else masculine


def _fraction_rule(language: str) -> _Rule:
    table = _FRACTIONS[language]
    vulgar = "".join(_VULGAR)
    word = r"0-9A-Za-z_" if language == "ja" else r"\w"  # kana and kanji touch the number
    simple = re.compile(rf"(?<![{word}/.,])(?:([123])/([234])|([{vulgar}]))(?![{word}/]|[.,]\d)")
    mixed = re.compile(rf"(?<![{word}/.,])(\d{{1,3}})(?:\s+1/2|\s?½)(?![{word}/]|[.,]\d)")

    def half(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if language in _HALF_BEFORE_NOUN and language != "fr":  # "2 e meia xícaras"
            return f"{n} {_AND[language]} {_half_for_noun(language, m)}"
        if language == "hi":
            return _HINDI_HALVES.get(n, f"साढ़े {n}")
        if language == "de":
            return german_cardinal(n, alone=False) + "einhalb"  # "zweieinhalb"
        if language == "ru" and n == 1:
            return "полтора"
        return _AND_A_HALF[language].format(n) if language in _AND_A_HALF else m.group(0)

    def fraction(m: re.Match[str]) -> str:
        key = _VULGAR[m.group(3)] if m.group(3) else f"{m.group(1)}/{m.group(2)}"
        if key == "1/2" and language in _HALF_BEFORE_NOUN and _noun_after(m):
            return _half_for_noun(language, m)
        return table.get(key, m.group(0))

    def rule(text: str, index: Index) -> tuple[str, Index]:
        text, index = sub(text, index, mixed, half)
        return sub(text, index, simple, fraction)

    return rule


def _range_rule(language: str) -> _Rule:
    word = _RANGE_WORD[language]

    def said(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        if int(a) >= int(b) or (len(a) == 3 and len(b) == 4):  # a score, a phone number
            return m.group(0)
        if language == "en":  # "1990-1995": nineteen ninety to nineteen ninety-five
            a, b = (english_year(x) if len(x) == 4 else x for x in (a, b))
        return f"{a} {word} {b}"

    return _pattern_rule(_RANGE, said)


def _italian_clock(m: re.Match[str]) -> str:
    hours, minutes = m.group(2), m.group(3)
    return f"{m.group(1)} {hours}" + ("" if minutes == "00" else f" e {int(minutes)}")


def _portuguese_clock(m: re.Match[str]) -> str:
    hours, minutes = int(m.group(1)), m.group(2)
    said = "uma hora" if hours == 1 else f"{hours} horas"
    return said + (f" e {int(minutes)}" if minutes and minutes != "00" else "")


# "5-й", "12-го": the ending written after the digits, short or (less often) long
_RUSSIAN_SUFFIX_CASE: dict[str, RussianCase] = {
    **dict.fromkeys(("й", "ый"), "nominative"),
    **dict.fromkeys(("я", "ая"), "feminine"),
    **dict.fromkeys(("ю", "ую"), "feminine_accusative"),
    **dict.fromkeys(("е", "ое"), "neuter"),
    **dict.fromkeys(("го", "ого"), "genitive"),
    **dict.fromkeys(("му", "ому"), "dative"),
    **dict.fromkeys(("м", "ом"), "prepositional"),
    **dict.fromkeys(("х", "ых"), "plural_genitive"),
}


def _russian_suffixed(m: re.Match[str]) -> str:
    n = int(m.group(1))
    return russian_ordinal(n, _RUSSIAN_SUFFIX_CASE[m.group(2)]) if 0 < n < 10_000 else m.group(0)


def _doubled(m: re.Match[str]) -> str:
    return f"{m.group(1)} {m.group(2)}"


def _constant(word: str) -> Callable[[re.Match[str]], str]:
    return lambda m: word


@functools.cache
def _rules(language: str) -> tuple[_Rule, ...]:
    rules: list[_Rule] = []
    if language == "en":
        rules.append(_pattern_rule(rf"\b{_NAME}\s+({_ROMAN})(?=['’]s\b|[^\w'’]|$)", _english_roman))
        rules.append(_pattern_rule(r"(?<![\w'’])['’]?(1[1-9]|20)?(\d0)s\b", _english_decade))
        # "24/7" was "twenty-four slash seven", "a 50-50 chance" "fifty dash fifty"
        rules.append(_pattern_rule(r"(?<![\w/])24/7(?![\w/])", _constant("24 7")))
        rules.append(
            _pattern_rule(r"(?<![\w.,:/\-–])(\d{1,3})[-–](\1)(?![\w/\-–]|[.,:]\d)", _doubled)
        )
    elif language == "de":
        rules.append(_pattern_rule(rf"\b{_NAME}\s+({_ROMAN})(\.)?(?![\w.])", _german_roman))
    elif language == "fr":  # "le XXIe siècle" -> "21e" (then 21ème); "Louis XIV" -> "Louis 14"
        rules.append(
            _pattern_rule(
                rf"\b({_ROMAN})(er|re|e|ème|eme)\b",
                lambda m: f"{roman_value(m.group(1))}{m.group(2)}",
            )
        )
        rules.append(_pattern_rule(rf"\b{_NAME}\s+({_ROMAN})\b(?!['’])", _french_roman))
    elif language == "pt":
        rules.append(_pattern_rule(rf"(?:\b(D\.)\s*)?{_NAME}\s+({_ROMAN})\b", _portuguese_roman))
        rules.append(_pattern_rule(r"(?<![\w.,])(\d{1,2})h(\d{2})?\b", _portuguese_clock))
    elif language == "ru":
        centuries = "|".join(_RUSSIAN_CENTURY_CASE)
        rules.append(_pattern_rule(rf"\b({_ROMAN})(?=\s+({centuries})\b)", _russian_century))
        rules.append(_pattern_rule(rf"\b{_NAME}\s+({_ROMAN})\b", _russian_regnal))
        suffixes = "|".join(sorted(_RUSSIAN_SUFFIX_CASE, key=len, reverse=True))
        rules.append(
            _pattern_rule(rf"(?<![\w.,])(\d{{1,4}})-({suffixes})(?!\w)", _russian_suffixed)
        )
    elif language == "it":
        rules.append(
            _pattern_rule(
                r"\b(alle|dalle|le|ore|verso le|entro le)\s+(\d{1,2})[.:](\d{2})(?!\d|[.,]\d)",
                _italian_clock,
            )
        )
    if language in _NUMBER_SIGN:
        pattern, word = _NUMBER_SIGN[language]
        rules.append(_pattern_rule(pattern, _constant(word)))
    if language in _FRACTIONS:
        rules.append(_fraction_rule(language))
    if language in _RANGE_WORD:
        rules.append(_range_rule(language))
    return tuple(rules)
