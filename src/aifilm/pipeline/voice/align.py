"""Word timings for speech whose engine reports none, or only per character.

`words_from_sounds` turns an engine's per-word sound spans (Kokoro's durations,
Piper's alignments) into word timings, for both. `estimate_word_timings` finds
the voiced regions of a clip by short-time energy and spreads the words of the
text over them in proportion to their lengths; where a pause between regions
falls near a word boundary, the boundary moves into the pause, so words start and
end with their sound. `words_from_characters`
turns per-character times (ElevenLabs' alignment) into word timings.

Words are runs of non-space characters, except that each Han, kana or Hangul
character is a word of its own (with any punctuation that follows it), since
those scripts write no spaces between words.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from aifilm.pipeline.timeline import WordTiming

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_FRAME_S = 0.010  # energy hop
_WINDOW_S = 0.025  # energy window
_BRIDGE_S = 0.080  # quieter stretches shorter than this are inside a word (stop closures)
_MIN_SOUND_S = 0.030  # louder stretches shorter than this are clicks, not speech


def split_words(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the words in `text`."""
    spans: list[tuple[int, int]] = []
    for match in re.finditer(r"\S+", text):
        start, end = match.start(), match.end()
        cuts = [i for i in range(start + 1, end) if _CJK.match(text[i])]
        cuts += [i + 1 for i in range(start, end - 1) if _CJK.match(text[i])]
        edges = sorted({start, end, *cuts})
        pieces = list(itertools.pairwise(edges))
        merged: list[tuple[int, int]] = []
        for a, b in pieces:  # punctuation after a CJK character stays with it
            if merged and not any(_is_wordlike(ch) for ch in text[a:b]):
                merged[-1] = (merged[-1][0], b)
            else:
                merged.append((a, b))
        spans.extend(merged)
    return spans


def _is_wordlike(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNM"


def _weight(word: str) -> int:
    """How long a word is likely to take: its letters, digits and marks (at least 1)."""
    return max(1, sum(1 for ch in word if _is_wordlike(ch)))


def voiced_regions(samples: npt.ArrayLike, rate: int) -> list[tuple[float, float]]:
    """(start, end) seconds of the stretches that carry sound, by short-time energy.

    A frame is voiced when its RMS level is within 35 dB of the loudest frame and
    6 dB above the quietest tenth (the noise floor); short dips are bridged and
    short blips dropped.
    """
    audio = np.asarray(samples, dtype=np.float64).reshape(-1)
    hop = max(1, round(_FRAME_S * rate))
    window = max(hop, round(_WINDOW_S * rate))
    if audio.size < window:
        return []
    count = 1 + (audio.size - window) // hop
    frames = np.lib.stride_tricks.as_strided(
        audio, shape=(count, window), strides=(audio.strides[0] * hop, audio.strides[0])
    )
    level = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    peak = float(level.max())
    if peak < -70:
        return []
    threshold = max(peak - 35.0, float(np.percentile(level, 10)) + 6.0)
    voiced = level > threshold
    runs = _runs(voiced)
    bridge = round(_BRIDGE_S / _FRAME_S)
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and a - merged[-1][1] < bridge:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    shortest = round(_MIN_SOUND_S / _FRAME_S)
    centre = window / 2 / rate  # a frame stands for the middle of its window
    duration = audio.size / rate
    regions = []
    for a, b in merged:
        if b - a >= shortest:
            start = max(0.0, a * hop / rate + centre)
            end = min(duration, (b - 1) * hop / rate + centre)
            regions.append((start, end))
    return regions


def _pause_words(
    chars: npt.NDArray[np.float64], pauses: npt.NDArray[np.float64]
) -> list[tuple[int, int]]:
    """(pause, word) pairs: which pauses fall right before which words.

    `chars` is the fraction of the text's letters before each word boundary
    (0 ... 1), `pauses` the fraction of the voiced time before each pause. Each
    pause either goes to a boundary, costing the squared distance between the
    two fractions in units of an average word, or stays inside a word at a
    cost of 1 (a pause a whole word away from any boundary). Boundaries go to
    pauses in order, at most one each: the cheapest such matching, by dynamic
    programming over (pause, last boundary used).
    """
    words = len(chars) - 1
    if words < 2 or len(pauses) == 0:
        return []
    inner = np.arange(1, words)  # boundaries a pause can take: between two words
    cost = np.full(words, np.inf)  # cost[b]: best so far with boundary b the last one used
    cost[0] = 0.0
    came: list[npt.NDArray[np.int64]] = []  # per pause: the previous boundary, or -1 if skipped
    for at in pauses:
        prefix = np.minimum.accumulate(cost)
        best = np.where(cost == prefix, np.arange(words), -1)
        where = np.maximum.accumulate(best)  # an argmin of cost[: b + 1]
        miss = (words * (chars[inner] - at)) ** 2
        take = np.full(words, np.inf)
        take[1:] = prefix[:-1] + miss  # the previous boundary must be smaller
        skip = cost + 1.0
        step = np.where(take < skip, np.concatenate(([0], where[:-1])), -1)
        cost = np.minimum(take, skip)
        came.append(step)
    pairs = []
    b = int(np.argmin(cost))
    for pause in range(len(pauses) - 1, -1, -1):
        previous = int(came[pause][b])
        if previous >= 0:
            pairs.append((pause, b))
            b = previous
    return pairs[::-1]


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, end) index ranges where `mask` is true."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def estimate_word_timings(samples: npt.ArrayLike, rate: int, text: str) -> tuple[WordTiming, ...]:
    """Word timings for `text` spoken in `samples` (mono) at `rate`, from the audio alone.

    Speech pauses fall between words far more often than inside them, so the
    pauses between voiced regions are matched to word boundaries (`_pause_words`);
    between matched pauses the words share the voiced time in proportion to
    their lengths. Silent audio spreads the words evenly over the clip.
    """
    spans = split_words(text)
    if not spans:
        return ()
    duration = np.asarray(samples).size / rate
    words = [text[a:b] for a, b in spans]
    regions = voiced_regions(samples, rate) or [(0.0, duration)]
    lengths = [end - start for start, end in regions]
    voiced = [0.0, *np.cumsum(lengths).tolist()]  # voiced time at each region's start
    total = voiced[-1]
    weights = np.array([_weight(w) for w in words], dtype=np.float64)
    chars = np.concatenate(([0.0], np.cumsum(weights)))
    pauses = voiced[1:-1]  # voiced time of each pause between regions
    anchors = {0: 0.0, len(words): total}  # word index -> voiced time it starts at
    for pause, first in _pause_words(chars / chars[-1], np.array(pauses) / total):
        anchors[first] = pauses[pause]
    bounds = [0.0] * (len(words) + 1)
    marks = sorted(anchors)
    for a, b in itertools.pairwise(marks):  # words between anchors share their voiced time
        for k in range(a, b + 1):
            share = (chars[k] - chars[a]) / (chars[b] - chars[a])
            bounds[k] = float(anchors[a] + share * (anchors[b] - anchors[a]))

    def real(t: float, after: bool) -> float:
        """Clip time of voiced time `t`; at a pause, the start of the next region if `after`."""
        i = (bisect.bisect_right if after else bisect.bisect_left)(voiced, t) - 1
        i = min(max(i, 0), len(regions) - 1)
        return float(min(regions[i][1], regions[i][0] + (t - voiced[i])))

    timings = []
    for k, word in enumerate(words):
        start = real(bounds[k], after=True)
        end = max(start, real(bounds[k + 1], after=False))
        timings.append(WordTiming(word, start, end))
    return tuple(timings)


def words_from_sounds(
    text: str,
    spans: Sequence[tuple[int, int]],
    sounds: Sequence[tuple[float, float] | None],
) -> tuple[WordTiming, ...]:
    """One timing per written word (`spans` in `text`) from the seconds its sound takes.

    A word whose sound is None (a dash or mark between words) gets no time of its own:
    it sits at the end of the word before. Starts never go backwards and a word never
    ends before it starts, whatever rounding the engine's times carry.
    """
    timings = []
    last = 0.0
    for (a, b), sound in zip(spans, sounds, strict=True):
        if sound is None:
            timings.append(WordTiming(text[a:b], last, last))
            continue
        start = max(last, sound[0])
        last = max(start, sound[1])
        timings.append(WordTiming(text[a:b], start, last))
    return tuple(timings)


def words_from_characters(
    text: str,
    characters: Sequence[str],
    starts: Sequence[float],
    ends: Sequence[float],
    duration: float,
) -> tuple[WordTiming, ...]:
    """Word timings from per-character times, such as ElevenLabs' alignment.

    The characters need not spell `text` exactly (a provider may normalise
    spaces or quotes): they are matched to it, and a word none of whose
    characters were matched gets the time between its neighbours.
    """
    spans = split_words(text)
    if not spans:
        return ()
    spoken = "".join(characters)
    if len(spoken) != len(characters):  # multi-character entries: fall back to one per entry
        spoken = "".join(c[:1] or " " for c in characters)
    where: dict[int, int] = {}
    if spoken == text:
        where = {i: i for i in range(len(text))}
    else:
        matcher = difflib.SequenceMatcher(None, text, spoken, autojunk=False)
        for block in matcher.get_matching_blocks():
            for n in range(block.size):
                where[block.a + n] = block.b + n
    times: list[tuple[float, float] | None] = []
    for a, b in spans:
        hits = [where[i] for i in range(a, b) if i in where and not text[i].isspace()]
        if hits:
            first, last = min(hits), max(hits)
            times.append((float(starts[first]), float(ends[last])))
        else:
            times.append(None)
    result = []
    last_start = 0.0
    i = 0
    while i < len(spans):
        if times[i] is None:  # a run of unmatched words shares the time between its neighbours
            j = i
            while j < len(spans) and times[j] is None:
                j += 1
            before, after = times[i - 1] if i > 0 else None, times[j] if j < len(spans) else None
            lo = before[1] if before is not None else 0.0
            hi = max(lo, after[0] if after is not None else duration)
            step = (hi - lo) / (j - i)
            for n in range(i, j):
                times[n] = (lo + (n - i) * step, lo + (n - i + 1) * step)
            i = j
        else:
            i += 1
    for (a, b), t in zip(spans, times, strict=True):
        assert t is not None
        start = min(duration, max(last_start, t[0]))
        end = min(duration, max(start, t[1]))
        result.append(WordTiming(text[a:b], start, end))
        last_start = start
    return tuple(result)
