"""Dates as they are said: numeric dates in words, the day as the ordinal each language
says, and years as a year is read.

espeak reads every number as a cardinal, so a date came out as no speaker says it: English
"December 5, 2024" was "December five, two thousand twenty four" (an American says
"December fifth, twenty twenty-four"), German "am 12. Mai" was "am zwölf Mai" ("am
zwölften Mai") and "1990" "eintausend neunhundertneunzig" ("neunzehnhundertneunzig"),
Russian "12 мая 2024 года" was "двенадцать мая две тысячи двадцать четыре года"
("двенадцатого мая ... двадцать четвёртого года"), French "le 1 mai" "le un mai" ("le
premier mai"), Hindi "1947 में" "एक हज़ार नौ सौ सैंतालीस में" ("उन्नीस सौ सैंतालीस में").
The form of an ordinal follows the words around it, so each language's rule looks at the
word before the number (German "am" -> "-en", "der" -> "-e"; Russian "к" -> dative).
Spanish ("5 de mayo"), Italian and French days after the first, and the Indian languages
read days as cardinals, as espeak does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from aifilm.pipeline.voice.ordinal_words import (
    GermanEnding,
    RussianCase,
    english_ordinal,
    german_cardinal,
    german_ordinal,
    russian_ordinal,
)
from aifilm.pipeline.voice.rewrite import Index, sub
from aifilm.spec.vocabulary import base_language

_Rule = Callable[[str, Index], tuple[str, Index]]
MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
           "setembro", "outubro", "novembro", "dezembro"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
           "settembre", "ottobre", "novembre", "dicembre"),
    "hi": ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर",
           "अक्टूबर", "नवंबर", "दिसंबर"),
    # the languages espeak speaks alone (Russian in the genitive: "12 мая")
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"),
    "ar": ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
           "أكتوبر", "نوفمبر", "ديسمبر"),
    "bn": ("জানুয়ারি", "ফেব্রুয়ারি", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট",
           "সেপ্টেম্বর", "অক্টোবর", "নভেম্বর", "ডিসেম্বর"),
    "gu": ("જાન્યુઆરી", "ફેબ્રુઆરી", "માર્ચ", "એપ્રિલ", "મે", "જૂન", "જુલાઈ", "ઓગસ્ટ",
           "સપ્ટેમ્બર", "ઓક્ટોબર", "નવેમ્બર", "ડિસેમ્બર"),
    "kn": ("ಜನವರಿ", "ಫೆಬ್ರವರಿ", "ಮಾರ್ಚ್", "ಏಪ್ರಿಲ್", "ಮೇ", "ಜೂನ್", "ಜುಲೈ", "ಆಗಸ್ಟ್",
           "ಸೆಪ್ಟೆಂಬರ್", "ಅಕ್ಟೋಬರ್", "ನವೆಂಬರ್", "ಡಿಸೆಂಬರ್"),
    "ml": ("ജനുവരി", "ഫെബ്രുവരി", "മാർച്ച്", "ഏപ്രിൽ", "മേയ്", "ജൂൺ", "ജൂലൈ", "ഓഗസ്റ്റ്",
           "സെപ്റ്റംബർ", "ഒക്ടോബർ", "നവംബർ", "ഡിസംബർ"),
    "mr": ("जानेवारी", "फेब्रुवारी", "मार्च", "एप्रिल", "मे", "जून", "जुलै", "ऑगस्ट", "सप्टेंबर",
           "ऑक्टोबर", "नोव्हेंबर", "डिसेंबर"),
    "pa": ("ਜਨਵਰੀ", "ਫ਼ਰਵਰੀ", "ਮਾਰਚ", "ਅਪ੍ਰੈਲ", "ਮਈ", "ਜੂਨ", "ਜੁਲਾਈ", "ਅਗਸਤ", "ਸਤੰਬਰ",
           "ਅਕਤੂਬਰ", "ਨਵੰਬਰ", "ਦਸੰਬਰ"),
    "ta": ("ஜனவரி", "பிப்ரவரி", "மார்ச்", "ஏப்ரல்", "மே", "ஜூன்", "ஜூலை", "ஆகஸ்ட்",
           "செப்டம்பர்", "அக்டோபர்", "நவம்பர்", "டிசம்பர்"),
    "te": ("జనవరి", "ఫిబ్రవరి", "మార్చి", "ఏప్రిల్", "మే", "జూన్", "జూలై", "ఆగస్టు",
           "సెప్టెంబర్", "అక్టోబర్", "నవంబర్", "డిసెంబర్"),
}  # fmt: skip

_DATE = re.compile(r"(?<![\d/])(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?![\d/])")
_YEAR_AFTER = re.compile(r"\b(in|since|from|until|by|of)\s+(1[1-9]|20)(\d{2})\b", re.IGNORECASE)


def numeric_dates(language: str, text: str, index: Index) -> tuple[str, Index]:
    """12/05/2024 in words: "December 5, 20 24" in English (month first), "12 de mayo de
    2024" in Spanish, "12. Mai 2024" in German; English years after a preposition ("in
    1990" -> "in 19 90", "nineteen ninety")."""
    months = MONTHS.get(language)
    if not months:
        return text, index

    def date(m: re.Match[str]) -> str:
        a, b, year = int(m.group(1)), int(m.group(2)), m.group(3)
        day, month = (b, a) if language == "en" else (a, b)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return m.group(0)
        name = months[month - 1]
        if language == "en":
            return f"{name} {day}, {english_year(year)}"
        if language in ("es", "pt"):
            return f"{day} de {name} de {year}"
        if language == "de":
            return f"{day}. {name} {year}"
        return f"{day} {name} {year}"

    text, index = sub(text, index, _DATE, date)
    if language == "en":
        text, index = sub(
            text,
            index,
            _YEAR_AFTER,
            lambda m: f"{m.group(1)} {english_year(m.group(2) + m.group(3))}",
        )
    return text, index


def english_year(year: str) -> str:
    """1990 -> "19 90", 1905 -> "19 oh 5", 2000 -> "2000", 2024 -> "20 24"."""
    head, tail = year[:2], year[2:]
    if tail == "00" or (head == "20" and tail < "10"):
        return year
    return f"{head} oh {tail[1]}" if tail[0] == "0" else f"{head} {tail}"


def spoken_days(language: str, text: str, index: Index) -> tuple[str, Index]:
    """The day of a date as the ordinal the language says, and years as years are read."""
    rule = _RULES.get(language)
    return rule(text, index) if rule else (text, index)


_ORDINAL_POINT = re.compile(r"\d{1,4}\.")


def is_ordinal_point(before: str, word: str, after: str, language: str) -> bool:
    """Whether the point of `word` ("12.") marks a German ordinal, not a sentence's end:
    "am 12. Mai", "im 19. Jahrhundert". Subtitles keep such a date on one line."""
    if not _ORDINAL_POINT.fullmatch(word):
        return False
    if base_language(language) != "de":
        return False
    return after.rstrip(",;:") in MONTHS["de"] or before.casefold() in _GERMAN_ENDING_AFTER


def _word_before(m: re.Match[str]) -> str:
    """The word just before a match ("" at the start)."""
    words = m.string[: m.start()].split()
    return words[-1] if words else ""


_EN_MONTHS = "|".join(MONTHS["en"])
_EN_MONTH_FIRST = re.compile(rf"\b({_EN_MONTHS})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\w:])")
_EN_DAY_FIRST = re.compile(
    rf"(?<![\w.,])(?:([Tt]he)\s+)?(\d{{1,2}})(?:st|nd|rd|th)?(?=\s+(of\s+)?(?:{_EN_MONTHS})\b)"
)
_EN_YEAR = r"(1[1-9]\d{2}|20\d{2})(?![\d:])"
_EN_AFTER_DAY = re.compile(rf"(?<=\d[snrt][tdh])(,?\s+){_EN_YEAR}")  # "December 5th, 2024"
_EN_AFTER_MONTH = re.compile(rf"\b({_EN_MONTHS})(\s+){_EN_YEAR}")  # "March 2024"


def _english(text: str, index: Index) -> tuple[str, Index]:
    """ "December 5, 2024" -> "December 5th, 20 24"; "5 December" -> "the 5th of December";
    "in March 2024" -> "March 20 24". Each rewrite stays inside its written word, so the
    day, the month and the year keep a word timing each."""

    def said_month_first(m: re.Match[str]) -> str:
        if not 1 <= int(m.group(2)) <= 31:
            return m.group(0)
        return f"{m.group(1)} {english_ordinal(int(m.group(2)))}"

    def said_day_first(m: re.Match[str]) -> str:
        if not 1 <= int(m.group(2)) <= 31:
            return m.group(0)
        of = "" if m.group(3) else " of"
        return f"{m.group(1) or 'the'} {english_ordinal(int(m.group(2)))}{of}"

    text, index = sub(text, index, _EN_MONTH_FIRST, said_month_first)
    text, index = sub(text, index, _EN_DAY_FIRST, said_day_first)
    text, index = sub(text, index, _EN_AFTER_DAY, lambda m: f"{m[1]}{english_year(m[2])}")
    return sub(text, index, _EN_AFTER_MONTH, lambda m: f"{m[1]}{m[2]}{english_year(m[3])}")


def _first_of_month(language: str, ordinal: str, between: str = "") -> _Rule:
    """French "1 mai" -> "1er mai", Italian "1 maggio" -> "1º maggio", Portuguese "1 de
    maio" -> "1º de maio": the first of a month is an ordinal, the other days cardinals."""

    months = "|".join(MONTHS[language])
    pattern = re.compile(rf"(?<![\w.,])1(?=\s+{between}(?:{months})\b)")

    def rule(text: str, index: Index) -> tuple[str, Index]:
        return sub(text, index, pattern, lambda m: ordinal)

    return rule


_GERMAN_ENDING_AFTER: dict[str, GermanEnding] = {
    **dict.fromkeys(("der", "die", "das", "ins", "ans", "aufs"), "e"),
    **dict.fromkeys(("dem", "den", "des", "am", "im", "zum", "zur", "vom", "beim"), "en"),
}
# before a month only: "bis 1990. Dann" is a year at a sentence's end
_GERMAN_DAY_ENDING_AFTER: dict[str, GermanEnding] = dict.fromkeys(("bis", "ab", "seit"), "en")
_GERMAN_YEAR_AFTER = (
    "Jahr", "Jahre", "Jahres", "seit", "bis", "ab", "von", "vor", "nach", "um", "anno",
    "Sommer", "Herbst", "Winter", "Frühjahr", "Frühling", "Ende", "Anfang", "Mitte",
)  # fmt: skip


_GERMAN_YEAR_WORDS = frozenset(w.casefold() for w in (*MONTHS["de"], *_GERMAN_YEAR_AFTER))
_DE_YEAR = re.compile(r"(?<![\w.,])(1[1-9]\d\d)(?=er|\s|[.,;:!?)]|$)(?![.,]\d)")
_DE_ORDINAL = re.compile(r"(?<![\w.,])(?:(\w+)\s+)?(\d{1,4})\.(?=\s+(\w+))")


def _german(text: str, index: Index) -> tuple[str, Index]:
    """Years 1100-1999 in hundreds ("1990" -> "neunzehnhundertneunzig", after a month,
    "Jahr", a preposition, or before "er": "1990er"); the day of a date ("am 12. Mai" ->
    "am zwölften Mai", "Berlin, 12. Mai" -> "zwölfter Mai") and an ordinal after an
    article ("im 19. Jahrhundert" -> "im neunzehnten Jahrhundert", "der 3. Platz")."""

    def said_year(m: re.Match[str]) -> str:
        after_year = _word_before(m).casefold() in _GERMAN_YEAR_WORDS
        if not (m.string.startswith("er", m.end()) or after_year):
            return m.group(0)
        hundreds, rest = divmod(int(m.group(1)), 100)
        return f"{german_cardinal(hundreds)}hundert" + (german_cardinal(rest) if rest else "")

    text, index = sub(text, index, _DE_YEAR, said_year)

    def said_ordinal(m: re.Match[str]) -> str:
        before, n, after = m.group(1), int(m.group(2)), m.group(3)
        word = (before or "").casefold()
        ending = _GERMAN_ENDING_AFTER.get(word)
        if after in MONTHS["de"] and 1 <= n <= 31:  # "Berlin, 12. Mai": "zwölfter Mai"
            ending = ending or _GERMAN_DAY_ENDING_AFTER.get(word, "er")
        if ending is None or n == 0:  # "Es kostet 12. Dann ...": a sentence's end
            return m.group(0)
        return (f"{before} " if before else "") + german_ordinal(n, ending)

    return sub(text, index, _DE_ORDINAL, said_ordinal)


_RUSSIAN_DAY_CASE: dict[str, RussianCase] = {
    **dict.fromkeys(("к", "ко"), "dative"),
    **dict.fromkeys(("на", "по", "про", "через", "сегодня", "завтра", "вчера", "это"), "neuter"),
}
_RUSSIAN_YEAR_CASE: dict[str, RussianCase] = {"год": "nominative", "года": "genitive"}


_RU_MONTHS = "|".join(MONTHS["ru"])
_RU_DAY = re.compile(rf"(?<![\w.,])(?:(\w+)\s+)?(\d{{1,2}})(?=\s+(?:{_RU_MONTHS})\b)")
_RU_DATED_YEAR = re.compile(rf"\b({_RU_MONTHS})\s+(\d{{3,4}})(?!\d|[.,]\d|\s*(?:гг?\.|год))")
_RU_YEAR = re.compile(r"(?<![\w.,])(?:(\w+)\s+)?(\d{3,4})(?=\s+(год|года|году)\b)")


def _russian(text: str, index: Index) -> tuple[str, Index]:
    """The day before a month ("12 мая") in the genitive ("двенадцатого мая";
    "к 12 мая" the dative, "на 12 мая", "Сегодня 12 мая" the neuter "двенадцатое"); a year
    after a day and month, with "года" ("мая 2024" -> "мая 2020 четвёртого года"), or before
    "год", "года", "году" (after "в" the prepositional, after "к" the dative). A day written
    with its ending ("12-го мая") is `spoken_numbers`'."""

    def said_day(m: re.Match[str]) -> str:
        before, n = m.group(1), int(m.group(2))
        if not 1 <= n <= 31:
            return m.group(0)
        case = _RUSSIAN_DAY_CASE.get((before or "").casefold(), "genitive")
        return (f"{before} " if before else "") + russian_ordinal(n, case)

    def said_year(m: re.Match[str]) -> str:
        before, n, noun = m.group(1), int(m.group(2)), m.group(3)
        if n == 0:
            return m.group(0)
        case = _RUSSIAN_YEAR_CASE.get(noun, "prepositional")
        if noun == "году" and (before or "").casefold() in ("к", "ко", "по"):
            case = "dative"
        return (f"{before} " if before else "") + russian_ordinal(n, case)

    text, index = sub(text, index, _RU_DAY, said_day)
    text, index = sub(
        text,
        index,
        _RU_DATED_YEAR,
        lambda m: f"{m.group(1)} {russian_ordinal(int(m.group(2)), 'genitive')} года",
    )
    return sub(text, index, _RU_YEAR, said_year)


_HINDI_YEAR_BEFORE = frozenset(("में", "तक", "ई.", "ईस्वी", "से", "के", "की", "का"))
_HINDI_YEAR_AFTER = ("सन्", "सन", "वर्ष", "साल")


_HINDI_YEAR_WORDS = frozenset((*MONTHS["hi"], *_HINDI_YEAR_AFTER))
_HI_YEAR = re.compile(r"(?<![\w.,])(\d{4})(?!\d|[.,]\d)")  # Devanagari digits too: १९४७


def _hindi(text: str, index: Index) -> tuple[str, Index]:
    """Years 1100-1999 in hundreds, as Hindi says a year: "1947 में" -> "19 सौ 47 में"
    ("उन्नीस सौ सैंतालीस"), after a month, "सन्" or "वर्ष", or before "में", "तक", "ई."."""

    def said(m: re.Match[str]) -> str:
        follows = (m.string[m.end() :].split(None, 1) or [""])[0]
        before_word = {follows, follows.rstrip(",;:!?।")} & _HINDI_YEAR_BEFORE  # "ई." keeps "."
        if not before_word and _word_before(m) not in _HINDI_YEAR_WORDS:
            return m.group(0)
        hundreds, rest = divmod(int(m.group(1)), 100)
        if not 11 <= hundreds <= 19:  # 2024: "दो हज़ार चौबीस", as espeak says it
            return m.group(0)
        return f"{hundreds} सौ" + (f" {rest}" if rest else "")

    return sub(text, index, _HI_YEAR, said)


_RULES: dict[str, _Rule] = {
    "en": _english,
    "fr": _first_of_month("fr", "1er"),
    "it": _first_of_month("it", "1º"),
    "pt": _first_of_month("pt", "1º", r"de\s+"),
    "de": _german,
    "ru": _russian,
    "hi": _hindi,
}
