"""Cut the spoken lines of a timeline into subtitle cues, timed to the speech.

Each line's text is cut into cues of at most `max_lines` lines of at most
`max_chars` characters (East Asian wide characters count double, combining
marks count nothing), breaking between words, or between phrases where a script
writes no spaces (Japanese, Chinese: `phrases.py`). A cue runs from the first to the
last of its words as the voice backend timed them; where there are no word
timings, or they do not match the text (a translation, a backend that does not
report words), the line's duration is shared out by character count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from aifilm.pipeline.subtitles.phrases import phrases
from aifilm.pipeline.timeline import TimedLine, Timeline, WordTiming
from aifilm.pipeline.voice.normalize import point_ends_no_sentence

MIN_CUE_S = 0.8  # a cue shorter than this is hard to read; lengthened where there is room
_JOIN_GAP_S = 0.5  # two cues of one line closer than this are joined end to start (no flicker)

# Punctuation that may not start a line (attached to the character before it)...
_NO_LINE_START = set(
    "、。，．・：；？！）」』】〕〉》”’ー…‥ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ,.!?;:)]}»%"
)
# ...and that may not end one (attached to the character after it).
_NO_LINE_END = set("（「『【〔〈《“‘([{«")
_SENTENCE_END = re.compile(r"[.!?…。！？।॥؟]['\"”’»)\]」』]*$")


@dataclass(frozen=True)
class Cue:
    """One subtitle: from `start` to `end` seconds of film time; `text` has up to 2 lines."""

    start: float
    end: float
    text: str


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _unbroken(ch: str) -> bool:
    """Whether a script writes this character without spaces between words."""
    if not _is_wide(ch):
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "IDEOGRAPHIC", "FULLWIDTH", "HALFWIDTH"))


def text_width(text: str) -> int:
    """Display width in character cells: wide characters count 2, combining marks 0."""
    width = 0
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Mn", "Me", "Cf"):
            continue
        width += 2 if _is_wide(ch) else 1
    return width


@dataclass
class _Unit:
    """An unbreakable piece of text and where it sits in the line's text."""

    start: int
    end: int
    space_before: bool


def _pieces(word: str, language: str | None) -> list[tuple[int, int]]:
    """Where a line may break inside `word` (text between spaces): between its phrases
    where a script writes no spaces (`phrases.phrases`), else between those characters."""
    if not any(_unbroken(ch) for ch in word):
        return [(0, len(word))]
    cut = phrases(word, language)
    pieces: list[tuple[int, int]] = []
    if cut:
        start = 0
        for phrase in cut:
            pieces.append((start, start + len(phrase)))
            start += len(phrase)
        return pieces
    run_start = 0
    for i, ch in enumerate(word):
        if _unbroken(ch):
            if i > run_start:
                pieces.append((run_start, i))
            pieces.append((i, i + 1))
            run_start = i + 1
    if run_start < len(word):
        pieces.append((run_start, len(word)))
    return pieces


def _units(text: str, max_chars: int, language: str | None = None) -> list[_Unit]:
    """Split `text` into pieces a line may break between (never inside one)."""
    units: list[_Unit] = []
    for match in re.finditer(r"\S+", text):
        word, base = match.group(), match.start()
        first = True
        pieces = _pieces(word, language)
        # Keep closing punctuation with the piece before it, opening with the one after.
        merged: list[list[int]] = []
        for a, b in pieces:
            piece = word[a:b]
            if merged and (piece[0] in _NO_LINE_START or word[merged[-1][1] - 1] in _NO_LINE_END):
                merged[-1][1] = b
            else:
                merged.append([a, b])
        for a, b in merged:
            # A piece wider than a whole line (a URL, a long compound) is cut by characters.
            while text_width(word[a:b]) > max_chars:
                cut = a + 1
                while cut < b and text_width(word[a : cut + 1]) <= max_chars:
                    cut += 1
                units.append(_Unit(base + a, base + cut, first))
                first = False
                a = cut
            units.append(_Unit(base + a, base + b, first))
            first = False
    return units


def break_points(text: str, language: str | None = None) -> list[tuple[str, bool]]:
    """The pieces a line may break between, each with whether a space comes before it."""
    return [(text[u.start : u.end], u.space_before) for u in _units(text, 10**9, language)]


def _line_text(text: str, units: list[_Unit]) -> str:
    out = ""
    for i, unit in enumerate(units):
        if i and unit.space_before:
            out += " "
        out += text[unit.start : unit.end]
    return out


def _wrap(text: str, units: list[_Unit], max_chars: int) -> list[list[_Unit]]:
    """Greedy line filling."""
    lines: list[list[_Unit]] = []
    current: list[_Unit] = []
    for unit in units:
        if current and text_width(_line_text(text, [*current, unit])) > max_chars:
            lines.append(current)
            current = []
        current.append(unit)
    if current:
        lines.append(current)
    return lines


def _even_wrap(text: str, units: list[_Unit], max_chars: int) -> list[list[_Unit]]:
    """Wrap into as few lines as greedy filling needs, but with lines of even width."""
    lines = _wrap(text, units, max_chars)
    low, high = 1, max_chars
    while low < high:  # the narrowest width that still needs no more lines
        mid = (low + high) // 2
        if len(_wrap(text, units, mid)) <= len(lines) and all(
            text_width(_line_text(text, line)) <= mid for line in _wrap(text, units, mid)
        ):
            high = mid
        else:
            low = mid + 1
    return _wrap(text, units, high)


def _sentences(text: str, units: list[_Unit], language: str | None) -> list[list[_Unit]]:
    """Group units into sentences, so no subtitle line runs across a sentence end (a point
    after "Dr.", in "am 12. Mai" or "No. 1" is not one: `normalize.point_ends_no_sentence`)."""
    words = [text[unit.start : unit.end] for unit in units]
    sentences: list[list[_Unit]] = []
    current: list[_Unit] = []
    for i, unit in enumerate(units):
        current.append(unit)
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        if _SENTENCE_END.search(words[i]) and not point_ends_no_sentence(
            before, words[i], after, language or ""
        ):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


def _balance(text: str, units: list[_Unit], max_chars: int) -> list[list[_Unit]]:
    """Split one cue's units into two lines as even as possible (both within max_chars)."""
    best: tuple[int, int] | None = None
    for cut in range(1, len(units)):
        a = text_width(_line_text(text, units[:cut]))
        b = text_width(_line_text(text, units[cut:]))
        if a <= max_chars and b <= max_chars:
            # Prefer even lines, then a break after punctuation.
            score = max(a, b) * 4 - (2 if text[units[cut - 1].end - 1] in ",;:،、，" else 0)
            if best is None or score < best[0]:
                best = (score, cut)
    if best is None:
        return _wrap(text, units, max_chars)
    return [units[: best[1]], units[best[1] :]]


def split_text(
    text: str, *, max_chars: int = 42, max_lines: int = 2, language: str | None = None
) -> list[list[str]]:
    """Cut `text` into cues, each a list of at most `max_lines` lines of at most `max_chars`."""
    return [lines for lines, _ in _split(text, max_chars, max_lines, language)]


def _split(
    text: str, max_chars: int, max_lines: int, language: str | None = None
) -> list[tuple[list[str], tuple[int, int]]]:
    """Cues as (lines, (first char, end char)) offsets into `text`, in `language`."""
    max_chars, max_lines = max(1, max_chars), max(1, max_lines)
    units = _units(text, max_chars, language)
    # Lines never straddle sentences; a short sentence shares a cue with the next if it fits.
    groups: list[list[tuple[int, list[_Unit]]]] = []
    current: list[tuple[int, list[_Unit]]] = []
    for number, sentence in enumerate(_sentences(text, units, language)):
        lines = _even_wrap(text, sentence, max_chars)
        if current and len(current) + len(lines) > max_lines:
            groups.append(current)
            current = []
        for line in lines:
            if len(current) == max_lines:
                groups.append(current)
                current = []
            current.append((number, line))
    if current:
        groups.append(current)
    cues = []
    for group in groups:
        flat = [u for _, line in group for u in line]
        lines = [line for _, line in group]
        if len(group) == 2 and group[0][0] == group[1][0]:
            lines = _balance(text, flat, max_chars)
        rendered = [_line_text(text, line) for line in lines]
        cues.append((rendered, (flat[0].start, flat[-1].end)))
    return cues


def _char_times(
    text: str, words: tuple[WordTiming, ...], duration: float
) -> list[tuple[float, float]] | None:
    """Start and end time of every character of `text` from the word timings, if they fit.

    Returns None when the words cannot be found in order in the text, or leave
    much of it untimed.
    """
    if not words:
        return None
    folded = text.casefold()
    spans: list[tuple[int, int, WordTiming]] = []
    pos = 0
    for word in words:
        needle = word.text.strip().casefold()
        if not needle:
            continue
        found = folded.find(needle, pos)
        if found < 0 or word.end < word.start:
            return None
        spans.append((found, found + len(needle), word))
        pos = found + len(needle)
    letters = sum(1 for ch in text if ch.isalnum())
    covered = sum(1 for a, b, _ in spans for ch in text[a:b] if ch.isalnum())
    if not spans or covered < 0.8 * letters:
        return None
    times: list[tuple[float, float]] = []
    span_index = 0
    previous_end = max(0.0, spans[0][2].start)
    for i in range(len(text)):
        while span_index < len(spans) and spans[span_index][1] <= i:
            previous_end = spans[span_index][2].end
            span_index += 1
        if span_index < len(spans) and spans[span_index][0] <= i:
            a, b, word = spans[span_index]
            step = (word.end - word.start) / (b - a)
            start = word.start + step * (i - a)
            times.append((start, start + step))
        else:
            times.append((previous_end, previous_end))
    return [(min(max(s, 0.0), duration), min(max(e, 0.0), duration)) for s, e in times]


def _spread_times(text: str, duration: float) -> list[tuple[float, float]]:
    """Share `duration` out over the visible characters of `text`."""
    weights = [0 if ch.isspace() else max(1, text_width(ch)) for ch in text]
    total = sum(weights) or 1
    times: list[tuple[float, float]] = []
    at = 0.0
    for weight in weights:
        step = duration * weight / total
        times.append((at, at + step))
        at += step
    return times


def _line_source(line: TimedLine, language: str | None) -> tuple[str, bool]:
    """The text to show for a line and whether it is the text that was spoken."""
    if language and language != line.language and line.translations.get(language):
        return line.translations[language], False
    return line.text, True


def build_cues(
    timeline: Timeline, *, max_chars: int = 42, max_lines: int = 2, language: str | None = None
) -> list[Cue]:
    """Cues for every spoken line of `timeline`, in film order, never overlapping.

    With `language`, a line's translation into it is shown where it has one
    (timed by character count, since the voice spoke the original).
    """
    raw: list[tuple[float, float, str, TimedLine]] = []
    for line in sorted(timeline.lines, key=lambda item: item.start):
        text, spoken = _line_source(line, language)
        text = re.sub(r"\s+", " ", text).strip()
        if not text:
            continue
        duration = max(0.0, line.clip.duration)
        times = _char_times(text, line.clip.words, duration) if spoken else None
        if times is None:
            times = _spread_times(text, duration)
        shown = line.language if spoken else language
        for lines, (a, b) in _split(text, max_chars, max_lines, shown):
            raw.append(
                (line.start + times[a][0], line.start + times[b - 1][1], "\n".join(lines), line)
            )

    cues: list[Cue] = []
    for i, (start, end, text, line) in enumerate(raw):
        next_start = raw[i + 1][0] if i + 1 < len(raw) else float("inf")
        floor = cues[-1].end if cues else 0.0
        start = max(start, floor, line.start)
        ceiling = min(line.end, next_start)
        end = min(max(end, start), ceiling) if ceiling >= start else start
        if i + 1 < len(raw) and raw[i + 1][3] is line and next_start - end < _JOIN_GAP_S:
            end = max(end, min(next_start, line.end))
        if end - start < MIN_CUE_S:
            end = max(end, min(start + MIN_CUE_S, ceiling))
        if end - start < MIN_CUE_S:  # no room after: start earlier, within the line
            start = max(floor, line.start, min(start, end - MIN_CUE_S))
        cues.append(Cue(round(start, 3), round(max(end, start), 3), text))
    return cues
