"""Coqui TTS voices (the maintained ``coqui-tts`` package): VITS and XTTS, voice cloning.

A model is a Coqui model name (``tts_models/en/vctk/vits``,
``tts_models/multilingual/multi-dataset/xtts_v2``) or a local checkpoint: a folder with
``config.json`` and the model file (``model.pth``, ``model_file.pth``, ``checkpoint.pth``;
XTTS: ``model.pth`` + ``vocab.json`` + ``speakers_xtts.pth``), or the model file itself
with ``config.json`` beside it. Either way it loads through Coqui's own ``TTS.api.TTS``,
once per process. A named model that is not downloaded stops the render with the folder
it should be in; ``aifilm models pull NAME`` fetches it, or ``AIFILM_ALLOW_DOWNLOADS=1``
lets Coqui's model manager fetch it during a render.

Voices: the eight age presets map to the model's speakers in one table (`VOICE_TABLES`,
per model family; the ``voices`` option overrides it, by ``"language/preset"``,
``"preset"`` or ``"language"``). A table entry, a ``voices`` value or a speaker's
``voice_id`` is either a speaker of the model or a path to a reference clip (WAV, MP3,
FLAC...) to clone: XTTS conditions on the clip (``speaker_wav``), which is decoded by
FFmpeg here rather than by torchaudio. Speakers from the built-in table stand in for ages
they are not (VCTK's speakers are 18-38), so they are shaped like Piper's stand-ins:
pitch and formants raised for children and lowered for ``mature``, the length kept.

Timings: Coqui reports none, so word timings are estimated from the audio's energy
(`estimate_word_timings`) and lip-sync uses its text-based mouths. Runs are seeded by the
line, so a re-render speaks the same audio.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import threading
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import Field

from aifilm.errors import UnsupportedError, UserError
from aifilm.media.wav import write_wav
from aifilm.models.device import DeviceChoice, place
from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.timeline import SpeechClip
from aifilm.pipeline.voice.align import estimate_word_timings
from aifilm.pipeline.voice.base import SpeechRequest, VoiceBackend, VoiceInfo
from aifilm.pipeline.voice.coqui_models import (
    DEFAULT_MODEL,
    ModelFiles,
    catalog_entry,
    is_named,
    load_model,
    model_family,
    model_files,
)
from aifilm.pipeline.voice.espeak import rescale
from aifilm.pipeline.voice.piper import PERMISSIVE_LICENCES, PRESETS
from aifilm.spec.vocabulary import VOICE_PRESETS

Samples = npt.NDArray[np.float32]

AUDIO_SUFFIXES = frozenset({".wav", ".mp3", ".flac", ".ogg", ".opus", ".m4a", ".aac"})
XTTS_RATE = 22050  # XTTS reads reference clips at this rate

# The one table: preset -> speaker, per model family (matched in the model's name).
# Starting points: listen and override with the `voices` option.
VOICE_TABLES: dict[str, dict[str, str]] = {
    "vctk": {  # VCTK speakers (English accents, ages 18-38)
        "baby": "p308",
        "toddler": "p308",
        "child": "p336",
        "pre-teen": "p305",
        "young-adult": "p255",
        "adult-male": "p232",
        "adult-female": "p225",
        "mature": "p227",
    },
    "xtts": {  # XTTS-v2's built-in studio speakers
        "baby": "Gracie Wise",
        "toddler": "Gracie Wise",
        "child": "Daisy Studious",
        "pre-teen": "Tammie Ema",
        "young-adult": "Andrew Chipper",
        "adult-male": "Damien Black",
        "adult-female": "Claribel Dervla",
        "mature": "Viktor Eka",
    },
}
# Our language codes where Coqui's differ.
XTTS_LANGUAGES = {"zh": "zh-cn"}
_run_lock = threading.Lock()  # one model run at a time per process (torch uses the cores)


def _is_clip(value: str) -> bool:
    return Path(value).suffix.lower() in AUDIO_SUFFIXES


class CoquiVoice(VoiceBackend):
    """Coqui TTS (VITS, XTTS) voices on your machine, with voice cloning from a clip."""

    name: ClassVar[str] = "coqui"
    description: ClassVar[str] = "Coqui TTS neural voices: VITS, XTTS, cloning (GPU advised)"
    extra: ClassVar[str | None] = "coqui"
    requires: ClassVar[tuple[str, ...]] = ("TTS", "torch", "torchaudio")  # TTS needs both
    license: ClassVar[str] = "MPL-2.0 (coqui-tts) + MIT (aifilm)"
    weights_license: ClassVar[str | None] = (
        "per model: VCTK VITS (default) Apache-2.0 on CC-BY-4.0 data; XTTS-v2 Coqui Public "
        "Model License (non-commercial); see the model's card"
    )
    commercial_use: ClassVar[bool] = True  # of the default model; per instance below
    version: ClassVar[str] = "1"

    class Options(BackendOptions):
        """Which model and speakers, on which device."""

        model: str = Field(DEFAULT_MODEL, description="Coqui model name or local checkpoint.")
        voices: dict[str, str] = Field(
            default_factory=dict,
            description='Speaker or reference clip by "language/preset", "preset" or '
            '"language"; overrides the built-in table.',
        )
        shape_presets: bool = Field(
            True, description="Shift pitch and formants of stand-in speakers for the presets."
        )
        language: str | None = Field(
            None, description="Language a one-language local model speaks (default: any)."
        )
        seed: int = Field(0, description="Added to each line's seed: change it to re-roll.")
        device: DeviceChoice = "auto"
        silence_ms: int = Field(50, ge=0, le=1000, description="Silence kept around speech.")

    options: Options

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self._files: ModelFiles | None = None
        self._latents: dict[str, tuple[Any, Any]] = {}
        licence = self._declared_licence()
        if licence is not None:
            object.__setattr__(self, "weights_license", licence)
            permissive = licence.strip().lower() in PERMISSIVE_LICENCES
            object.__setattr__(self, "commercial_use", permissive)

    def _declared_licence(self) -> str | None:
        """The licence of the configured model, read cheaply (no torch); None if unknown."""
        model = self.options.model
        if is_named(model):
            licence = catalog_entry(model).get("license")
        else:
            config = Path(model).expanduser()
            config = (config if config.is_dir() else config.parent) / "config.json"
            try:
                data = json.loads(config.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            licence = data.get("license") or data.get("licence") if isinstance(data, dict) else None
        return str(licence) if licence else f"unknown: see the model card ({model})"

    def files(self) -> ModelFiles:
        """The configured model's files (checked once)."""
        if self._files is None:
            self._files = model_files(self.options.model)
        return self._files

    def identity(self) -> dict[str, Any]:
        """Backend, options, the coqui-tts build and the model file's size and time."""
        try:
            engine = importlib.metadata.version("coqui-tts")
        except importlib.metadata.PackageNotFoundError:
            engine = "missing"
        stamp: list[int] | None = None
        path = Path(self.options.model).expanduser()
        if path.exists():
            files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file())
            stamp = [int(s) for f in files for s in (f.stat().st_size, f.stat().st_mtime_ns)]
        return {**super().identity(), "engine": f"coqui-tts {engine}", "files": stamp}

    # --- voices -------------------------------------------------------------------------

    def table(self) -> dict[str, str]:
        """Preset -> speaker for the model's family (empty for an unknown family)."""
        return dict(VOICE_TABLES.get(model_family(self.options.model) or "", {}))

    def voice_for(self, request: SpeechRequest) -> tuple[str | None, bool]:
        """The speaker name or reference clip for a line, and whether it was chosen for it
        (used as is) rather than standing in for the preset (shaped)."""
        if request.voice_id:
            return self.options.voices.get(request.voice_id, request.voice_id), True
        lang = request.language.lower()
        base = lang.replace("_", "-").split("-")[0]
        for key, own in (
            (f"{lang}/{request.preset}", True),
            (f"{base}/{request.preset}", True),
            (request.preset, True),
            (lang, False),
            (base, False),
        ):
            if key in self.options.voices:
                return self.options.voices[key], own
        return self.table().get(request.preset), False

    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """One voice per preset: the table's speakers (or clips), for the model's language."""
        lang = language or self.options.language or self._model_language() or "en"
        found = []
        for preset, about in VOICE_PRESETS.items():
            voice, _ = self.voice_for(SpeechRequest("", lang, preset))
            if voice is None:
                voice = "default speaker"
            kind = "clone of " if _is_clip(voice) else ""
            found.append(VoiceInfo(voice, lang, preset, f"{about} (Coqui {kind}{voice})"))
        return found

    def _model_language(self) -> str | None:
        parts = self.options.model.split("/")
        if len(parts) == 4 and parts[0] == "tts_models" and parts[1] != "multilingual":
            return parts[1].split("-")[0].lower()
        return None

    # --- speaking -----------------------------------------------------------------------

    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the line into a mono 16-bit WAV at the model's rate, with word timings."""
        preset = PRESETS.get(request.preset)
        if preset is None:
            raise UnsupportedError(
                f"unknown voice preset '{request.preset}'", hint=f"presets: {', '.join(PRESETS)}"
            )
        files = self.files()
        tts = load_model(files, place(self.options.device).device)
        voice, own = self.voice_for(request)
        scale = (preset.scale if self.options.shape_presets and not own else 1.0) * 2 ** (
            request.pitch / 12
        )
        # Slower by the shaping scale, then resampled shorter by it: same length, new pitch.
        length = preset.length * scale / max(0.1, request.rate)
        text = request.text.strip()
        rate = int(tts.synthesizer.output_sample_rate)
        if not text:
            silence = np.zeros(rate // 4, np.float32)
            write_wav(out, silence, rate)
            return SpeechClip(out, len(silence) / rate, rate)
        seed = int.from_bytes(
            hashlib.sha256(f"{self.options.seed}/{request.preset}/{text}".encode()).digest()[:4],
            "little",
        )
        raw = self._speak(tts, text, request.language, voice, length, seed)
        samples = rescale(raw, scale)
        samples = self._trim(samples, rate)
        write_wav(out, samples, rate)
        words = estimate_word_timings(samples, rate, text)
        return SpeechClip(out, len(samples) / rate, rate, words)

    def _speak(
        self, tts: Any, text: str, language: str, voice: str | None, length: float, seed: int
    ) -> Samples:
        """Run the model (one line at a time per process) and return float32 samples."""
        import torch

        model = tts.synthesizer.tts_model
        xtts = type(model).__name__ == "Xtts"
        lang = self._language(tts, language, xtts)
        speaker = clip = None
        if voice is not None and _is_clip(voice):
            clip = Path(voice).expanduser()
            if not clip.is_file():
                raise UserError(
                    f"reference clip for voice cloning not found: {clip}",
                    hint="give a WAV/MP3/FLAC of the voice, 6-30 s of clean speech",
                )
        else:
            speaker = self._speaker(tts, voice)
        with _run_lock:
            torch.manual_seed(seed)
            if xtts and clip is not None:
                gpt, embedding = self._clone(model, clip)
                settings = {
                    k: model.config[k]
                    for k in (
                        "temperature",
                        "length_penalty",
                        "repetition_penalty",
                        "top_k",
                        "top_p",
                    )
                }
                result = model.inference(
                    text, lang, gpt, embedding, speed=1 / length, enable_text_splitting=True,
                    **settings,
                )  # fmt: skip
                wav = result["wav"]
            elif xtts:
                wav = tts.tts(text, speaker=speaker, language=lang, speed=1 / length)
            else:
                saved = getattr(model, "length_scale", None)
                if saved is not None:
                    model.length_scale = float(saved) * length
                try:
                    wav = tts.tts(
                        text,
                        speaker=speaker,
                        language=lang,
                        speaker_wav=str(clip) if clip else None,
                        split_sentences=True,
                    )
                finally:
                    if saved is not None:
                        model.length_scale = saved
        if isinstance(wav, torch.Tensor):
            wav = wav.detach().cpu().numpy()
        return np.asarray(wav, dtype=np.float32).reshape(-1)

    def _clone(self, model: Any, clip: Path) -> tuple[Any, Any]:
        """XTTS conditioning from a reference clip (decoded by FFmpeg), cached per clip."""
        import torch

        from aifilm.pipeline.cache import file_digest
        from aifilm.pipeline.voice.http import decode_audio

        digest = file_digest(clip)
        if digest not in self._latents:
            samples = decode_audio(clip.read_bytes(), XTTS_RATE)
            seconds = int(getattr(model.config, "max_ref_len", 30))
            audio = torch.from_numpy(samples[: XTTS_RATE * seconds].copy())[None].to(model.device)
            gpt = model.get_gpt_cond_latents(
                audio,
                XTTS_RATE,
                length=int(getattr(model.config, "gpt_cond_len", 6)),
                chunk_length=int(getattr(model.config, "gpt_cond_chunk_len", 6)),
            )
            embedding = model.get_speaker_embedding(audio, XTTS_RATE)
            self._latents[digest] = (gpt, embedding)
        return self._latents[digest]

    def _language(self, tts: Any, language: str, xtts: bool) -> str | None:
        """The model's name for the line's language; `UnsupportedError` if it lacks it."""
        base = language.lower().replace("_", "-").split("-")[0]
        offered = list(tts.languages or []) if tts.is_multi_lingual else []
        if offered:
            wanted = XTTS_LANGUAGES.get(base, base) if xtts else base
            for name in offered:
                if name.lower() in (wanted, language.lower()):
                    return str(name)
            raise UnsupportedError(
                f"the Coqui model {self.options.model} does not speak '{language}'",
                hint=f"it speaks: {', '.join(offered)}",
            )
        fixed = self.options.language or self._model_language()
        if fixed and fixed != base:
            raise UnsupportedError(
                f"the Coqui model {self.options.model} speaks '{fixed}', not '{language}'",
                hint="choose a model for the language (`tts --list_models`) or XTTS-v2",
            )
        return None

    def _speaker(self, tts: Any, voice: str | None) -> str | None:
        """The model's speaker for a table entry (its first speaker for none);
        `UserError` naming the speakers if unknown."""
        speakers = list(tts.speakers or [])
        if not speakers:
            return None  # one-speaker model: the table's names do not apply
        if voice is None:
            return str(speakers[0])
        if voice in speakers:
            return voice
        for name in speakers:  # VCTK checkpoints name speakers "p225" or "VCTK_p225"
            if name.endswith(f"_{voice}") or voice.endswith(f"_{name}"):
                return str(name)
        shown = ", ".join(speakers[:12]) + (" ..." if len(speakers) > 12 else "")
        raise UserError(
            f"the Coqui model {self.options.model} has no speaker '{voice}'",
            hint=f"speakers: {shown}; or give a reference clip path (.wav) to clone",
        )

    def _trim(self, samples: Samples, rate: int) -> Samples:
        """Cut leading and trailing silence down to `silence_ms`."""
        pad = round(self.options.silence_ms / 1000 * rate)
        loud = np.flatnonzero(np.abs(samples) > 10 ** (-50 / 20))
        if loud.size == 0:
            return np.zeros(max(2 * pad, rate // 4), np.float32)
        first = max(0, int(loud[0]) - pad)
        return samples[first : min(len(samples), int(loud[-1]) + 1 + pad)].astype(np.float32)
