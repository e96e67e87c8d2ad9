"""Speech length estimates, for planning before any voice is synthesised."""

from __future__ import annotations

import re

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
