"""The voice stage's interface: text in, a WAV with word and phoneme timings out."""

from __future__ import annotations

import threading
from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from aifilm.pipeline.backend import Backend
from aifilm.pipeline.timeline import SpeechClip


@dataclass(frozen=True)
class SpeechRequest:
    """One line to speak: its text, language and how the speaker sounds."""

    text: str
    language: str = "en"
    preset: str = "adult-female"  # one of spec.vocabulary.VOICE_PRESETS
    voice_id: str | None = None  # the backend's own voice name, overrides the preset
    rate: float = 1.0  # multiplier
    pitch: float = 0.0  # semitones
    # Which of the preset's voices: speakers of one film sharing a preset count 0, 1, 2...
    variant: int = 0


@dataclass(frozen=True)
class VoiceInfo:
    """A voice a backend offers, for `aifilm voices`."""

    id: str
    language: str
    preset: str | None
    description: str


class VoiceBackend(Backend):
    """Base of text-to-speech backends."""

    stage: ClassVar[str] = "voice"
    # Whether the voice stage may speak several lines at once (one per worker).
    parallel_lines: ClassVar[bool] = False

    @abstractmethod
    def synthesize(self, request: SpeechRequest, out: Path) -> SpeechClip:
        """Speak the request into the WAV file `out` (mono) and return it with its timings.

        Word timings are required (subtitles use them); phoneme timings are wanted
        for lip-sync. Raise `UnsupportedError` for a language the backend lacks.
        """

    @abstractmethod
    def voices(self, language: str | None = None) -> list[VoiceInfo]:
        """The voices offered, optionally for one language."""

    def notes(self) -> list[str]:
        """Things a render should tell the user (lines spoken by a fallback voice)."""
        return []

    def expect_lines(self, lines: int, at_once: int) -> None:
        """The stage will now speak `lines` lines (the rest are cached), `at_once` together.

        A backend on this machine's CPU may size its threads by it: an edit's one line can
        use the cores that a full render gives one line each.
        """

    def warm(self) -> None:
        """Load what speaking a line needs (a model), so the next line starts at once.

        Called only where models stay loaded between renders (`keep_models_warm`).
        """

    def languages(self) -> list[str]:
        """Language codes this backend speaks."""
        return sorted({v.language for v in self.voices()})

    def estimate_duration(self, request: SpeechRequest) -> float:
        """Seconds the line will take, without synthesising (for `aifilm plan`)."""
        from aifilm.pipeline.plan.estimate import estimate_speech_seconds

        return estimate_speech_seconds(request.text, request.language, request.rate, request.preset)


_keep_warm = threading.Event()


def keep_models_warm(keep: bool = True) -> None:
    """From now on (until called with False) voice stages leave their model loaded.

    For `aifilm render --watch`: its first render often takes every line from the
    cache and would load no model, so the first edited line would pay the load (about
    1 s of CPU for Kokoro). The cost is the model's memory held from the first render
    on (about 120 MB for Kokoro) even when no line is ever edited; a single render,
    which never calls this, loads a model only for a line it speaks.
    """
    if keep:
        _keep_warm.set()
    else:
        _keep_warm.clear()


def models_kept_warm() -> bool:
    """Whether `keep_models_warm` was called in this process."""
    return _keep_warm.is_set()


# Pitch offsets that tell apart characters sharing a backend's only voice for a preset
# (SpeechRequest.variant): small enough to stay the same age and sex, large enough to hear
# in a conversation. Backends with several voices per preset pick one per variant instead.
_VARIANT_SEMITONES = (0.0, -1.5, 1.5, -3.0, 3.0, -0.75, 0.75, -2.25, 2.25)


def variant_semitones(variant: int) -> float:
    """Pitch shift (semitones) for a variant, for backends with one voice per preset."""
    return _VARIANT_SEMITONES[variant % len(_VARIANT_SEMITONES)]
