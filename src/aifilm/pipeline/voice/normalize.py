"""Text as it is spoken: amounts of money, dates, times, years, abbreviations, ordinals and
units of measure, per language.

espeak (and so Kokoro, which reads espeak's phonemes) already says plain numbers in every
language ("15,000 रुपये", "3:30", "50 %"). What it gets wrong is rewritten here before
phonemes are made: a currency sign before the amount ("$5.50" -> "5 dollars and 50 cents",
not "dollar five point five zero"), numeric dates (12/05/2024 -> "December 5, 2024" in
English, "12 de mayo de 2024" in Spanish), French "3h30", English years after a
preposition ("in 1990" -> "nineteen ninety") and titles espeak spells out ("M." ->
"monsieur", "Sra." -> "señora", "डॉ." -> "डॉक्टर"). Units of measure after a number are
said in words, in the plural where the number asks for it ("2.5 km" -> "2.5 kilometers",
"1 km" -> "1 kilometer", "1,5 km" -> "1,5 kilomètre" in French, "20 °C" -> "20 grados
Celsius", "5 km" -> "5公里", "時速60キロ" for "60 km/h"): espeak spelt the symbols ("K M",
"किमी" as "kimi") or dropped them ("20 °C" was "twenty"). Ordinals espeak misreads are
rewritten into forms it reads ("100th" -> "1 hundredth", French "2e" -> "2ème", Spanish
"1.º" -> "1º", Italian "il 1°" -> "il 1º"). Mandarin digits are read by cn2an,
as misaki does, after years become digit by digit ("2024年" -> "二零二四年"), clock times
"3:30" -> "3点30分" and grouped thousands lose their commas ("15,000" is one number).
Dates and years are `spoken_dates`' (the day as an ordinal where the language says one).

`speakable` returns the new text and, for each of its characters, the index of the
character of the original text it stands for, so word timings still name the words as
written ("$5.50" keeps one timing covering all its spoken words). The Kokoro voices and
espeak's own use it. In the languages espeak speaks alone, it covers money (Russian nouns
agree with the number: "1 рубль", "2 рубля", "5 рублей"; "₹15,000" -> "15000 টাকা", where
espeak dropped the sign), numeric dates, German, Russian and Arabic titles, units, quarter
and half hours in Marathi, Gujarati and Punjabi as in Hindi ("3:30" -> "साडे 3"), and
Russian thousands grouped by spaces ("15 000", which espeak read as "15 0 0 0").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from aifilm.pipeline.voice.rewrite import Index
from aifilm.pipeline.voice.rewrite import sub as _sub
from aifilm.pipeline.voice.spoken_dates import is_ordinal_point, numeric_dates, spoken_days
from aifilm.pipeline.voice.spoken_numbers import is_number_sign, spoken_numbers
from aifilm.spec.vocabulary import base_language

# Currency sign -> (units, hundredths) per language; "and" joins them.
CURRENCIES: dict[str, dict[str, tuple[str, str]]] = {
    "en": {"$": ("dollars", "cents"), "€": ("euros", "cents"), "£": ("pounds", "pence"),
           "₹": ("rupees", "paise"), "¥": ("yen", "sen"), "R$": ("reais", "centavos")},
    "es": {"$": ("dólares", "centavos"), "€": ("euros", "céntimos"), "£": ("libras", "peniques"),
           "₹": ("rupias", "paisas"), "R$": ("reales", "centavos")},
    "fr": {"$": ("dollars", "cents"), "€": ("euros", "centimes"), "£": ("livres", "pence"),
           "₹": ("roupies", "paisas"), "R$": ("réaux", "centavos")},
    "pt": {"$": ("dólares", "centavos"), "€": ("euros", "cêntimos"), "£": ("libras", "pence"),
           "₹": ("rupias", "paisas"), "R$": ("reais", "centavos")},
    "it": {"$": ("dollari", "centesimi"), "€": ("euro", "centesimi"), "£": ("sterline", "penny"),
           "₹": ("rupie", "paisa"), "R$": ("real", "centavos")},
    "hi": {"$": ("डॉलर", "सेंट"), "€": ("यूरो", "सेंट"), "£": ("पाउंड", "पेंस"),
           "₹": ("रुपये", "पैसे"), "R$": ("रियाल", "सेंटावो")},
    "zh": {"$": ("美元", ""), "€": ("欧元", ""), "£": ("英镑", ""), "₹": ("卢比", ""),
           "¥": ("元", ""), "￥": ("元", ""), "R$": ("雷亚尔", "")},
    "de": {"$": ("Dollar", "Cent"), "€": ("Euro", "Cent"), "£": ("Pfund", "Pence"),
           "₹": ("Rupien", "Paise"), "R$": ("Real", "Centavos")},
    # Russian words agree with the number: _MONEY_FORMS
    "ru": {"$": ("доллар", "цент"), "€": ("евро", "цент"), "£": ("фунт", "пенс"),
           "₹": ("рупия", "пайса"), "₽": ("рубль", "копейка")},
    # Arabic and the Indian languages: no word for the hundredths, the amount read as a
    # decimal number (espeak drops the rupee sign, or Tamil says it before the number)
    "ar": {"$": ("دولار", ""), "€": ("يورو", ""), "£": ("جنيه إسترليني", ""), "₹": ("روبية", "")},
    "bn": {"₹": ("টাকা", ""), "$": ("ডলার", ""), "€": ("ইউরো", ""), "৳": ("টাকা", "")},
    "gu": {"₹": ("રૂપિયા", ""), "$": ("ડોલર", ""), "€": ("યુરો", "")},
    "kn": {"₹": ("ರೂಪಾಯಿ", ""), "$": ("ಡಾಲರ್", ""), "€": ("ಯೂರೋ", "")},
    "ml": {"₹": ("രൂപ", ""), "$": ("ഡോളർ", ""), "€": ("യൂറോ", "")},
    "mr": {"₹": ("रुपये", ""), "$": ("डॉलर", ""), "€": ("युरो", "")},
    "pa": {"₹": ("ਰੁਪਏ", ""), "$": ("ਡਾਲਰ", ""), "€": ("ਯੂਰੋ", "")},
    "ta": {"₹": ("ரூபாய்", ""), "$": ("டாலர்", ""), "€": ("யூரோ", "")},
    "te": {"₹": ("రూపాయలు", ""), "$": ("డాలర్లు", ""), "€": ("యూరోలు", "")},
}  # fmt: skip
AND = {"en": "and", "es": "con", "fr": "et", "pt": "e", "it": "e", "hi": "और", "de": "und",
       "ru": "и"}  # fmt: skip
# Money words whose form follows the number (`noun_form`): German singular, plural; Russian
# (1, 21, 101...), (2-4, 22-24...), (5-20, 25-30..., 0); Arabic singular, dual, plural
_MONEY_FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {"Rupien": ("Rupie", "Rupien")},
    "ru": {"доллар": ("доллар", "доллара", "долларов"), "цент": ("цент", "цента", "центов"),
           "фунт": ("фунт", "фунта", "фунтов"), "пенс": ("пенс", "пенса", "пенсов"),
           "рупия": ("рупия", "рупии", "рупий"), "пайса": ("пайса", "пайсы", "пайс"),
           "рубль": ("рубль", "рубля", "рублей"), "копейка": ("копейка", "копейки", "копеек")},
    "ar": {"دولار": ("دولار", "دولاران", "دولارات"), "روبية": ("روبية", "روبيتان", "روبيات"),
           "جنيه إسترليني": ("جنيه إسترليني", "جنيهان إسترلينيان", "جنيهات إسترلينية")},
}  # fmt: skip

# Written abbreviation -> spoken word; matched as whole words, case as written.
ABBREVIATIONS: dict[str, dict[str, str]] = {
    "en": {"Dr.": "Doctor", "Mr.": "Mister", "Mrs.": "Missus", "Ms.": "Miz", "Prof.": "Professor",
           "Jr.": "Junior", "Sr.": "Senior", "St.": "Saint", "Mt.": "Mount", "vs.": "versus",
           "etc.": "et cetera", "e.g.": "for example", "i.e.": "that is", "approx.": "about"},
    "es": {"Sr.": "señor", "Sra.": "señora", "Srta.": "señorita", "Dr.": "doctor",
           "Dra.": "doctora", "Ud.": "usted", "Uds.": "ustedes", "etc.": "etcétera",
           "Prof.": "profesor"},
    "fr": {"M.": "monsieur", "MM.": "messieurs", "Mme": "madame", "Mmes": "mesdames",
           "Mlle": "mademoiselle", "Dr": "docteur", "Dr.": "docteur", "Pr": "professeur",
           "etc.": "et cetera"},
    "pt": {"Sr.": "senhor", "Sra.": "senhora", "Srta.": "senhorita", "Dr.": "doutor",
           "Dra.": "doutora", "Prof.": "professor", "etc.": "et cetera"},
    "it": {"Sig.": "signor", "Sig.ra": "signora", "Sig.na": "signorina", "Dott.": "dottor",
           "Dott.ssa": "dottoressa", "Prof.": "professor", "ecc.": "eccetera"},
    "hi": {"डॉ.": "डॉक्टर", "श्री.": "श्री", "कृ.": "कृपया", "रु.": "रुपये"},
    # (a space after an inner point is optional: "z. B." is also "z.B.")
    "de": {"Dr.": "Doktor", "Prof.": "Professor", "z. B.": "zum Beispiel",
           "usw.": "und so weiter", "bzw.": "beziehungsweise", "d. h.": "das heißt",
           "u. a.": "unter anderem", "Nr.": "Nummer", "ca.": "circa", "Ca.": "circa",
           "Hr.": "Herr", "St.": "Sankt", "evtl.": "eventuell", "ggf.": "gegebenenfalls",
           "vgl.": "vergleiche", "inkl.": "inklusive", "Jh.": "Jahrhundert", "Mio.": "Millionen",
           "Mrd.": "Milliarden", "Tsd.": "Tausend",
           "Jhd.": "Jahrhundert"},
    "ru": {"д-р": "доктор", "Д-р": "доктор", "г-н": "господин", "Г-н": "господин",
           "г-жа": "госпожа", "Г-жа": "госпожа", "проф.": "профессор", "т. е.": "то есть",
           "т. д.": "так далее", "т. п.": "тому подобное", "и др.": "и другие"},
    "mr": {"डॉ.": "डॉक्टर", "श्री.": "श्री"},
    "ar": {"د.": "دكتور"},
}  # fmt: skip

# Languages that write "15,000.5"; the others write "15.000,5" or "15 000,5".
_POINT_DECIMAL = ("en", "hi", "zh", "ja", "ar", "bn", "gu", "kn", "ml", "mr", "pa", "ta", "te")


def _number_pattern(language: str, decimals: str = "+") -> str:
    """A written number (a regex), its whole part and its decimals each a group: thousands
    grouped as the language writes them (Hindi "1,50,000" too) or not grouped."""
    if language in _POINT_DECIMAL:
        group, point = r",\d{2,3}", r"\."
    else:  # "5.50 $" too: a point before one or two digits cannot group thousands
        group, point = r"[.\s\u00a0\u202f]\d{3}", r"(?:,|\.(?=\d{1,2}(?!\d)))"
    return rf"(\d{{1,3}}(?:{group})+|\d+)(?:{point}(\d{decimals}))?"


def _ungrouped(whole: str, language: str) -> str:
    """A number's whole part without its thousands separators."""
    return re.sub(r"," if language in _POINT_DECIMAL else r"[.\s\u00a0\u202f]", "", whole)


def noun_form(language: str, number: str, forms: tuple[str, ...]) -> str:
    """The form of a noun a number takes (`number`: digits, maybe a sign and a decimal part).

    Russian: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль; a fraction the genitive
    singular (1,5 рубля). Arabic: the last two digits 2 the dual, 3 to 10 the plural (5
    دولارات), else the singular (1, 11-99, 100 and fractions). Others: singular for 1.
    """
    fraction = any(ch in number for ch in ".,")
    n = 0 if fraction else int(number.lstrip("+-") or 0)
    if language == "ru":
        if fraction:
            return forms[1]
        if 11 <= n % 100 <= 14:
            return forms[2]
        return forms[0] if n % 10 == 1 else forms[1] if 2 <= n % 10 <= 4 else forms[2]
    if language == "ar":
        return forms[1] if n % 100 == 2 else forms[2] if 3 <= n % 100 <= 10 else forms[0]
    return forms[0] if not fraction and n == 1 else forms[-1]


# German says "ein Euro", "eine Stunde" before a noun, not "eins" (espeak reads "1" as "eins")
_GERMAN_FEMININE = frozenset({"Rupie", "Stunde", "Minute", "Million", "Milliarde"})


def german_one(noun: str) -> str:
    """ "ein" or "eine" for the German noun after the number 1."""
    return "eine" if noun.split()[0] in _GERMAN_FEMININE else "ein"


def _amount(language: str, units: str, cents: str, whole: str, part: str | None) -> str:
    whole = _ungrouped(whole, language)
    forms = _MONEY_FORMS.get(language, {})
    if not cents:  # ¥5.50 -> 5.5元 (五点五元); ₹15.50 -> 15.5 টাকা
        decimals = (part or "").rstrip("0")
        number = f"{whole}.{decimals}" if decimals else whole
        if units in forms:
            units = noun_form(language, number, forms[units])
        return f"{number}{units}" if language == "zh" else f"{number} {units}"
    if language == "en" and whole == "1":
        units = units.rstrip("s")
    hundredths = int(part.ljust(2, "0")[:2]) if part and part.strip("0") else 0
    if units in forms:
        units = noun_form(language, whole, forms[units])
    if cents in forms:
        cents = noun_form(language, str(hundredths), forms[cents])
    if language == "de" and whole == "1":
        whole = german_one(units)
    spoken = f"{whole} {units}"
    if hundredths:
        spoken += f" {AND[language]} {hundredths} {cents}"
    return spoken


# A scale after an amount ("$2.5 million", "₹2 lakh", "2,5 Mio. €"): written -> spoken
# forms (singular, plural; Russian three forms as `noun_form`), and the word joining them to
# the currency ("millones de dólares", "milioni di euro"; "" for none).
_SCALES: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "en": {
        **dict.fromkeys(("thousand", "k", "K"), (("thousand",), "")),
        **dict.fromkeys(("million", "millions", "m", "M", "mn"), (("million",), "")),
        **dict.fromkeys(("billion", "billions", "bn", "b", "B"), (("billion",), "")),
        **dict.fromkeys(("trillion", "tn", "T"), (("trillion",), "")),
        "lakh": (("lakh",), ""),
        "crore": (("crore",), ""),
    },
    "es": {
        "mil": (("mil",), ""),
        **dict.fromkeys(("millón", "millones", "M"), (("millón", "millones"), "de")),
        "mil millones": (("mil millones",), "de"),
        **dict.fromkeys(("billón", "billones"), (("billón", "billones"), "de")),
    },
    "pt": {
        "mil": (("mil",), ""),
        **dict.fromkeys(("milhão", "milhões", "mi"), (("milhão", "milhões"), "de")),
        **dict.fromkeys(("bilhão", "bilhões", "bi"), (("bilhão", "bilhões"), "de")),
    },
    "fr": {
        **dict.fromkeys(("k", "K", "mille"), (("mille",), "")),
        **dict.fromkeys(("M", "million", "millions"), (("million", "millions"), "de")),
        **dict.fromkeys(("Md", "Mds", "milliard", "milliards"), (("milliard", "milliards"), "de")),
    },
    "it": {
        **dict.fromkeys(("mila", "mille"), (("mila",), "")),
        **dict.fromkeys(("mln", "milione", "milioni"), (("milione", "milioni"), "di")),
        **dict.fromkeys(("mld", "miliardo", "miliardi"), (("miliardo", "miliardi"), "di")),
    },
    "de": {
        **dict.fromkeys(("Tsd.", "Tausend"), (("Tausend",), "")),
        **dict.fromkeys(("Mio.", "Million", "Millionen"), (("Million", "Millionen"), "")),
        **dict.fromkeys(("Mrd.", "Milliarde", "Milliarden"), (("Milliarde", "Milliarden"), "")),
    },
    "ru": {
        **dict.fromkeys(("тыс.", "тысяча", "тысячи", "тысяч"), (("тысяча", "тысячи", "тысяч"), "")),
        **dict.fromkeys(
            ("млн", "миллион", "миллиона", "миллионов"), (("миллион", "миллиона", "миллионов"), "")
        ),
        **dict.fromkeys(
            ("млрд", "миллиард", "миллиарда", "миллиардов"),
            (("миллиард", "миллиарда", "миллиардов"), ""),
        ),
    },
    "hi": {
        **dict.fromkeys(("हज़ार", "हजार"), (("हज़ार",), "")),
        "लाख": (("लाख",), ""),
        **dict.fromkeys(("करोड़", "करोड"), (("करोड़",), "")),
        "अरब": (("अरब",), ""),
    },
}


# scales written short without a currency after them ("5 Mio. Menschen"), which espeak spelt
_SCALE_ABBREVIATIONS = {"de": ("Mio.", "Mrd.", "Tsd."), "ru": ("млн", "млрд", "тыс."),
                        "it": ("mln", "mld")}  # fmt: skip


def _scaled_money(language: str, text: str, index: Index) -> tuple[str, Index]:
    """An amount with a scale: "$2.5 million" was "2 dollars and 50 cents million", "₹2
    lakh" "2 rupees lakh", "$5k" "5 dollarsk"; now "2.5 million dollars", "2 lakh rupees",
    "5 thousand dollars", "2,5 millones de dólares", "2,5 Millionen Euro", "2,5 миллиона
    долларов", "2 लाख रुपये". The number is said as written, with its decimals."""
    table, scales = CURRENCIES.get(language), _SCALES.get(language)
    if not table or not scales:
        return text, index
    before, after, alone = _scale_patterns(language)

    def said(sign: str, whole: str, part: str | None, scale: str) -> str:
        units = table[sign][0]
        forms, joiner = scales[scale]
        point = "." if language in _POINT_DECIMAL else ","
        amount = _ungrouped(whole, language) + (f"{point}{part}" if part else "")
        spoken_scale = noun_form(language, amount, forms) if len(forms) > 1 else forms[0]
        if language == "ru":
            units = _MONEY_FORMS["ru"].get(units, (units,) * 3)[2]  # "миллиона долларов"
        if language == "de" and amount == "1":
            amount = german_one(spoken_scale)
        if joiner == "de" and language == "fr" and units[0] in "aeiouéèh":
            return f"{amount} {spoken_scale} d'{units}"
        return " ".join(w for w in (amount, spoken_scale, joiner, units) if w)

    def said_scale(m: re.Match[str]) -> str:  # "5 Mio. Menschen", "3 млн человек"
        forms = scales[m.group(3)][0]
        amount = m.group(0)[: m.start(3) - m.start()].rstrip()
        spoken = noun_form(language, amount.replace(" ", ""), forms) if len(forms) > 1 else forms[0]
        if language == "de" and amount == "1":
            amount = german_one(spoken)  # "eine Million"
        return f"{amount} {spoken}"

    text, index = _sub(
        text, index, before, lambda m: said(m.group(1), m.group(2), m.group(3), m.group(4))
    )
    text, index = _sub(
        text, index, after, lambda m: said(m.group(4), m.group(1), m.group(2), m.group(3))
    )
    return _sub(text, index, alone, said_scale) if alone else (text, index)


@functools.cache
def _scale_patterns(
    language: str,
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str] | None]:
    """`_scaled_money`'s patterns, compiled once per language: a sign before the amount
    and its scale, a sign after them, and a short scale alone ("5 Mio. Menschen")."""
    signs = "|".join(re.escape(s) for s in sorted(CURRENCIES[language], key=len, reverse=True))
    words = "|".join(re.escape(w) for w in sorted(_SCALES[language], key=len, reverse=True))
    number = _number_pattern(language)
    # "(?![\w-])": "$3 T-shirts" is not three trillion
    before = re.compile(rf"(?<![\w$])({signs})\s?{number}\s?({words})(?![\w-])")
    after = re.compile(rf"(?<![\d.,]){number}\s?({words})\s?(?:de\s+|d'|di\s+)?({signs})(?!\w)")
    short = _SCALE_ABBREVIATIONS.get(language)
    if not short:
        return before, after, None
    pattern = "|".join(re.escape(w) for w in short)
    return before, after, re.compile(rf"(?<![\d.,]){number}\s?({pattern})(?!\w)")


def _money(language: str, text: str, index: Index) -> tuple[str, Index]:
    table = CURRENCIES.get(language)
    if not table:
        return text, index
    signs = "|".join(re.escape(s) for s in sorted(table, key=len, reverse=True))
    number = _number_pattern(language, "{1,2}")
    word = r"0-9A-Za-z_" if language == "zh" else r"\w"  # Han characters touch the sign
    before = re.compile(rf"(?<![{word}$])({signs})\s?{number}(?!\d)")
    after = re.compile(rf"(?<![\d.,]){number}\s?({signs})(?![{word}])")

    def lead(m: re.Match[str]) -> str:
        units, cents = table[m.group(1)]
        return _amount(language, units, cents, m.group(2), m.group(3))

    def trail(m: re.Match[str]) -> str:
        units, cents = table[m.group(3)]
        return _amount(language, units, cents, m.group(1), m.group(2))

    text, index = _sub(text, index, before, lead)
    return _sub(text, index, after, trail)


_DIGITS_ZH = "零一二三四五六七八九"
_ZH_YEAR = re.compile(r"(?<!\d)(\d{4})(?=\s?年)")
_ZH_TIME = re.compile(r"(?<![\d:])(\d{1,2})[:：](\d{2})(?![\d:])")
_GROUPED = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])")  # 15,000 (zh, ja)


def _mandarin(language: str, text: str, index: Index) -> tuple[str, Index]:
    """Mandarin: years digit by digit (二零二四年), 3:30 as 3点30分, 15,000 as 15000;
    cn2an then reads the numbers (the grouping comma would split them in two)."""
    if language != "zh":
        return text, index
    text, index = _sub(text, index, _GROUPED, lambda m: m.group(0).replace(",", ""))
    text, index = _sub(
        text, index, _ZH_YEAR, lambda m: "".join(_DIGITS_ZH[int(d)] for d in m.group(1))
    )

    def clock(m: re.Match[str]) -> str:
        minutes = int(m.group(2))
        return f"{int(m.group(1))}点" + (f"{minutes}分" if minutes else "")

    return _sub(text, index, _ZH_TIME, clock)


_JA_DECIMAL = re.compile(r"(?<![\d.,])(\d+)\.(\d+)(?![\d.])")


def _japanese(language: str, text: str, index: Index) -> tuple[str, Index]:
    """Japanese numbers in forms its reading front end gets right: it read "15,000円" as
    "15 0 yen" (the comma splits the number) and "3.14" as "34" (the point is dropped);
    "15000円" and "3点1 4" (the digits after the point one by one) it reads as said."""
    if language != "ja":
        return text, index
    text, index = _sub(text, index, _GROUPED, lambda m: m.group(0).replace(",", ""))
    return _sub(text, index, _JA_DECIMAL, lambda m: f"{m.group(1)}点{' '.join(m.group(2))}")


_FRENCH_TIME = re.compile(r"\b(\d{1,2})\s?[h:]\s?(\d{2})\b")
_ENGLISH_HOUR = re.compile(r"\b(\d{1,2}):00\b")
_ENGLISH_OH = re.compile(r"\b(\d{1,2}):0([1-9])\b")


_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")


@dataclass(frozen=True)
class _Dial:
    """How a language of north and west India says quarter and half hours."""

    quarter_past: str  # सवा 3 (3:15)
    half_past: str  # साढ़े 3 (3:30)
    quarter_to: str  # पौने 4 (3:45)
    one_and_half: str  # डेढ़ (1:30)
    two_and_half: str  # ढाई (2:30)
    oclock: str = ""  # बजे, added when the line does not say it after the time


_DIALS = {
    "hi": _Dial("सवा", "साढ़े", "पौने", "डेढ़", "ढाई", "बजे"),
    "mr": _Dial("सव्वा", "साडे", "पावणे", "दीड", "अडीच"),
    "gu": _Dial("સવા", "સાડા", "પોણા", "દોઢ", "અઢી"),
    "pa": _Dial("ਸਵਾ", "ਸਾਢੇ", "ਪੌਣੇ", "ਡੇਢ", "ਢਾਈ"),
}


def _dial_clock(dial: _Dial, m: re.Match[str]) -> str:
    """3:30 "साढ़े 3 बजे", 3:15 "सवा 3", 3:45 "पौने 4", 3:00 "3 बजे", as Hindi (and
    Marathi, Gujarati, Punjabi) say a time (espeak read "3:30" as "तीन तीस"), on the
    12-hour dial (15:30 "साढ़े 3", 23:45 "पौने 12", 0:00 "12 बजे"); other minutes stay as
    espeak reads them."""
    hour, minutes = int(m.group(1)), int(m.group(2))
    if hour > 23 or minutes not in (0, 15, 30, 45):
        return m.group(0)
    hand = hour % 12 or 12
    half = {1: dial.one_and_half, 2: dial.two_and_half}.get(hand, f"{dial.half_past} {hand}")
    said = {
        0: str(hand),
        15: f"{dial.quarter_past} {hand}",
        30: half,
        45: f"{dial.quarter_to} {hand % 12 + 1}",
    }[minutes]
    if not dial.oclock or m.string[m.end() :].lstrip().startswith(dial.oclock):
        return said
    return f"{said} {dial.oclock}"


# German "15:30 Uhr": espeak says "15 Uhr 30" for "15:30" and then the written "Uhr" again
_GERMAN_UHR = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})\s?Uhr\b")


def _times(language: str, text: str, index: Index) -> tuple[str, Index]:
    if language in _DIALS:
        dial = _DIALS[language]
        return _sub(text, index, _CLOCK, lambda m: _dial_clock(dial, m))
    if language == "de":
        return _sub(
            text,
            index,
            _GERMAN_UHR,
            lambda m: f"{int(m.group(1))} Uhr" + (f" {m.group(2)}" if m.group(2) != "00" else ""),
        )
    if language == "fr":

        def heure(m: re.Match[str]) -> str:
            hour = int(m.group(1))
            unit = "heure" if hour == 1 else "heures"
            return f"{hour} {unit} {int(m.group(2))}" if m.group(2) != "00" else f"{hour} {unit}"

        return _sub(text, index, _FRENCH_TIME, heure)
    if language == "en":  # 3:00 "three o'clock", 10:05 "ten oh five" (espeak: "ten zero five")
        text, index = _sub(text, index, _ENGLISH_HOUR, lambda m: f"{int(m.group(1))} o'clock")
        return _sub(text, index, _ENGLISH_OH, lambda m: f"{int(m.group(1))} oh {m.group(2)}")
    return text, index


@functools.cache
def _abbreviation_pattern(language: str) -> re.Pattern[str]:
    """The language's abbreviations as whole words; "z. B." also matches "z.B."."""
    table = sorted(ABBREVIATIONS[language], key=len, reverse=True)
    words = "|".join(re.escape(w).replace(r"\.\ ", r"\.\s?") for w in table)
    return re.compile(rf"(?<![\w.])({words})(?=\s|$|[,;:!?])")


def _abbreviations(language: str, text: str, index: Index) -> tuple[str, Index]:
    table = ABBREVIATIONS.get(language)
    if not table:
        return text, index
    compact = {_compact(w): said for w, said in table.items()}
    return _sub(text, index, _abbreviation_pattern(language), lambda m: compact[_compact(m[1])])


# Abbreviations that may end a sentence ("... and so on, etc."); the others never do
_MAY_END_A_SENTENCE = frozenset({"etc.", "Jr.", "ecc.", "usw.", "u. a.", "т. д.", "т. п.", "и др."})


@functools.cache
def never_ending_words(language: str) -> frozenset[str]:
    """Written words ending in a point that do not end a sentence in `language`: titles
    and abbreviations before a word ("Dr.", "Sra.", "z." of "z. B."), so subtitles do not
    break a line after them as after a sentence."""
    code = base_language(language)
    words: set[str] = set()
    for written in ABBREVIATIONS.get(code, {}):
        parts = written.split()
        if written in _MAY_END_A_SENTENCE or (code == "en" and written == "Sr."):
            parts = parts[:-1]  # English "Sr." is Senior, after the name
        words.update(p for p in parts if p.endswith("."))
    return frozenset(words)


def point_ends_no_sentence(before: str, word: str, after: str, language: str) -> bool:
    """Whether the point ending `word` (between `before` and `after`) is not a sentence's
    end: a title or abbreviation ("Dr.", `never_ending_words`), a German ordinal ("am 12.
    Mai"), a number sign before its number ("No. 1"), or any point before a lowercase word
    (no sentence starts in lowercase: "Ludwig XIV. regierte")."""
    return (
        word in never_ending_words(language)
        or after[:1].islower()
        or is_ordinal_point(before, word, after, language)
        or is_number_sign(word, after, language)
    )


def _compact(abbreviation: str) -> str:
    """ "z. B." and "z.B." alike."""
    return re.sub(r"\.\s+(?=\S)", ".", abbreviation)


# Unit symbol -> its word (singular) in en, es, fr, pt, it, hi, zh, ja (_UNIT_LANGUAGES),
# said after the number. The plural (`_unit_word`) is for numbers other than exactly 1, in
# French from 2 up ("1,5 kilomètre"); Mandarin and Japanese have none and join the word to
# the number.
_METRIC: dict[str, tuple[str, ...]] = {
    "km": (
        "kilometer",
        "kilómetro",
        "kilomètre",
        "quilômetro",
        "chilometro",
        "किलोमीटर",
        "公里",
        "キロメートル",
    ),
    "m": ("meter", "metro", "mètre", "metro", "metro", "मीटर", "米", "メートル"),
    "cm": (
        "centimeter",
        "centímetro",
        "centimètre",
        "centímetro",
        "centimetro",
        "सेंटीमीटर",
        "厘米",
        "センチメートル",
    ),
    "mm": (
        "millimeter",
        "milímetro",
        "millimètre",
        "milímetro",
        "millimetro",
        "मिलीमीटर",
        "毫米",
        "ミリメートル",
    ),
    "km²": (
        "square kilometer",
        "kilómetro cuadrado",
        "kilomètre carré",
        "quilômetro quadrado",
        "chilometro quadrato",
        "वर्ग किलोमीटर",
        "平方公里",
        "平方キロメートル",
    ),
    "m²": (
        "square meter",
        "metro cuadrado",
        "mètre carré",
        "metro quadrado",
        "metro quadrato",
        "वर्ग मीटर",
        "平方米",
        "平方メートル",
    ),
    "ha": ("hectare", "hectárea", "hectare", "hectare", "ettaro", "हेक्टेयर", "公顷", "ヘクタール"),
    "kg": (
        "kilogram",
        "kilogramo",
        "kilogramme",
        "quilograma",
        "chilogrammo",
        "किलोग्राम",
        "公斤",
        "キログラム",
    ),
    "g": ("gram", "gramo", "gramme", "grama", "grammo", "ग्राम", "克", "グラム"),
    "mg": (
        "milligram",
        "miligramo",
        "milligramme",
        "miligrama",
        "milligrammo",
        "मिलीग्राम",
        "毫克",
        "ミリグラム",
    ),
    "l": ("liter", "litro", "litre", "litro", "litro", "लीटर", "升", "リットル"),
    "ml": (
        "milliliter",
        "mililitro",
        "millilitre",
        "mililitro",
        "millilitro",
        "मिलीलीटर",
        "毫升",
        "ミリリットル",
    ),
    "km/h": (
        "kilometer per hour",
        "kilómetro por hora",
        "kilomètre à l'heure",
        "quilômetro por hora",
        "chilometro orario",
        "किलोमीटर प्रति घंटा",
        "公里每小时",
        "キロ",
    ),
    "m/s": (
        "meter per second",
        "metro por segundo",
        "mètre par seconde",
        "metro por segundo",
        "metro al secondo",
        "मीटर प्रति सेकंड",
        "米每秒",
        "メートル",
    ),
    "h": ("hour", "hora", "heure", "hora", "ora", "घंटा", "小时", "時間"),
    "min": ("minute", "minuto", "minute", "minuto", "minuto", "मिनट", "分钟", "分"),
    "°C": (
        "degree Celsius",
        "grado Celsius",
        "degré Celsius",
        "grau Celsius",
        "grado Celsius",
        "डिग्री सेल्सियस",
        "摄氏度",
        "度",
    ),
    "°F": (
        "degree Fahrenheit",
        "grado Fahrenheit",
        "degré Fahrenheit",
        "grau Fahrenheit",
        "grado Fahrenheit",
        "डिग्री फ़ारेनहाइट",
        "华氏度",
        "度",
    ),
    "°": ("degree", "grado", "degré", "grau", "grado", "डिग्री", "度", "度"),
}
_UNIT_LANGUAGES = ("en", "es", "fr", "pt", "it", "hi", "zh", "ja")
# Plurals that are not the singular plus "s" (Italian changes the ending; Hindi and the
# two without plurals say the singular).
_PLURAL_IRREGULAR: dict[str, dict[str, str]] = {
    "en": {"degree Celsius": "degrees Celsius", "degree Fahrenheit": "degrees Fahrenheit",
           "square kilometer": "square kilometers", "square meter": "square meters",
           "kilometer per hour": "kilometers per hour", "meter per second": "meters per second"},
    "es": {"kilómetro cuadrado": "kilómetros cuadrados", "metro cuadrado": "metros cuadrados",
           "kilómetro por hora": "kilómetros por hora", "metro por segundo": "metros por segundo",
           "grado Celsius": "grados Celsius", "grado Fahrenheit": "grados Fahrenheit"},
    "fr": {"kilomètre carré": "kilomètres carrés", "mètre carré": "mètres carrés",
           "kilomètre à l'heure": "kilomètres à l'heure", "mètre par seconde": "mètres par seconde",
           "degré Celsius": "degrés Celsius", "degré Fahrenheit": "degrés Fahrenheit"},
    "pt": {"quilômetro quadrado": "quilômetros quadrados", "metro quadrado": "metros quadrados",
           "quilômetro por hora": "quilômetros por hora", "metro por segundo": "metros por segundo",
           "grau Celsius": "graus Celsius", "grau Fahrenheit": "graus Fahrenheit", "grau": "graus"},
    "it": {"chilometro": "chilometri", "metro": "metri", "centimetro": "centimetri",
           "millimetro": "millimetri", "chilometro quadrato": "chilometri quadrati",
           "metro quadrato": "metri quadrati", "ettaro": "ettari", "chilogrammo": "chilogrammi",
           "grammo": "grammi", "milligrammo": "milligrammi", "litro": "litri",
           "millilitro": "millilitri", "chilometro orario": "chilometri orari",
           "metro al secondo": "metri al secondo", "ora": "ore", "minuto": "minuti",
           "grado Celsius": "gradi Celsius", "grado Fahrenheit": "gradi Fahrenheit",
           "grado": "gradi"},
    "hi": {"घंटा": "घंटे"},
}  # fmt: skip
# English's imperial and US units (a recipe's "2 tbsp", "6 ft", "60 mph", "150 lbs"): espeak
# spelt them ("F T", "M P H") or read "oz" as a word. Symbol -> singular, plural.
_IMPERIAL: dict[str, tuple[str, str]] = {
    "ft": ("foot", "feet"), "sq ft": ("square foot", "square feet"), "yd": ("yard", "yards"),
    "mi": ("mile", "miles"), "mph": ("mile per hour", "miles per hour"),
    "lb": ("pound", "pounds"), "oz": ("ounce", "ounces"), "fl oz": ("fluid ounce", "fluid ounces"),
    "gal": ("gallon", "gallons"), "qt": ("quart", "quarts"),
    "tbsp": ("tablespoon", "tablespoons"), "tsp": ("teaspoon", "teaspoons"),
}  # fmt: skip
# Written forms that are the same unit ("L" for litres, "℃", Hindi's own abbreviations).
_UNIT_ALIASES: dict[str, str] = {
    "L": "l", "mL": "ml", "℃": "°C", "℉": "°F", "kph": "km/h", "km2": "km²", "m2": "m²",
    "lbs": "lb", "Tbsp": "tbsp", "tbs": "tbsp", "sq. ft": "sq ft",
    # (not ली and मिली: after a number they are as often the verbs "took" and "got")
    "किमी": "km", "मी": "m", "सेमी": "cm", "मिमी": "mm", "किग्रा": "kg", "ग्रा": "g",
}  # fmt: skip
# The languages espeak speaks alone: a unit's word, or its forms by number (`noun_form`:
# German singular, plural; Russian's three; Arabic singular, dual, plural). espeak said
# "5 km" as "K M" (in English inside Bengali or Telugu), "20 °C" as "20 Grad C", Russian
# "5 км" as "ка эм".
_UNITS_MORE: dict[str, dict[str, str | tuple[str, ...]]] = {
    "de": {"km": "Kilometer", "m": "Meter", "cm": "Zentimeter", "mm": "Millimeter",
           "km²": "Quadratkilometer", "m²": "Quadratmeter", "ha": "Hektar", "kg": "Kilogramm",
           "g": "Gramm", "mg": "Milligramm", "l": "Liter", "ml": "Milliliter",
           "km/h": "Kilometer pro Stunde", "m/s": "Meter pro Sekunde",
           "h": ("Stunde", "Stunden"), "min": ("Minute", "Minuten"), "°C": "Grad Celsius",
           "°F": "Grad Fahrenheit", "°": "Grad"},
    "ru": {"km": ("километр", "километра", "километров"), "m": ("метр", "метра", "метров"),
           "cm": ("сантиметр", "сантиметра", "сантиметров"),
           "mm": ("миллиметр", "миллиметра", "миллиметров"),
           "km²": ("квадратный километр", "квадратных километра", "квадратных километров"),
           "m²": ("квадратный метр", "квадратных метра", "квадратных метров"),
           "ha": ("гектар", "гектара", "гектаров"),
           "kg": ("килограмм", "килограмма", "килограммов"), "g": ("грамм", "грамма", "граммов"),
           "mg": ("миллиграмм", "миллиграмма", "миллиграммов"),
           "l": ("литр", "литра", "литров"), "ml": ("миллилитр", "миллилитра", "миллилитров"),
           "km/h": ("километр в час", "километра в час", "километров в час"),
           "m/s": ("метр в секунду", "метра в секунду", "метров в секунду"),
           "h": ("час", "часа", "часов"), "min": ("минута", "минуты", "минут"),
           "°C": ("градус Цельсия", "градуса Цельсия", "градусов Цельсия"),
           "°F": ("градус Фаренгейта", "градуса Фаренгейта", "градусов Фаренгейта"),
           "°": ("градус", "градуса", "градусов")},
    "ar": {"km": ("كيلومتر", "كيلومتران", "كيلومترات"), "m": ("متر", "متران", "أمتار"),
           "cm": ("سنتيمتر", "سنتيمتران", "سنتيمترات"),
           "mm": ("مليمتر", "مليمتران", "مليمترات"),
           "kg": ("كيلوغرام", "كيلوغرامان", "كيلوغرامات"), "g": ("غرام", "غرامان", "غرامات"),
           "l": ("لتر", "لتران", "لترات"), "ml": ("مليلتر", "مليلتران", "مليلترات"),
           "km/h": ("كيلومتر في الساعة", "كيلومتران في الساعة", "كيلومترات في الساعة"),
           "h": ("ساعة", "ساعتان", "ساعات"), "min": ("دقيقة", "دقيقتان", "دقائق"),
           "°C": ("درجة مئوية", "درجتان مئويتان", "درجات مئوية"),
           "°": ("درجة", "درجتان", "درجات")},
    "ta": {"km": "கிலோமீட்டர்", "m": "மீட்டர்", "cm": "சென்டிமீட்டர்", "kg": "கிலோகிராம்",
           "g": "கிராம்", "l": "லிட்டர்", "°C": "டிகிரி செல்சியஸ்"},
    "te": {"km": "కిలోమీటర్లు", "m": "మీటర్లు", "cm": "సెంటీమీటర్లు", "kg": "కిలోగ్రాములు",
           "g": "గ్రాములు", "l": "లీటర్లు", "°C": "డిగ్రీల సెల్సియస్"},
    "bn": {"km": "কিলোমিটার", "m": "মিটার", "cm": "সেন্টিমিটার", "kg": "কিলোগ্রাম",
           "g": "গ্রাম", "l": "লিটার", "°C": "ডিগ্রি সেলসিয়াস"},
    "mr": {"km": "किलोमीटर", "m": "मीटर", "cm": "सेंटीमीटर", "kg": "किलोग्रॅम", "g": "ग्रॅम",
           "l": "लिटर", "°C": "अंश सेल्सिअस"},
    "gu": {"km": "કિલોમીટર", "m": "મીટર", "cm": "સેન્ટિમીટર", "kg": "કિલોગ્રામ", "g": "ગ્રામ",
           "l": "લિટર", "°C": "ડિગ્રી સેલ્સિયસ"},
    "kn": {"km": "ಕಿಲೋಮೀಟರ್", "m": "ಮೀಟರ್", "cm": "ಸೆಂಟಿಮೀಟರ್", "kg": "ಕಿಲೋಗ್ರಾಂ", "g": "ಗ್ರಾಂ",
           "l": "ಲೀಟರ್", "°C": "ಡಿಗ್ರಿ ಸೆಲ್ಸಿಯಸ್"},
    "ml": {"km": "കിലോമീറ്റർ", "m": "മീറ്റർ", "cm": "സെന്റിമീറ്റർ", "kg": "കിലോഗ്രാം",
           "g": "ഗ്രാം", "l": "ലിറ്റർ", "°C": "ഡിഗ്രി സെൽഷ്യസ്"},
    "pa": {"km": "ਕਿਲੋਮੀਟਰ", "m": "ਮੀਟਰ", "cm": "ਸੈਂਟੀਮੀਟਰ", "kg": "ਕਿਲੋਗ੍ਰਾਮ", "g": "ਗ੍ਰਾਮ",
           "l": "ਲੀਟਰ", "°C": "ਡਿਗਰੀ ਸੈਲਸੀਅਸ"},
}  # fmt: skip
# Russian's own unit symbols (not "г": after a year it is "год")
_RUSSIAN_UNITS = {"км": "km", "м": "m", "см": "cm", "мм": "mm", "км²": "km²", "м²": "m²",
                  "га": "ha", "кг": "kg", "мг": "mg", "л": "l", "мл": "ml", "км/ч": "km/h",
                  "м/с": "m/s", "ч": "h", "мин": "min"}  # fmt: skip
# Japanese says a speed before its number: 時速60キロ, 秒速3メートル
_JA_SPEED = {"km/h": "時速", "m/s": "秒速"}


def _unit_word(language: str, unit: str, number: str) -> str:
    """The unit's word for `number` (digits, "." for its decimal point, maybe a sign)."""
    more = _UNITS_MORE.get(language)
    if more is not None:
        word = more[unit]
        return word if isinstance(word, str) else noun_form(language, number, word)
    if unit in _IMPERIAL:
        singular, plural = _IMPERIAL[unit]
        return singular if number.lstrip("+-") == "1" else plural
    singular = _METRIC[unit][_UNIT_LANGUAGES.index(language)]
    one = abs(float(number)) < 2 if language == "fr" else number.lstrip("+-") == "1"
    if one or language in ("zh", "ja"):
        return singular
    irregular = _PLURAL_IRREGULAR.get(language, {})
    if singular in irregular or language in ("it", "hi"):
        return irregular.get(singular, singular)
    return singular if singular.endswith(("s", "x")) else singular + "s"


@functools.cache
def _unit_pattern(language: str) -> re.Pattern[str]:
    """A number and a unit symbol after it (`_METRIC`, `_UNIT_ALIASES`), in `language`."""
    aliases = {**_UNIT_ALIASES, **(_RUSSIAN_UNITS if language == "ru" else {})}
    known = _UNITS_MORE.get(language, {**_METRIC, **(_IMPERIAL if language == "en" else {})})
    symbols = [*known, *(a for a, unit in aliases.items() if unit in known)]
    symbols.sort(key=len, reverse=True)
    written = "|".join(re.escape(s) for s in symbols)
    # Han characters and kana touch the number and the unit: only Latin letters are words
    # (and the vowel signs of Devanagari and the other Indic scripts, which are not \w;
    # the danda ends a sentence)
    letter = r"0-9A-Za-z_" if language in ("zh", "ja") else r"\w\u0900-\u0963\u0980-\u0d7f"
    return re.compile(
        rf"(?<![{letter}])(?<!\d[.,]){_number_pattern(language)}[\u00a0\u202f ]?({written})"
        rf"(?![{letter}/²³])"
    )


def _units(language: str, text: str, index: Index) -> tuple[str, Index]:
    if language not in _UNIT_LANGUAGES and language not in _UNITS_MORE:
        return text, index
    decimal = "." if language in _POINT_DECIMAL else ","
    aliases = {**_UNIT_ALIASES, **(_RUSSIAN_UNITS if language == "ru" else {})}

    def say(m: re.Match[str]) -> str:
        whole, decimals, symbol = m.groups()
        whole = _ungrouped(whole, language)
        unit = aliases.get(symbol, symbol)
        word = _unit_word(language, unit, f"{whole}.{decimals}" if decimals else whole)
        number = f"{whole}{decimal}{decimals}" if decimals else whole
        if language == "ja":
            speed = _JA_SPEED.get(unit, "")
            if m.string[: m.start()].rstrip().rstrip("はが").endswith(speed):
                speed = ""  # already said: 時速は60 km/h
            return f"{speed}{number}{word}"
        signed = m.string[: m.start()].endswith(("-", "−", "+"))
        if language == "de" and number == "1" and not signed:
            number = german_one(word)
        return f"{number}{word}" if language == "zh" else f"{number} {word}"

    return _sub(text, index, _unit_pattern(language), say)


_ENGLISH_ROUND_ORDINAL = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)th\b")
_FRENCH_ORDINAL = re.compile(r"(?<![\w.,])(\d+)(re|e|è|ème|eme)\b")
_IBERIAN_ORDINAL = re.compile(r"(?<![\w.,])(\d+)\.([ºª])")
_SPANISH_ER = re.compile(r"(?<![\w.,])([13])\.?er\b")
_ITALIAN_ORDINAL = re.compile(
    r"\b(il|lo|al|allo|dal|dallo|del|dello|nel|nello|sul|sullo|col)\s+(\d{1,3})°(?=\s)",
    re.IGNORECASE,
)


def _ordinals(language: str, text: str, index: Index) -> tuple[str, Index]:
    """Ordinals in forms espeak reads: it says "100th" as "one hundred th", French "2e" as
    "deux e", Spanish "1.º" as "uno punto o", Italian "il 1°" as "il uno"."""
    if language == "en":

        def round_number(m: re.Match[str]) -> str:
            n = int(m.group(1).replace(",", ""))
            for size, name in ((10**6, "millionth"), (1000, "thousandth"), (100, "hundredth")):
                if n and n % size == 0:
                    return f"{n // size} {name}"
            return m.group(0)  # 101st, 42nd, 13th: espeak reads them

        return _sub(text, index, _ENGLISH_ROUND_ORDINAL, round_number)
    if language == "fr":
        return _sub(
            text,
            index,
            _FRENCH_ORDINAL,
            lambda m: m.group(1) + ("ère" if m.group(2) == "re" else "ème"),
        )
    if language in ("es", "pt"):
        text, index = _sub(text, index, _IBERIAN_ORDINAL, lambda m: m.group(1) + m.group(2))
        if language == "es":
            words = {"1": "primer", "3": "tercer"}
            text, index = _sub(text, index, _SPANISH_ER, lambda m: words[m.group(1)])
        return text, index
    if language == "it":
        return _sub(text, index, _ITALIAN_ORDINAL, lambda m: f"{m.group(1)} {m.group(2)}º")
    return text, index


_SPACE_GROUPED = re.compile(r"(?<![\d,.])\d{1,3}(?:[\u00a0\u202f ]\d{3})+(?![\d]|[.,]\d)")


_RUSSIAN_YEAR = re.compile(r"(?<!\w)(?:([вВ])\s+)?(\d{4})\s?гг?\.(?!\w)")


def _russian_numbers(language: str, text: str, index: Index) -> tuple[str, Index]:
    """Russian groups thousands with spaces ("15 000"), which espeak read as "15 0 0 0";
    "2024 г." is the year ("года", after "в" "году"), which espeak read as the letter."""
    if language != "ru":
        return text, index
    text, index = _sub(text, index, _SPACE_GROUPED, lambda m: re.sub(r"\D", "", m.group(0)))

    def year(m: re.Match[str]) -> str:
        before = f"{m.group(1)} " if m.group(1) else ""
        return f"{before}{m.group(2)} {'году' if m.group(1) else 'года'}"

    return _sub(text, index, _RUSSIAN_YEAR, year)


def written_spans(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """For original character positions, the (start, end) of the written word holding each."""
    from aifilm.pipeline.voice.align import split_words

    spans = split_words(text)
    starts = [a for a, _ in spans]
    import bisect

    found = []
    for at in positions:
        i = max(0, bisect.bisect_right(starts, at) - 1)
        found.append(spans[i] if spans else (at, at + 1))
    return found


# in order: Roman numerals before ordinals ("XXIe" is "21e"), ordinals before units ("il
# 1°" is not 1 degree), Mandarin, Japanese and Russian numbers last
STEPS = (
    _scaled_money,
    _money,
    numeric_dates,
    _times,
    _abbreviations,
    spoken_numbers,
    _ordinals,
    _units,
    _mandarin,
    _japanese,
    _russian_numbers,
    spoken_days,
)


def speakable(text: str, language: str) -> tuple[str, Index]:
    """The text with money, dates, times, years, abbreviations, ordinals and units written
    as they are said, and for each of its characters the index of the original character
    it comes from."""
    code = base_language(language)
    index = list(range(len(text)))
    for step in STEPS:
        text, index = step(code, text, index)
    return text, index
