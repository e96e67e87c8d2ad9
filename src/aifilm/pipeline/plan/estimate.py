"""Speech length estimates, for planning before any voice is synthesised."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aifilm.pipeline.plan.timing import LineKey
    from aifilm.pipeline.voice.base import VoiceBackend
    from aifilm.spec.models import Project

# Typical speaking rates: words per minute, or characters per minute for
# scripts written without spaces between words.
_WPM = 150.0
_CPM_NO_SPACES = {"zh": 250.0, "ja": 330.0}
_PRESET_RATE = {
    "baby": 0.75,
    "toddler": 0.85,
    "child": 0.95,
    "pre-teen": 1.0,
    "young-adult": 1.08,
    "adult-male": 1.0,
    "adult-female": 1.0,
    "mature": 0.88,
}


def estimate_speech_seconds(
    text: str, language: str, rate: float = 1.0, preset: str = "adult-female"
) -> float:
    """Seconds a line takes to say at an ordinary pace, with pauses for punctuation."""
    speed = rate * _PRESET_RATE.get(preset, 1.0)
    pauses = 0.25 * len(re.findall(r"[.!?;:。！？]", text)) + 0.1 * len(
        re.findall(r"[,、，]", text)
    )
    if language in _CPM_NO_SPACES:
        chars = len(re.findall(r"\w", text))
        return chars / _CPM_NO_SPACES[language] * 60.0 / speed + pauses
    words = len(re.findall(r"\w+", text))
    return max(0.4, words / _WPM * 60.0 / speed + pauses)


EXACT_LINES = 80  # up to this many lines, every one is estimated by the backend itself
SAMPLE_LINES = 40


def speech_estimates(project: Project, voice: VoiceBackend) -> dict[LineKey, float]:
    """Seconds each spoken line will take, by the voice backend's own estimate.

    A backend's estimate can cost real work (espeak synthesises the line: about 40 ms),
    which for a feature script's thousand lines is most of a minute before anything
    starts. Past `EXACT_LINES`, the backend estimates an even sample of the lines and
    the rest follow the word-count estimate scaled to agree with it.
    """
    from aifilm.pipeline.stages import speech_requests

    requests = speech_requests(project)
    if len(requests) <= EXACT_LINES:
        return {key: voice.estimate_duration(r) for key, r in requests.items()}
    generic = {
        key: estimate_speech_seconds(r.text, r.language, r.rate, r.preset)
        for key, r in requests.items()
    }
    keys = list(requests)
    step = len(keys) / SAMPLE_LINES
    sample = [keys[int(n * step)] for n in range(SAMPLE_LINES)]
    measured = sum(voice.estimate_duration(requests[key]) for key in sample)
    ratio = measured / max(1e-9, sum(generic[key] for key in sample))
    return {key: seconds * ratio for key, seconds in generic.items()}
