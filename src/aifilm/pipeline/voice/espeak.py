"""The default voice: espeak-ng, loaded through ctypes from the `espeakng-loader` wheel.

Offline, fast (real-time factor about 0.002-0.003 on one CPU core) and robotic but
intelligible in every language the product lists. The engine reports WORD and
PHONEME events with sample positions, which become the clip's word timings (for
subtitles) and IPA phoneme timings (for lip-sync).

How the eight presets differ: each picks an espeak variant (``+f3``, ``+m7``, ...),
a pitch, a pitch range, a speaking rate and a *scale*. A scale above 1 makes
espeak speak more slowly and then resamples the audio shorter by the same
factor, so duration is kept while pitch **and formants** rise together: a
smaller vocal tract, which is what makes the children sound like children and
not like squeaky adults. ``mature`` uses a scale below 1 for a deeper voice.

Language notes, found by listening to the engine's phonemes:

* Japanese (``ja``) reads kana only. Kanji are read out as the English words
  "Chinese letter", once per character, so a line with kanji is refused with
  `UnsupportedError` (write it in kana), unless the option
  ``japanese_kanji: skip`` is set, which leaves kanji out of the speech.
* Sanskrit (``sa``) has no espeak voice; it is read with the Hindi voice,
  which drops some inherent vowels (Hindi schwa deletion).
* Arabic (``ar``) is read best with vowel marks (tashkeel); without them espeak
  guesses the short vowels.
* Mandarin (``zh``) uses the ``cmn`` voice; each character or word gets its
  own word timing. Latin letters inside other scripts are read as English.

The engine is one global C state per process: every call holds a lock, so
threads are safe but serialised; use processes for parallel synthesis.
"""

from __future__ import annotations

import bisect
import ctypes
import importlib.metadata
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from pydantic import Field

from aifilm.errors import MissingDependencyError, UnsupportedError
from aifilm.media.wav import write_wav
from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.timeline import PhonemeTiming, SpeechClip, WordTiming
from aifilm.pipeline.voice.align import split_words
from aifilm.pipeline.voice.base import (
    SpeechRequest,
    VoiceBackend,
    VoiceInfo,
    variant_semitones,
)
from aifilm.pipeline.voice.normalize import speakable
from aifilm.spec.vocabulary import VOICE_PRESETS

Samples = npt.NDArray[np.float32]

# Our language codes and the espeak voice that reads each.
LANGUAGE_VOICES: dict[str, str] = {
    "en": "en-us",
    "hi": "hi",
    "es": "es",
    "fr": "fr",
    "de": "de",
    "pt": "pt-br",
    "zh": "cmn",
    "ja": "ja",
    "ar": "ar",
    "ta": "ta",
    "te": "te",
    "bn": "bn",
    "mr": "mr",
    "gu": "gu",
    "ml": "ml",
    "kn": "kn",
    "pa": "pa",
    "it": "it",
    "ru": "ru",
    "sa": "hi",  # no Sanskrit voice in espeak-ng 1.52
}


@dataclass(frozen=True)
class Preset:
    """How one voice preset is made from espeak's controls."""

    variant: str  # espeak variant file in espeak-ng-data/voices/!v
    pitch: int  # espeakPITCH, 0-99, 50 is the variant's own
    range: int  # espeakRANGE, 0-100: intonation, 0 is monotone
    rate: float  # multiplies Options.base_rate_wpm
    scale: float  # pitch and formant scale by resampling, 1 = none


PRESETS: dict[str, Preset] = {
    "baby": Preset("f5", 78, 85, 0.70, 1.30),
    "toddler": Preset("f5", 68, 80, 0.80, 1.28),
    "child": Preset("f2", 66, 72, 0.90, 1.20),
    "pre-teen": Preset("f4", 62, 65, 0.97, 1.10),
    "young-adult": Preset("m2", 62, 70, 1.10, 1.0),
    "adult-male": Preset("m3", 48, 50, 1.0, 1.0),
    "adult-female": Preset("f3", 48, 55, 1.0, 1.0),
    "mature": Preset("m7", 35, 35, 0.84, 0.93),
}

# espeakPITCH value -> semitones from the value 50, measured on en-us, +f3 and +f5.
_PITCH_CURVE: tuple[tuple[int, float], ...] = (
    (0, -6.5), (10, -5.4), (20, -4.4), (30, -2.9), (40, -1.6), (50, 0.0),
    (60, 1.7), (70, 3.3), (80, 5.2), (90, 7.0), (99, 8.7),
)  # fmt: skip
_MIN_WPM, _MAX_WPM = 80, 600  # espeak clamps below 80; above 600 words blur

# espeak_EVENT types and parameters, from speak_lib.h (API revision 12).
_EVENT_LIST_TERMINATED, _EVENT_WORD, _EVENT_END, _EVENT_PHONEME = 0, 1, 5, 7
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS, _INITIALIZE_PHONEME_IPA, _INITIALIZE_DONT_EXIT = 0x1, 0x2, 0x8000
_CHARS_UTF8 = 1  # no espeakSSML, no espeakPHONEMES: markup and [[...]] stay plain text
_POS_CHARACTER = 1
_PHONEMES_IPA = 0x02  # espeak_TextToPhonemes: IPA, no separator between phonemes
_RATE, _VOLUME, _PITCH, _RANGE, _PUNCTUATION, _CAPITALS, _WORDGAP = 1, 2, 3, 4, 5, 6, 7


class _EventId(ctypes.Union):
    _fields_ = (
        ("number", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("string", ctypes.c_char * 8),
    )


class _Event(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),  # 1-based, in characters (not bytes) in UTF-8 mode
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),  # milliseconds
        ("sample", ctypes.c_int),  # samples from the start of the message
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    )


class _Voice(ctypes.Structure):
    _fields_ = (
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_void_p),  # (priority byte, name, NUL)* then NUL
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    )


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class _Ev(NamedTuple):
    kind: int
    position: int  # 0-based character index into the text
    sample: int
    name: str  # phoneme name for PHONEME events


class _Engine:
    """libespeak-ng, initialised once per process; every synthesis holds the lock."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError:
            raise MissingDependencyError(
                "the voice backend 'espeak' needs the Python package espeakng-loader",
                hint="pip install espeakng-loader",
            ) from None
        self.data_path = Path(espeakng_loader.get_data_path())
        lib = ctypes.CDLL(str(espeakng_loader.get_library_path()))
        lib.espeak_Initialize.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int)
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = (_SynthCallback,)
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = (ctypes.c_char_p,)
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int)
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = (
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        )  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Info.argtypes = (ctypes.c_void_p,)
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_ListVoices.argtypes = (ctypes.c_void_p,)
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_TextToPhonemes.argtypes = (
            ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int,
        )  # fmt: skip
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        options = _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_PHONEME_IPA | _INITIALIZE_DONT_EXIT
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, os.fsencode(self.data_path), options
        )
        if rate <= 0:
            raise MissingDependencyError(
                f"libespeak-ng could not load its data from {self.data_path}",
                hint="pip install --force-reinstall espeakng-loader",
            )
        self.sample_rate = int(rate)
        self._lib = lib
        self._callback = _SynthCallback(self._on_audio)  # kept: C holds only a raw pointer
        lib.espeak_SetSynthCallback(self._callback)
        self.version = (lib.espeak_Info(None) or b"?").decode()
        self.variants = frozenset(os.listdir(self.data_path / "voices" / "!v"))
        self.voice_names = self._voice_names()
        self._lock = threading.Lock()
        self._chunks: list[npt.NDArray[np.int16]] = []
        self._events: list[_Ev] = []

    def _voice_names(self) -> dict[str, str]:
        """Lower-cased language (en-gb), file (en-gb-x-rp) and voice names -> a name espeak loads.

        espeak_SetVoiceByName knows voice files and names but not language tags
        such as "en-gb", so those map to the voice file that prefers them most.
        """
        best: dict[str, tuple[int, str]] = {}
        table = self._lib.espeak_ListVoices(None)
        i = 0
        while table[i]:
            voice = table[i].contents
            file = (voice.identifier or b"").decode(errors="replace").rsplit("/", 1)[-1]
            names = [(0, file), (0, (voice.name or b"").decode(errors="replace"))]
            address = voice.languages
            while address and (priority := ctypes.string_at(address, 1)[0]) != 0:
                language = ctypes.string_at(address + 1)
                names.append((priority, language.decode(errors="replace")))
                address += len(language) + 2
            for priority, name in names:
                key = name.lower()
                if name and (key not in best or priority < best[key][0]):
                    best[key] = (priority, file)
            i += 1
        return {name: file for name, (_, file) in best.items()}

    def _on_audio(self, wav: Any, count: int, events: Any) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        i = 0
        while events[i].type != _EVENT_LIST_TERMINATED:
            event = events[i]
            name = ""
            if event.type == _EVENT_PHONEME:
                name = event.id.string.decode("utf-8", errors="ignore")
            self._events.append(_Ev(event.type, event.text_position - 1, event.sample, name))
            i += 1
        return 0

    def speak(
        self, voice: str, params: dict[int, int], text: str
    ) -> tuple[npt.NDArray[np.int16], list[_Ev]]:
        """Synthesise `text` with an espeak voice name ("en-us+f3") and parameters."""
        data = text.encode("utf-8")
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
                raise UnsupportedError(
                    f"espeak has no voice '{voice}'",
                    hint="use a language code, or voice_id like 'en+f3' (see `aifilm voices`)",
                )
            for param, value in params.items():
                self._lib.espeak_SetParameter(param, value, 0)
            self._chunks, self._events = [], []
            status = self._lib.espeak_Synth(
                data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            chunks, events = self._chunks, self._events
            self._chunks, self._events = [], []
        if status != 0:
            raise RuntimeError(f"espeak_Synth failed with status {status}")
        audio = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return audio, events

    def phonemes(self, voice: str, text: str) -> str:
        """espeak's IPA for `text` as its text-to-phonemes call writes it, clauses joined
        by spaces. Unlike a synthesis's PHONEME events it keeps consonant length: Hindi
        बच्चे is "bˈʌcːeː" here, "b ˈʌ c eː" in the events (Italian "piccola" likewise)."""
        data = ctypes.create_string_buffer(text.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(data))
        clauses = []
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode("utf-8")) != 0:
                raise UnsupportedError(f"espeak has no voice '{voice}'")
            while pointer.value:
                out = self._lib.espeak_TextToPhonemes(
                    ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA
                )
                if out:
                    clauses.append(out.decode("utf-8", errors="ignore").strip())
        return " ".join(c for c in clauses if c)


_engine_instance: _Engine | None = None
_engine_lock = threading.Lock()


def _engine() -> _Engine:
    global _engine_instance
    with _engine_lock:
        if _engine_instance is None:
            _engine_instance = _Engine()
        return _engine_instance


# ---- text hygiene ------------------------------------------------------------

_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
# Read by espeak as their names ("backslash", "slash", "less than") yet never meant aloud.
_SPOKEN_AS_NAMES = frozenset("\\/|_*~^`#{}[]<>")
_KEEP_FORMAT = frozenset("\u200c\u200d")  # ZWNJ/ZWJ shape Indic and Arabic words
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_WORDLIKE = re.compile(r"\w")


def clean_text(text: str) -> tuple[str, list[int]]:
    """Text safe for espeak, and for each of its characters the index it had in `text`.

    Tags (``<b>``), emoji and other symbols espeak would read by name, private-use
    and unpaired-surrogate characters and control characters become spaces;
    invisible formatting (direction marks, variation selectors) is removed.
    """
    chars = list(text)
    for match in _TAG.finditer(text):
        chars[match.start() : match.end()] = " " * (match.end() - match.start())
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(chars):
        category = unicodedata.category(ch)
        if ch in _SPOKEN_AS_NAMES or category in ("So", "Sk", "Cs", "Co", "Cn", "Cc"):
            ch = " "
        elif (category == "Cf" and ch not in _KEEP_FORMAT) or "\ufe00" <= ch <= "\ufe0f":
            continue
        out.append(ch)
        index.append(i)
    return "".join(out), index


# ---- timings -----------------------------------------------------------------


def written_words(
    written: str,
    spoken: str,
    index: list[int],
    timed: list[tuple[tuple[int, int], int, int]],
) -> list[tuple[tuple[int, int], int, int]]:
    """Spoken words' timings on the words as written: (span in `written`, start, end).

    `index` maps each character of `spoken` to the one of `written` it comes from
    (`normalize.speakable`). The words a rewrite made ("₹15,000" said "15000 টাকা",
    "15 000 ₽" said "15000 рублей") share one timing, on the written words they came
    from. Text with Han or kana keeps espeak's own cuts between its words.
    """
    if _CJK.search(written):
        return [((index[s], index[e - 1] + 1), s0, s1) for (s, e), s0, s1 in timed]
    spans = split_words(written)
    if not spans:
        return []
    starts = [a for a, _ in spans]
    groups: list[list[int]] = []  # [written word, start, end, rewritten, a, b]
    for (start, end), s0, s1 in timed:
        a, b = index[start], index[end - 1] + 1
        k = max(0, bisect.bisect_right(starts, a) - 1)
        rewritten = int(spoken[start:end] != written[a:b])
        if groups and groups[-1][0] == k and (rewritten or groups[-1][3]):
            groups[-1][2:4] = [s1, 1]
        else:
            groups.append([k, s0, s1, rewritten, a, b])
    out = []
    for n, (k, s0, s1, rewritten, a, b) in enumerate(groups):
        if rewritten:  # with the written words after it that nothing was said for
            last = max(k, (groups[n + 1][0] if n + 1 < len(groups) else len(spans)) - 1)
            a, b = spans[k][0], spans[last][1]
        out.append(((a, b), s0, s1))
    return out


def _tokens(text: str, events: list[_Ev]) -> list[tuple[int, int]]:
    """Word spans in `text`: runs of non-space, split where espeak starts a CJK word."""
    cuts = {
        e.position
        for e in events
        if e.kind == _EVENT_WORD and 0 < e.position < len(text) and _CJK.match(text[e.position])
    }
    spans = []
    for match in re.finditer(r"\S+", text):
        start = match.start()
        for cut in sorted(c for c in cuts if match.start() < c < match.end()):
            spans.append((start, cut))
            start = cut
        spans.append((start, match.end()))
    return spans


def _is_sound(phoneme: str) -> bool:
    """False for pauses (IPA mode names them "") and language switches such as "(en)"."""
    return bool(phoneme) and not phoneme.startswith("(")


def _word_samples(
    text: str, events: list[_Ev], total: int
) -> list[tuple[tuple[int, int], int, int]]:
    """(span, start sample, end sample) per spoken word, from WORD and PHONEME events."""
    spans = _tokens(text, events)
    ends = [end for _, end in spans]
    starts: list[int | None] = [None] * len(spans)
    for event in events:
        if event.kind == _EVENT_WORD and spans:
            j = min(bisect.bisect_right(ends, event.position), len(spans) - 1)
            if starts[j] is None:
                starts[j] = event.sample
    keep = [
        i
        for i, span in enumerate(spans)
        if starts[i] is not None or _WORDLIKE.search(text[span[0] : span[1]])
    ]
    spans = [spans[i] for i in keep]
    starts = [starts[i] for i in keep]
    last = -1
    for i, start in enumerate(starts):  # a start must follow the previous one strictly
        if start is not None:
            if start <= last:
                starts[i] = None
            else:
                last = start
    anchors = [i for i, s in enumerate(starts) if s is not None]
    if not spans:
        return []
    phones = [(e.sample, e.name) for e in events if e.kind == _EVENT_PHONEME]
    phone_samples = [s for s, _ in phones]
    speech_end = max([e.sample for e in events if e.kind == _EVENT_END] or [total])
    if not anchors:  # no WORD events: spread the words over the voiced audio
        voiced = [s for s, name in phones if _is_sound(name)]
        anchors, starts[0] = [0], (voiced[0] if voiced else 0)
    groups = [list(range(0, anchors[1] if len(anchors) > 1 else len(spans)))]
    for k, a in enumerate(anchors[1:], 1):
        groups.append(list(range(a, anchors[k + 1] if k + 1 < len(anchors) else len(spans))))
    result = []
    for g, group in enumerate(groups):
        g_start = starts[anchors[g]]
        assert g_start is not None
        g_next = starts[anchors[g + 1]] if g + 1 < len(groups) else speech_end
        assert g_next is not None
        g_end, sounded = g_start, False
        lo = bisect.bisect_left(phone_samples, g_start)
        for p in range(lo, len(phones)):
            sample, name = phones[p]
            if sample >= g_next:
                break
            if _is_sound(name):
                if not sounded:  # the word starts with its first sound, not its event
                    g_start, sounded = sample, True
                after = phones[p + 1][0] if p + 1 < len(phones) else speech_end
                g_end = max(g_end, min(after, g_next))
        if g_end <= g_start:
            g_end = g_next
        weights = [max(1, spans[i][1] - spans[i][0]) for i in group]
        edge = float(g_start)
        step = (g_end - g_start) / sum(weights)
        for i, weight in zip(group, weights, strict=True):
            result.append((spans[i], round(edge), round(edge + weight * step)))
            edge += weight * step
    return result


def _phoneme_samples(events: list[_Ev], total: int) -> list[tuple[str, int, int]]:
    """(IPA phoneme without stress marks, start, end) per non-pause phoneme."""
    phones = [e for e in events if e.kind == _EVENT_PHONEME]
    speech_end = max([e.sample for e in events if e.kind == _EVENT_END] or [total])
    result = []
    for i, event in enumerate(phones):
        if not _is_sound(event.name):
            continue
        name = event.name.replace("ˈ", "").replace("ˌ", "")
        end = phones[i + 1].sample if i + 1 < len(phones) else speech_end
        result.append((name, event.sample, max(end, event.sample)))
    return result


# ---- audio -------------------------------------------------------------------


def _fast_length(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n, a length numpy's FFT handles quickly."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            value = p35
            while value < n:
                value *= 2
            best = min(best, value)
            p35 *= 3
        p5 *= 5
    return best


def rescale(samples: Samples, factor: float) -> Samples:
    """Resample to `len / factor` samples, band-limited: pitch and formants times `factor`."""
    n = len(samples)
    if factor == 1.0 or n == 0:
        return samples
    size = _fast_length(n)
    spectrum = np.fft.rfft(samples, size)
    new_size = max(2, round(size / factor))
    bins = np.zeros(new_size // 2 + 1, dtype=spectrum.dtype)
    keep = min(len(bins), len(spectrum))
    bins[:keep] = spectrum[:keep]
    out = np.fft.irfft(bins, new_size) * (new_size / size)
    return out[: max(1, round(n / factor))].astype(np.float32)


def _voiced_bounds(samples: Samples) -> tuple[int, int] | None:
    """First and last sample of audible sound (above -50 dBFS), or None if silent."""
    loud = np.flatnonzero(np.abs(samples) > 10 ** (-50 / 20))
    if loud.size == 0:
        return None
    return int(loud[0]), int(loud[-1]) + 1


def _semitones(value: float) -> float:
    """Semitones from espeakPITCH 50 to `value`."""
    return float(np.interp(value, [p for p, _ in _PITCH_CURVE], [s for _, s in _PITCH_CURVE]))


def _pitch_value(semitones: float) -> tuple[int, float]:
    """espeakPITCH value nearest to `semitones` from 50, and the semitones it leaves over."""
    value = round(
        float(np.interp(semitones, [s for _, s in _PITCH_CURVE], [p for p, _ in _PITCH_CURVE]))
    )
    return value, semitones - _semitones(value)


# ---- the backend ---------------------------------------------------------------


class EspeakVoice(VoiceBackend):
    """espeak-ng voices in 20 languages, 8 age presets, word and phoneme timings."""

    name: ClassVar[str] = "espeak"
    description: ClassVar[str] = "espeak-ng (offline, robotic, every product language)"
    requires: ClassVar[tuple[str, ...]] = ("espeakng_loader",)
    license: ClassVar[str] = (
        "GPL-3.0-or-later (libespeak-ng, loaded as a shared library from the espeakng-loader wheel)"
    )
    weights_license: ClassVar[str | None] = (
        "no neural weights; espeak-ng's voice and dictionary data, GPL-3.0-or-later"
    )
    commercial_use: ClassVar[bool] = True
    version: ClassVar[str] = "4"  # 2: money, dates, units... said as words (normalize); 3: days,
    # years and Roman numerals as said ("am zwölften Mai", "двенадцатого мая", "Ludwig der
    # vierzehnte"), ranges, fractions (spoken_dates, spoken_numbers), "$2.5 million"; 4:
    # imperial units ("6 ft", "2 tbsp"), "24/7", "50-50"

    class Options(BackendOptions):
        """espeak settings shared by every line."""

        base_rate_wpm: float = Field(
            165.0, ge=80, le=400, description="Adult speaking rate, words per minute."
        )
        word_gap_ms: int = Field(0, ge=0, le=1000, description="Extra pause between words.")
        silence_ms: int = Field(
            50, ge=0, le=1000, description="Silence kept before and after speech."
        )
        japanese_kanji: Literal["error", "skip"] = Field(
            "error", description="Kanji in Japanese text: refuse the line, or leave them out."
        )

    options: Options

    def identity(self) -> dict[str, Any]:
        """Backend, options and the espeak build, so a new espeak redoes the cache."""
        try:
            engine = importlib.metadata.version("espeakng-loader")
        except importlib.metadata.PackageNotFoundError:
            engine = "missing"
        return {**super().identity(), "engine": f"espeakng-loader {engine}"}

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """One voice per (language, preset), with ids like "hi/child"."""
        codes = [language] if language is not None else list(LANGUAGE_VOICES)
        found = []
        for code in codes:
            voice = LANGUAGE_VOICES.get(code)
            if voice is None:
                continue
            for preset, about in VOICE_PRESETS.items():
                variant = PRESETS[preset].variant
                found.append(
                    VoiceInfo(
                        f"{code}/{preset}", code, preset, f"{about} (espeak {voice}+{variant})"
                    )
                )
        return found

    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the request into a mono 16-bit WAV at espeak's rate (22050 Hz)."""
        samples, rate, words, phonemes = self.render(request)
        write_wav(out, samples, rate)
        return SpeechClip(out, len(samples) / rate, rate, words, phonemes)

    def estimate_duration(self, request: SpeechRequest) -> float:
        """Exact length by synthesising in memory (about 5 ms a line); rough if that fails."""
        try:
            samples, rate, _, _ = self.render(request)
        except (UnsupportedError, MissingDependencyError, OSError):
            return super().estimate_duration(request)
        return len(samples) / rate

    def render(
        self, request: SpeechRequest
    ) -> tuple[Samples, int, tuple[WordTiming, ...], tuple[PhonemeTiming, ...]]:
        """Audio as float32 samples, its rate, and word and phoneme timings."""
        engine = _engine()
        voice, params, scale = self._settings(request, engine)
        if request.language.lower().startswith("ja"):  # its forms are kanji (20度), unread here
            spoken, spoken_index = request.text, list(range(len(request.text)))
        else:
            spoken, spoken_index = speakable(request.text, request.language)
        text, clean_index = clean_text(spoken)
        index = [spoken_index[i] for i in clean_index]
        if request.language == "ja" and _KANJI.search(text):
            if self.options.japanese_kanji == "error":
                kanji = "".join(dict.fromkeys(_KANJI.findall(text)))
                raise UnsupportedError(
                    f"espeak reads Japanese kana only and would say 'Chinese letter' "
                    f"for the kanji {kanji} in: {request.text}",
                    hint="write the line in hiragana/katakana, "
                    "or set the voice option japanese_kanji: skip",
                )
            text = _KANJI.sub(" ", text)
        rate = engine.sample_rate
        pad = round(self.options.silence_ms / 1000 * rate)
        if not text.strip():
            return np.zeros(max(2 * pad, engine.sample_rate // 4), np.float32), rate, (), ()

        raw, events = engine.speak(voice, params, text)
        samples = rescale(raw.astype(np.float32) / 32768.0, scale)
        bounds = _voiced_bounds(samples)
        if bounds is None:
            return np.zeros(max(2 * pad, engine.sample_rate // 4), np.float32), rate, (), ()
        first = max(0, bounds[0] - pad)
        samples = samples[first : min(len(samples), bounds[1] + pad)]
        duration = len(samples) / rate

        def seconds(sample: int) -> float:  # engine sample -> seconds in the trimmed clip
            return min(duration, max(0.0, (sample / scale - first) / rate))

        words = [
            WordTiming(request.text[a:b], seconds(s0), seconds(s1))
            for (a, b), s0, s1 in written_words(
                request.text, text, index, _word_samples(text, events, len(raw))
            )
        ]
        phonemes = tuple(
            PhonemeTiming(name, seconds(s0), seconds(s1))
            for name, s0, s1 in _phoneme_samples(events, len(raw))
        )
        return samples, rate, tuple(words), phonemes

    def _settings(
        self, request: SpeechRequest, engine: _Engine
    ) -> tuple[str, dict[int, int], float]:
        """espeak voice name, parameters and resampling scale for a request."""
        base = LANGUAGE_VOICES.get(request.language) or engine.voice_names.get(
            request.language.lower()
        )
        if base is None:
            raise UnsupportedError(
                f"the espeak voice backend does not speak the language '{request.language}'",
                hint=f"supported: {', '.join(LANGUAGE_VOICES)} "
                "(or an espeak dialect such as en-gb, pt-pt)",
            )
        preset = PRESETS.get(request.preset)
        if preset is None:
            raise UnsupportedError(
                f"unknown voice preset '{request.preset}'", hint=f"presets: {', '.join(PRESETS)}"
            )
        variant = preset.variant
        if request.voice_id:  # "en+f3", "+f3", "f3", "en-gb" or an espeak voice name
            given, plus, rest = request.voice_id.partition("+")
            if not plus and given in engine.variants:
                given, rest = "", given
            if given:
                base = engine.voice_names.get(given.lower())
                if base is None:
                    raise UnsupportedError(
                        f"espeak has no voice '{given}' (from voice_id '{request.voice_id}')",
                        hint="use a language such as en-gb, a voice file such as "
                        "en-GB-x-rp, or a variant such as f3",
                    )
            if plus or rest:
                variant = rest
            if variant not in engine.variants:
                raise UnsupportedError(
                    f"espeak has no voice variant '{variant}' (from voice_id '{request.voice_id}')",
                    hint=f"variants: {', '.join(sorted(engine.variants, key=str.lower))}",
                )
        shift = request.pitch + variant_semitones(request.variant)
        pitch, left_over = _pitch_value(_semitones(preset.pitch) + shift)
        scale = preset.scale * 2 ** (left_over / 12)
        wpm = self.options.base_rate_wpm * preset.rate * request.rate / scale  # sped up later
        params = {
            _RATE: int(min(_MAX_WPM, max(_MIN_WPM, round(wpm)))),
            _PITCH: pitch,
            _RANGE: preset.range,
            _VOLUME: 100,
            _WORDGAP: round(self.options.word_gap_ms * scale / 10),
            _PUNCTUATION: 0,
            _CAPITALS: 0,
        }
        return f"{base}+{variant}", params, scale
