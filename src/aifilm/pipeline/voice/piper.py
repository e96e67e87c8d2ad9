"""Piper neural voices (ONNX, offline, faster than real time on one CPU core).

A Piper voice is two files: ``NAME.onnx`` (the model) and ``NAME.onnx.json`` (its
config: sample rate, espeak voice, phoneme ids, inference scales). aifilm never
downloads voices by itself: get them from the rhasspy piper-voices collection
(https://huggingface.co/rhasspy/piper-voices), check each voice's MODEL_CARD for
its licence, and name the files in the options::

    backends:
      voice:
        name: piper
        options:
          model: /voices/en_US-amy-medium.onnx          # any line without a better match
          voices: {child: /voices/en_US-kid.onnx, "hi/mature": /voices/hi_IN-x.onnx}

A line's voice is, first found: its ``voice_id`` (a path or a key of ``voices``),
``voices["<language>/<preset>"]``, ``voices["<preset>"]``, ``voices["<language>"]``,
then ``model``. Voices are loaded once per process through piper's own
``PiperVoice.load``.

Presets: a voice chosen for the line's preset (``voices: {child: ...}``, or a
``voice_id``) is used as it is, with only the preset's pace. A voice standing in
for another age (``model``, a language-wide voice) is shaped like espeak's presets:
synthesised slower by a scale and resampled shorter by it, so pitch and formants
rise (children) or fall (``mature``) while the length stays. ``request.pitch``
(semitones) uses the same resampling; ``request.rate`` divides Piper's
``length_scale``.

Timings: with the ``onnx`` package installed the model is patched in memory to
report how many samples each phoneme id took (``include_alignments``), which gives
IPA phoneme timings and, split at Piper's word spaces, word timings. Without it, or
when the phonemes' words do not match the text's, word timings are estimated from
the audio's energy (`estimate_word_timings`) and the clip has no phoneme timings.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import Field

from aifilm.errors import MissingDependencyError, UnsupportedError, UserError
from aifilm.media.wav import write_wav
from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.timeline import PhonemeTiming, SpeechClip, WordTiming
from aifilm.pipeline.voice.align import estimate_word_timings, split_words, words_from_sounds
from aifilm.pipeline.voice.base import (
    SpeechRequest,
    VoiceBackend,
    VoiceInfo,
    variant_semitones,
)
from aifilm.pipeline.voice.espeak import rescale
from aifilm.spec.vocabulary import VOICE_PRESETS

if TYPE_CHECKING:
    import piper

Samples = npt.NDArray[np.float32]

VOICES_URL = "https://huggingface.co/rhasspy/piper-voices"
_NO_VOICE_HINT = (
    "Piper voices are an .onnx file and its .onnx.json config, from the rhasspy piper-voices "
    f"collection ({VOICES_URL}); aifilm never downloads them by itself. Download one, check its "
    "MODEL_CARD licence, and set the voice options, e.g. "
    "backends: {voice: {name: piper, options: {model: /path/en_US-amy-medium.onnx}}}"
)

# Licences (lower-cased, as model cards and configs write them) that allow paid use.
PERMISSIVE_LICENCES = frozenset(
    {
        "cc0", "cc0-1.0", "cc-0", "public domain", "public-domain", "mit", "apache-2.0",
        "apache 2.0", "bsd", "bsd-3-clause", "cc-by-4.0", "cc by 4.0", "cc-by", "cc-by-sa-4.0",
        "cc by-sa 4.0", "cc-by-sa", "cc-by-sa 4.0", "mpl", "mpl-2.0", "mpl 2.0",
    }
)  # fmt: skip
_SILENT_MARKS = frozenset("ˈˌ")  # stress: no sound of its own
_SPLIT_MARKS = frozenset(" ,.;:!?¡¿—–-…\"'()")  # pauses and punctuation in Piper's phonemes


@dataclass(frozen=True)
class Preset:
    """How a stand-in voice is shaped for one age preset."""

    length: float  # multiplies length_scale: > 1 is slower
    scale: float  # pitch and formant scale by resampling, 1 = none
    noise: float  # multiplies noise_scale (expressiveness)


PRESETS: dict[str, Preset] = {
    "baby": Preset(1.30, 1.30, 1.0),
    "toddler": Preset(1.22, 1.28, 1.0),
    "child": Preset(1.10, 1.20, 1.0),
    "pre-teen": Preset(1.03, 1.10, 1.0),
    "young-adult": Preset(0.92, 1.0, 1.05),
    "adult-male": Preset(1.0, 1.0, 1.0),
    "adult-female": Preset(1.0, 1.0, 1.0),
    "mature": Preset(1.18, 0.93, 0.9),
}


@dataclass(frozen=True)
class VoiceFiles:
    """One configured voice: its model, config and what the config says about it."""

    model: Path
    config: Path
    language: str | None  # family, "en"
    dataset: str | None
    license: str | None  # the voice's own, as its config or model card states it
    sample_rate: int
    dataset_license: str | None = None  # the recordings', which does not license the voice

    @property
    def weights_license(self) -> str:
        if self.license:
            return self.license
        name = self.dataset or self.model.stem
        dataset = (
            f"; its dataset's licence ({self.dataset_license}) does not cover the voice"
            if self.dataset_license
            else ""
        )
        return (
            f"unknown, not for paid hosted use: see the voice's model card "
            f"({name}: {self.model.name}){dataset}"
        )

    @property
    def commercial(self) -> bool:
        return bool(self.license) and str(self.license).strip().lower() in PERMISSIVE_LICENCES


def _model_card_licences(model: Path) -> tuple[str | None, str | None]:
    """(the voice's licence, its dataset's licence) from a MODEL_CARD beside the model.

    piper-voices model cards put a ``License:`` line under ``## Dataset``: that is the
    recordings' licence, not the voice's (a voice fine-tuned from another voice carries
    that voice's terms too), so only a ``License:`` line outside a dataset section is the
    voice's own.
    """
    for card in (model.parent / "MODEL_CARD", model.with_suffix(".md")):
        try:
            text = card.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        own: str | None = None
        dataset: str | None = None
        section = ""
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith("#"):
                section = stripped.lstrip("#").strip().lower()
                continue
            head, sep, value = stripped.lstrip("*- ").partition(":")
            if not (sep and head.strip().lower() in ("license", "licence") and value.strip()):
                continue
            if "dataset" in section or section == "data":
                dataset = dataset or value.strip()
            else:
                own = own or value.strip()
        return own, dataset
    return None, None


def voice_files(model: str | Path) -> VoiceFiles:
    """Check a voice's two files and read its config; `UserError` naming what is missing."""
    path = Path(model).expanduser()
    if path.suffix != ".onnx" and path.with_name(path.name + ".onnx").exists():
        path = path.with_name(path.name + ".onnx")
    config = path.with_name(path.name + ".json")
    for needed in (path, config):
        if not needed.is_file():
            raise UserError(f"Piper voice file not found: {needed}", hint=_NO_VOICE_HINT)
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        rate = int(data["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(
            f"Piper voice config {config} is not a Piper .onnx.json ({exc})", hint=_NO_VOICE_HINT
        ) from None
    language = data.get("language") or {}
    family = language.get("family") if isinstance(language, dict) else None
    if not family:
        espeak = (data.get("espeak") or {}).get("voice")
        family = str(espeak).split("-")[0].split("_")[0] if espeak else None
    card_licence, dataset_licence = _model_card_licences(path)
    licence = data.get("license") or data.get("licence") or card_licence
    return VoiceFiles(
        path,
        config,
        str(family).lower() if family else None,
        data.get("dataset"),
        str(licence) if licence else None,
        rate,
        dataset_licence,
    )


_loaded: dict[tuple[str, bool], piper.PiperVoice] = {}
_load_lock = threading.Lock()
_run_lock = threading.Lock()


def _piper_module() -> Any:
    try:
        import piper
    except ImportError:
        raise MissingDependencyError(
            "the voice backend 'piper' needs the Python package piper-tts",
            hint="pip install 'aifilm[piper]'",
        ) from None
    return piper


def _has_onnx() -> bool:
    import importlib.util

    return importlib.util.find_spec("onnx") is not None


def _can_align() -> bool:
    """Whether piper-tts can report alignments (1.6 and later) and onnx is installed."""
    import inspect

    load = _piper_module().PiperVoice.load
    return _has_onnx() and "include_alignments" in inspect.signature(load).parameters


def load_voice(files: VoiceFiles, alignments: bool) -> piper.PiperVoice:
    """The voice loaded with piper's own API, once per process (per alignment setting)."""
    module = _piper_module()
    key = (str(files.model.resolve()), alignments)
    with _load_lock:
        voice = _loaded.get(key)
        if voice is None:
            extra = {"include_alignments": True} if alignments else {}
            voice = module.PiperVoice.load(files.model, config_path=files.config, **extra)
            _loaded[key] = voice
        return voice


def _merge_phonemes(
    items: list[tuple[str, int, int]],
) -> list[tuple[str, int, int]]:
    """Piper's code points -> IPA phonemes: marks (ː, combining) join the phoneme before."""
    merged: list[tuple[str, int, int]] = []
    for name, start, end in items:
        if name in _SILENT_MARKS:
            continue
        joins = name == "ː" or unicodedata.category(name[:1]) == "Mn"
        if joins and merged:
            previous = merged[-1]
            merged[-1] = (previous[0] + name, previous[1], end)
        else:
            merged.append((name, start, end))
    return merged


class PiperVoice(VoiceBackend):
    """Piper ONNX voices from files you provide: natural speech, offline, on the CPU."""

    name: ClassVar[str] = "piper"
    description: ClassVar[str] = "Piper neural voices (offline ONNX, your own .onnx voice files)"
    extra: ClassVar[str | None] = "piper"
    requires: ClassVar[tuple[str, ...]] = ("piper",)
    license: ClassVar[str] = (
        "GPL-3.0-or-later (piper-tts 1.3+, with espeak-ng for phonemes) and MIT (onnxruntime)"
    )
    weights_license: ClassVar[str | None] = "per voice: see the voice's model card"
    commercial_use: ClassVar[bool] = False  # True per instance when every voice says so
    version: ClassVar[str] = "1"

    class Options(BackendOptions):
        """Which voice files to use and how Piper runs."""

        model: str | None = Field(
            None, description="Path of one Piper voice (.onnx, its .onnx.json beside it)."
        )
        voices: dict[str, str] = Field(
            default_factory=dict,
            description='Voices by "language/preset", "preset" or "language": paths to .onnx.',
        )
        speakers: dict[str, int | str] = Field(
            default_factory=dict,
            description="Speaker of a multi-speaker voice by preset (id or name), e.g. {child: 3}.",
        )
        shape_presets: bool = Field(
            True, description="Shift pitch and formants of stand-in voices for the age presets."
        )
        noise_scale: float | None = Field(None, ge=0, le=2, description="Overrides the voice's.")
        noise_w: float | None = Field(None, ge=0, le=2, description="Overrides the voice's.")
        alignments: bool = Field(
            True, description="Phoneme alignments from the model (needs the onnx package)."
        )
        silence_ms: int = Field(50, ge=0, le=1000, description="Silence kept around speech.")

    options: Options

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        configured = [p for p in (self.options.model, *self.options.voices.values()) if p]
        found = []
        for path in configured:
            with contextlib.suppress(UserError):  # reported when a line needs the voice
                found.append(voice_files(path))
        if found:  # the report's licence is that of the voices actually configured
            licences = sorted({f.weights_license for f in found})
            object.__setattr__(self, "weights_license", "; ".join(licences))
            object.__setattr__(self, "commercial_use", all(f.commercial for f in found))

    def identity(self) -> dict[str, Any]:
        """Backend, options, the piper-tts build and each voice file's size and time."""
        try:
            engine = importlib.metadata.version("piper-tts")
        except importlib.metadata.PackageNotFoundError:
            engine = "missing"
        files: dict[str, list[int] | None] = {}
        for path in {p for p in (self.options.model, *self.options.voices.values()) if p}:
            try:
                stat = Path(path).expanduser().stat()
                files[path] = [stat.st_size, stat.st_mtime_ns]
            except OSError:
                files[path] = None
        return {
            **super().identity(),
            "engine": f"piper-tts {engine}",
            "onnx": _has_onnx(),
            "files": files,
        }

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """The configured voices, by their key in the options."""
        entries = dict(self.options.voices)
        if self.options.model:
            entries.setdefault("default", self.options.model)
        found = []
        for key, path in entries.items():
            try:
                files = voice_files(path)
            except UserError:
                continue
            lang = files.language or key.split("/")[0]
            if language is not None and lang != language:
                continue
            preset = key.rsplit("/", 1)[-1]
            found.append(
                VoiceInfo(
                    key,
                    lang,
                    preset if preset in VOICE_PRESETS else None,
                    f"Piper {files.dataset or files.model.stem} ({files.model.name})",
                )
            )
        return found

    def _choose(self, request: SpeechRequest) -> tuple[VoiceFiles, bool]:
        """The voice for a request, and whether it was chosen for the request's preset."""
        voices = self.options.voices
        lang = request.language.lower()
        base = lang.replace("_", "-").split("-")[0]
        if request.voice_id:
            path = voices.get(request.voice_id, request.voice_id)
            if path == request.voice_id and not (
                path.endswith(".onnx") or "/" in path or "\\" in path
            ):
                raise UnsupportedError(
                    f"the piper backend has no voice '{request.voice_id}'",
                    hint=f"voice_id is a path to an .onnx voice or one of: "
                    f"{', '.join(voices) or '(no voices configured)'}",
                )
            return voice_files(path), True
        for key, own in (
            (f"{lang}/{request.preset}", True),
            (f"{base}/{request.preset}", True),
            (request.preset, True),
            (lang, False),
            (base, False),
        ):
            if key in voices:
                return voice_files(voices[key]), own
        if self.options.model:
            return voice_files(self.options.model), False
        raise UserError(
            f"no Piper voice configured for {request.language}/{request.preset}",
            hint=_NO_VOICE_HINT,
        )

    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the request into a mono 16-bit WAV at the voice's rate."""
        samples, rate, words, phonemes = self.render(request)
        write_wav(out, samples, rate)
        return SpeechClip(out, len(samples) / rate, rate, words, phonemes)

    def render(
        self, request: SpeechRequest
    ) -> tuple[Samples, int, tuple[WordTiming, ...], tuple[PhonemeTiming, ...]]:
        """Audio as float32 samples, its rate, and word and phoneme timings."""
        files, own = self._choose(request)
        lang = request.language.lower().replace("_", "-").split("-")[0]
        if files.language and files.language != lang:
            raise UnsupportedError(
                f"the Piper voice {files.model.name} speaks '{files.language}', "
                f"not '{request.language}'",
                hint=f'add a voice for it: options: {{voices: {{"{lang}": /path/voice.onnx}}}}',
            )
        preset = PRESETS.get(request.preset)
        if preset is None:
            raise UnsupportedError(
                f"unknown voice preset '{request.preset}'", hint=f"presets: {', '.join(PRESETS)}"
            )
        module = _piper_module()
        alignments = self.options.alignments and _can_align()
        voice = load_voice(files, alignments)
        config = voice.config
        scale = (preset.scale if self.options.shape_presets and not own else 1.0) * 2 ** (
            (request.pitch + variant_semitones(request.variant)) / 12
        )
        rate_factor = max(0.1, request.rate)
        noise = self.options.noise_scale
        syn = module.SynthesisConfig(
            speaker_id=self._speaker(request.preset, config),
            length_scale=config.length_scale * preset.length * scale / rate_factor,
            noise_scale=(noise if noise is not None else config.noise_scale) * preset.noise,
            noise_w_scale=self.options.noise_w,
        )
        chunks: list[Samples] = []
        items: list[tuple[str, int, int]] = []  # (phoneme code point, start, end) in samples
        aligned = alignments
        offset = 0
        with _run_lock:  # one model run at a time per process (onnxruntime uses the cores)
            extra = {"include_alignments": True} if alignments else {}
            for chunk in voice.synthesize(request.text, syn, **extra):
                audio = np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1)
                found = getattr(chunk, "phoneme_alignments", None)  # piper-tts 1.6+
                if found is None:
                    aligned = False
                else:
                    at = offset
                    for alignment in found:
                        items.append((alignment.phoneme, at, at + int(alignment.num_samples)))
                        at += int(alignment.num_samples)
                chunks.append(audio)
                offset += len(audio)
        rate = int(config.sample_rate)
        raw = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        samples = rescale(raw, scale)
        pad = round(self.options.silence_ms / 1000 * rate)
        loud = np.flatnonzero(np.abs(samples) > 10 ** (-50 / 20))
        if loud.size == 0:
            return np.zeros(max(2 * pad, rate // 4), np.float32), rate, (), ()
        first = max(0, int(loud[0]) - pad)
        samples = samples[first : min(len(samples), int(loud[-1]) + 1 + pad)]
        duration = len(samples) / rate

        def seconds(sample: int) -> float:  # raw sample -> seconds in the trimmed clip
            return min(duration, max(0.0, (sample / scale - first) / rate))

        words: tuple[WordTiming, ...] = ()
        phonemes: tuple[PhonemeTiming, ...] = ()
        if aligned and items:
            phonemes = tuple(
                PhonemeTiming(name, seconds(s0), seconds(s1))
                for name, s0, s1 in _merge_phonemes(items)
                if name not in _SPLIT_MARKS and name not in ("^", "$", "_")
            )
            words = self._aligned_words(request.text, items, seconds)
        if not words:
            words = estimate_word_timings(samples, rate, request.text)
        return samples.astype(np.float32), rate, words, phonemes

    @staticmethod
    def _aligned_words(
        text: str, items: list[tuple[str, int, int]], seconds: Any
    ) -> tuple[WordTiming, ...]:
        """Word timings from phoneme alignments, if Piper's words match the text's; else ()."""
        groups: list[list[int]] = []  # [start, end] sample of each run of sounding phonemes
        current: list[int] | None = None
        for name, start, end in items:
            if name in ("^", "$", "_") or name in _SPLIT_MARKS:
                current = None
                continue
            if name in _SILENT_MARKS and current is None:
                continue
            if current is None:
                current = [start, end]
                groups.append(current)
            else:
                current[1] = end
        spans = split_words(text)
        wordy = [any(ch.isalnum() for ch in text[a:b]) for a, b in spans]
        if len(groups) != sum(wordy) or not groups:
            return ()
        found = iter(groups)
        sounds = []
        for spoken in wordy:  # a word and its sound, or a dash or mark with none
            s0, s1 = next(found) if spoken else (None, None)
            sounds.append((seconds(s0), seconds(s1)) if s0 is not None else None)
        return words_from_sounds(text, spans, sounds)

    def _speaker(self, preset: str, config: Any) -> int | None:
        """Speaker id for a preset in a multi-speaker voice, from the options."""
        chosen = self.options.speakers.get(preset)
        if chosen is None or int(config.num_speakers) <= 1:
            return None
        if isinstance(chosen, int):
            return chosen
        if chosen in config.speaker_id_map:
            return int(config.speaker_id_map[chosen])
        raise UserError(
            f"the Piper voice has no speaker '{chosen}'",
            hint=f"speakers: {', '.join(config.speaker_id_map) or 'numbered only'}",
        )
