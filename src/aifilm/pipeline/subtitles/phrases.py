"""Where a Japanese or Chinese line may break: between phrases, not inside a word.

These scripts write no spaces, so any character boundary is a possible break, but a reader
stumbles on a line that ends in the middle of a word (探し / て, 乌 / 鸦). Japanese subtitle
and web typesetting breaks between phrases (bunsetsu); BudouX (Google, Apache-2.0, the
phrase model Chrome uses for `word-break: auto-phrase`) finds them. Chinese breaks between
words, as jieba cuts them (the Mandarin voice cuts its words with it too).
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Protocol

from aifilm.spec.vocabulary import base_language

_KANA = re.compile(r"[\u3041-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


class _Parser(Protocol):
    def parse(self, sentence: str) -> list[str]: ...


@functools.cache
def _japanese() -> _Parser | None:
    try:
        import budoux
    except ImportError:  # an install without it: break between characters, as before
        return None
    parser: _Parser = budoux.load_default_japanese_parser()
    return parser


def chinese_words(text: str) -> list[str] | None:
    """`text` cut into Chinese words by jieba (as the Mandarin voice cuts them), or None
    where it has no Han character or jieba is not installed (it comes with misaki[zh])."""
    if not _HAN.search(text):
        return None  # fullwidth signs alone: no need to load jieba's dictionary
    try:
        import jieba
    except ImportError:
        return None
    jieba.setLogLevel(logging.WARNING)
    return list(jieba.cut(text))


def phrases(text: str, language: str | None = None) -> list[str] | None:
    """`text` (no spaces in it) cut into the phrases a line may break between, or None
    where no cutter applies (then any character boundary may break). Japanese where the
    text has kana or the film is Japanese; Chinese otherwise."""
    if _KANA.search(text) or (language and base_language(language) == "ja"):
        parser = _japanese()
        pieces = parser.parse(text) if parser else None
    else:
        pieces = chinese_words(text)
    if not pieces or "".join(pieces) != text:
        return None
    return pieces
