"""The music stage's interface: a genre and a length in, a stereo WAV out."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from aifilm.pipeline.backend import Backend


@dataclass(frozen=True)
class MusicRequest:
    """What to play: genre, exact length in seconds, seed, and optional tempo and mood."""

    genre: str
    duration: float
    seed: int = 0
    tempo: int | None = None
    mood: str | None = None
    sample_rate: int = 48000


@dataclass(frozen=True)
class MusicTrack:
    """A finished music bed: a stereo WAV of the requested length, faded in and out."""

    path: Path
    duration: float
    sample_rate: int
    genre: str | None


class MusicBackend(Backend):
    """Base of music backends."""

    stage: ClassVar[str] = "music"

    @abstractmethod
    def compose(self, request: MusicRequest, out: Path) -> MusicTrack:
        """Write a stereo WAV of exactly `request.duration` seconds to `out`, with fades."""

    @abstractmethod
    def genres(self) -> list[str]:
        """Genre ids this backend can play."""
