"""Copy the CLDR emoji words aifilm looks story words up in into src/aifilm/draw/cldr/.

Usage (needs npm, once, by a maintainer; the result is committed):

    cd /tmp && npm pack cldr-annotations-full && tar xzf cldr-annotations-full-*.tgz
    python tools/cldr_subset.py /tmp/package

For English, the Indian languages, French, Spanish, Portuguese, Italian, German, Russian,
Arabic, Mandarin and Japanese, the one-word name (CLDR's "tts" name) of every emoji that
aifilm ships a picture of (`aifilm/draw/assets/`) is kept, mapped to that picture.
Keywords are not: CLDR gives "pot" for a honey pot and a pot of food, "back" for a door;
those are the curated table's to decide.
The emoji -> picture link is the English name: Fluent's file names are CLDR's names.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from aifilm.draw import assets
from aifilm.draw.words import WORD

TARGET = Path(__file__).resolve().parents[1] / "src/aifilm/draw/cldr"
LANGUAGES = ("en", "hi", "bn", "gu", "kn", "ml", "mr", "pa", "ta", "te")
# looked up only in a film in that language ("chat" is a cat in French, talk in English)
OWN_LANGUAGES = ("fr", "es", "pt", "it", "de", "ru", "ar", "zh", "ja")
# English words too general to name a picture on their own.
_VAGUE = frozenset(
    [
        "face",
        "person",
        "people",
        "man",
        "woman",
        "hand",
        "body",
        "animal",
        "nature",
        "object",
        "symbol",
        "sign",
        "place",
        "weather",
        "food",
        "drink",
        "plant",
        "travel",
        "time",
        "other",
        "small",
        "big",
        "good",
        "bad",
        "day",
    ]
)


def slug(name: str) -> str:
    """A CLDR English name as Fluent's file name: "hot beverage" -> "hot-beverage"."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold().replace("’", "")).strip("-")


def _annotations(package: Path, language: str) -> dict[str, dict[str, list[str]]]:
    path = package / "annotations" / language / "annotations.json"
    data: dict[str, dict[str, list[str]]] = json.loads(path.read_text(encoding="utf-8"))[
        "annotations"
    ]["annotations"]
    return data


def main(package: Path) -> None:
    shipped = assets.names()
    english = _annotations(package, "en")
    picture = {
        emoji: slug(entry["tts"][0])
        for emoji, entry in english.items()
        if entry.get("tts") and slug(entry["tts"][0]) in shipped
    }
    tables: dict[str, dict[str, str]] = {}
    for language in (*LANGUAGES, *OWN_LANGUAGES):
        table: dict[str, str] = {}
        taken: set[str] = set()
        for emoji, entry in _annotations(package, language).items():
            asset = picture.get(emoji)
            if asset is None:
                continue
            for text in entry.get("tts", []):
                if language == "ja":  # "ライオンの顔" (a lion's face) draws a lion
                    text = text.removesuffix("の顔")
                if language == "ar":  # without vowel marks, as `words._plain` reads a film
                    text = re.sub(r"[\u064b-\u065f\u0670]", "", text)
                words = WORD.findall(text.casefold())
                shortest = 1 if language in ("zh", "ja") else 3  # 猫, 狗, 犬: one character
                if len(words) != 1 or len(words[0]) < shortest or words[0] in _VAGUE:
                    continue
                if words[0] in taken:  # two pictures by one name: neither
                    table.pop(words[0], None)
                else:
                    table[words[0]] = asset
                    taken.add(words[0])
        tables[language] = table
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    TARGET.mkdir(parents=True, exist_ok=True)
    data = {
        "source": f"Unicode CLDR annotations, npm cldr-annotations-full {version}",
        "license": "Unicode-3.0",
        "license_file": "LICENSE-unicode.txt",
        "words": tables,
    }
    (TARGET / "words.json").write_text(
        json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    (TARGET / "LICENSE-unicode.txt").write_text(
        (package / "LICENSE").read_text(encoding="utf-8"), encoding="utf-8"
    )
    print({k: len(v) for k, v in tables.items()})


if __name__ == "__main__":
    main(Path(sys.argv[1]))
