"""Arabic words for the illustrated default: read as the tables hold them.

Arabic writes some words joined to the noun they belong to ("والماء" and the water,
"بالجرة" in the jar, "شجرتها" her tree) and may mark its short vowels ("مَاءٌ"), so a
word of a film is looked up without its vowel marks and without what is joined to it.
"""

from __future__ import annotations

import re

MARKS = re.compile(r"[\u064b-\u065f\u0670]")
# Pronouns joined after a noun; ة is written ت before them (شجرتها "her tree")
PRONOUNS = ("ها", "هم", "هن", "ه", "نا", "ي")


def without_marks(word: str) -> str:
    """`word` without its vowel marks (fatha, damma, kasra, tanween, shadda, sukun...)."""
    return MARKS.sub("", word)


def stems(word: str) -> set[str]:
    """An Arabic word without what is written joined to it: "and"/"so" (و, ف), "with"/"to"/
    "like" (ب, ل, ك), the article (ال), a pronoun after it (ـها, ـه) and the accusative
    alif: "والماء" -> "ماء", "بالجرة" -> "جرة", "شجرتها" -> "شجرة"."""
    stems = {word}
    if word[:1] in ("و", "ف") and len(word) > 3:
        stems.add(word[1:])
    for stem in list(stems):
        if stem.startswith("لل") and len(stem) > 4:
            stems.add(stem[2:])  # li + al: للبيت
        if stem[:1] in ("ب", "ل", "ك") and len(stem) > 3:
            stems.add(stem[1:])
    for stem in list(stems):
        if stem.startswith("ال") and len(stem) > 3:
            stems.add(stem[2:])
    for stem in list(stems):
        for pronoun in PRONOUNS:
            base = stem[: -len(pronoun)]
            if stem.endswith(pronoun) and len(base) >= (3 if pronoun == "ي" else 2):
                stems.add(base)
                if base.endswith("ت"):
                    stems.add(base[:-1] + "ة")
        if stem.endswith("ا") and len(stem) > 3:
            stems.add(stem[:-1])  # نهرًا: a river, as an object
    return stems
