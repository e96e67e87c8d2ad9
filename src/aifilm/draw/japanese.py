"""Japanese words for the illustrated default: cut out by the longest known word.

Japanese is written without spaces, and a word cutter comes only with the `ja` extra
(pyopenjtalk). The pictures need no full cut: only the words that name a picture, found by
longest match against the words the tables know, at the boundaries a reader sees:
- a katakana word is a whole katakana run (カメ, a turtle, is not in カメラ);
- a hiragana word starts after a particle or another script (子猫といぬ),
  not inside other hiragana (からす, a crow, is not in 帰ってからすぐ);
- a one-kanji word stands apart from other kanji (山 is not in 沢山,
  葉 not in 言葉), unless a prefix or suffix that keeps its meaning is
  beside it (子猫, 小石, 山々, 川辺);
- a kanji word after a digit is a counter or a month (3月, 2羽), not a picture.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

# Kanji before a one-kanji word that keep its meaning (小鳥, 子猫, 大木, 黒猫, 青空)
PREFIXES = frozenset("小子大黒白赤青老古若野親母父仔雌雄巨")
# Kanji after one that keep it (山々, 川辺, 水面, 森中, 川岸, 川底, 山奥)
SUFFIXES = frozenset("々辺面中上下達岸底端沿奥")
# Words that would otherwise be cut as a picture (the moon in a month, a house in a family)
NOT_PICTURES = frozenset(
    {
        "大家", "空っぽ", "空い", "空き", "空く", "馬鹿", "日本", "か月", "ヶ月", "カ月", "ヵ月",
        "箇月", "ケ月", "今月", "来月", "先月", "毎月", "正月", "年月", "月日", "月曜",
        "火曜", "水曜", "木曜", "金曜", "花粉", "石油", "石鹸", "ねころ", "くまなく", "くりかえ",
    }
)  # fmt: skip
HONORIFICS = ("お", "ご")  # お金, ご飯: a word that starts with one may follow any kana
PARTICLES = frozenset("とのにをがはもへやで")  # before a hiragana word: 子猫といぬ, そのつぼ

# Words after a thing that say it is not there: 水がない, 雨も降らなかった, 川は干上がり
_ABSENT_AFTER = re.compile(
    r"^(?:が|は|も|の|には)?(?:すっかり|もう|全部|全て|すべて|みんな|完全に|まったく)?"
    r"(?:干上が|枯れ|涸れ|ない|無い|なかった|無かった|なく|無く|なし|無し|ありません|"
    r"見当たらな|消え)"
    r"|^も.{0,8}?(?:なかった|ない|ません|なく)"
)
# ... and before a liquid: 干上がった川, 空っぽの池
_DRY_BEFORE = re.compile(r"(?:干上がった|枯れた|涸れた|空っぽの|乾いた|からからの)$")


def _script(char: str) -> str:
    code = ord(char)
    if 0x3041 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
        return "katakana"  # with ー and the small kana
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or char in "々〆":
        return "kanji"
    if char.isdigit():
        return "digit"
    if char.isalnum():
        return "latin"
    return "other"


def _fits(text: str, start: int, word: str) -> bool:
    """Whether `word` at `text[start:]` is a word a reader sees there (module docstring)."""
    end = start + len(word)
    before = _script(text[start - 1]) if start else "other"
    after = _script(text[end]) if end < len(text) else "other"
    first, last = _script(word[0]), _script(word[-1])
    if before == "digit" and first == "kanji":
        return False  # 3月, 2羽: a month, a counter
    if first == "katakana" and before == "katakana":
        return False
    if last == "katakana" and after == "katakana":
        return False  # カメ in カメラ
    if (
        first == "hiragana"
        and before == "hiragana"
        and text[start - 1] not in PARTICLES
        and not word.startswith(HONORIFICS)
    ):
        return False  # からす in てからすぐ
    if len(word) == 1 and first == "kanji":
        if before == "kanji" and text[start - 1] not in PREFIXES:
            return False  # 山 in 沢山
        if after == "kanji" and text[end] not in SUFFIXES:
            return False  # 木 in 木曜
    return True


def tokens(text: str, known: Collection[str], longest: int) -> list[str]:
    """The words of Japanese `text`: each known word (longest first, where it fits) and,
    between them, runs of one script (punctuation dropped)."""
    words: list[str] = []
    run = ""
    index = 0
    while index < len(text):
        candidates = [
            text[index : index + size]
            for size in range(min(longest, len(text) - index), 0, -1)
            if text[index : index + size] in known
        ]
        match = next((word for word in candidates if _fits(text, index, word)), None)
        if match:
            if run:
                words.append(run)
                run = ""
            words.append(match)
            index += len(match)
            continue
        char = text[index]
        if candidates:  # a known word that does not fit here stays inside its run: 3月, 沢山
            run += char
        elif _script(char) == "other":
            if run:
                words.append(run)
            run = ""
        elif run and _script(run[-1]) != _script(char):
            words.append(run)
            run = char
        else:
            run += char
        index += 1
    if run:
        words.append(run)
    return words


def said_absent(before: Iterable[str], after: Iterable[str], liquid: bool) -> bool:
    """Whether the words after a thing (and, for water, before it) say it is not there:
    水がない, 雨も降らなかった, 川はすっかり干上がり, 干上がった川."""
    if _ABSENT_AFTER.search("".join(after)):
        return True
    return liquid and bool(_DRY_BEFORE.search("".join(before)))
