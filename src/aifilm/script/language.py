"""Which language a script is written in, from its letters and its commonest words.

The writing system decides most languages at once (Cyrillic -> ru, Tamil -> ta,
kana -> ja); Latin-script text is told apart by its function words (the, und,
le, el, il, o). Devanagari is Hindi unless Marathi's own words outnumber it.
Returns None when the text is too short or too mixed to say.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Unicode script (first word of a character's name) -> language, where one script is one
# language among those aifilm speaks.
_BY_SCRIPT = {
    "CYRILLIC": "ru",
    "TAMIL": "ta",
    "TELUGU": "te",
    "BENGALI": "bn",
    "GUJARATI": "gu",
    "GURMUKHI": "pa",
    "KANNADA": "kn",
    "MALAYALAM": "ml",
    "ARABIC": "ar",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
    "CJK": "zh",
}
_FUNCTION_WORDS = {
    "en": "the and of to a in is it you that he she was for on are with as i his they be at",
    "es": "el la de que y en los se del las un por con no una su para es al lo como más",
    "fr": "le la les de des et est un une que qui dans pour pas sur ce il elle au du ne",
    "de": "der die das und ist nicht ein eine zu den von mit sich des auf für im dem ich",
    "pt": "o a os as de que e do da em um uma para com não é no na se por mais",
    "it": "il lo la gli le di che e è un una per non con del della sono ma si",
}
_WORDS = {code: frozenset(words.split()) for code, words in _FUNCTION_WORDS.items()}
_MARATHI = frozenset(["आहे", "आहेत", "आणि", "नाही", "होते", "होता", "मी", "तू", "त्या", "ते", "हे", "काय"])
_HINDI = frozenset(
    ["है", "हैं", "और", "नहीं", "था", "थी", "में", "मैं", "तुम", "यह", "वह", "क्या", "का", "की", "के"]
)
MIN_LETTERS = 20


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for char in text:
        if char.isalpha():
            counts[unicodedata.name(char, "UNKNOWN").split(" ")[0]] += 1
    return counts


def detect_language(text: str) -> str | None:
    """The language code of the text, or None when it cannot be told reliably."""
    counts = _script_counts(text)
    letters = sum(counts.values())
    if letters < MIN_LETTERS:
        return None
    script, count = counts.most_common(1)[0]
    if count / letters < 0.6:
        kana = counts["HIRAGANA"] + counts["KATAKANA"]
        if kana and (kana + counts["CJK"]) / letters >= 0.6:
            return "ja"  # Japanese mixes kana and kanji
        return None
    if script == "CJK" and counts["HIRAGANA"] + counts["KATAKANA"] > 0.05 * letters:
        return "ja"
    if script in _BY_SCRIPT:
        return _BY_SCRIPT[script]
    # Letters plus Indic vowel signs, which \w leaves out.
    words = re.findall(r"(?:[^\W\d_]|[\u0900-\u0dff])+", text.casefold())
    if script == "DEVANAGARI":
        marathi = sum(w in _MARATHI for w in words)
        hindi = sum(w in _HINDI for w in words)
        return "mr" if marathi > hindi else "hi"
    if script != "LATIN":
        return None
    hits = {code: sum(w in vocab for w in words) for code, vocab in _WORDS.items()}
    best = max(hits, key=lambda code: hits[code])
    ranked = sorted(hits.values(), reverse=True)
    # Require a clear winner: enough function words, well ahead of the next language.
    if ranked[0] >= 3 and ranked[0] >= 1.5 * ranked[1] and ranked[0] >= 0.08 * len(words):
        return best
    return None
