"""The compose stage's interface: timeline, pictures, sound and subtitles in, an MP4 out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from aifilm.pipeline.backend import Backend
from aifilm.pipeline.cache import Cache
from aifilm.pipeline.timeline import Timeline
from aifilm.pipeline.visuals.base import Visual

if TYPE_CHECKING:
    from aifilm.pipeline.compose.job import SegmentJob

Progress = Callable[[float], None]  # fraction done, 0..1


class SegmentEncoder(Protocol):
    """Who encodes a film's segments: `ffmpeg.encode_segments` (in this process, several at
    once within `budget` bytes) unless a render hands the composer another (the server's
    Celery tasks, `aifilm.server.segments`).

    Returns each job's segment file (from `cache` or encoded into it) and counts: `encoded`,
    `reused`, `frames_encoded`, `jobs` (encodes at once), `threads` (each), and optionally
    `tasks` (what was sent elsewhere, and who encoded it).
    """

    def __call__(
        self,
        jobs: Sequence[SegmentJob],
        costs: Sequence[int],
        cache: Cache,
        *,
        width: int,
        height: int,
        cores: int,
        budget: int,
        progress: Progress | None = None,
    ) -> tuple[list[Path], dict[str, Any]]:
        """Each job's segment file, and counts."""
        ...


@dataclass(frozen=True)
class Overlay:
    """A small clip laid over a shot's still before the camera moves (e.g. a talking mouth).

    `path` is anything FFmpeg reads as video (a clip, or an `.ffconcat` list of images
    with durations); frames may carry alpha. (`x`, `y`) is where its top-left corner
    goes in the still's pixels, so it follows the zoom or pan; `start` is the film time
    of its first frame. It shows until it ends or the shot does. On a layered still it
    is laid on the layer under it and moves with that layer; one that `replaces` a
    named layer (an animal hopping) is drawn instead of it, at that layer's depth.
    """

    path: Path
    x: int
    y: int
    start: float = 0.0
    replaces: str | None = None  # the named layer (`Layer.name`) it stands in for


@dataclass(frozen=True)
class CompositionRequest:
    """Everything the composer needs, already made by earlier stages.

    `visuals` are in timeline shot order. `audio` is the final mix (stereo WAV,
    exactly the film's length). `subtitles_ass` is burned in when given. `overlays`,
    when given, holds each shot's overlays (in shot order; `()` for none).
    `segment_cache`, when given, keeps encoded segments between renders, so a render
    after an edit encodes only the segments whose picture changed. `segment_encoder`,
    when given, encodes the missing ones instead of this process (it must store them in
    `segment_cache`). `audio_aac`, when given, is the same mix already encoded as the
    film's AAC track (the join copies it). `audio_ready`, when given, blocks until `audio`
    and `audio_aac` exist: the mix is still being made, so a composer that
    `waits_for_audio` encodes the picture meanwhile (see `ComposeBackend.waits_for_audio`).
    """

    timeline: Timeline
    visuals: list[Visual]
    audio: Path
    subtitles_ass: Path | None = None
    fonts_dir: Path | None = None
    quality: str = "standard"  # draft | standard | high
    watermark: str | None = None
    overlays: list[tuple[Overlay, ...]] = field(default_factory=list)  # per shot, or empty
    segment_cache: Cache | None = None
    segment_encoder: SegmentEncoder | None = None
    audio_aac: Path | None = None
    audio_ready: Callable[[], None] | None = None


@dataclass(frozen=True)
class Composition:
    """The finished film file and facts about how it was made."""

    path: Path
    duration: float
    facts: dict[str, object] = field(default_factory=dict)


class ComposeBackend(Backend):
    """Base of composers."""

    stage: ClassVar[str] = "compose"

    def source_size(self, width: int, height: int, camera: str) -> tuple[int, int]:
        """Size the still for a shot must have so `camera` motion never shows its edges."""
        return width, height

    def waits_for_audio(self) -> bool:
        """Whether `compose` calls `CompositionRequest.audio_ready` before reading the audio
        (so the render mixes the sound while this composer encodes the picture)."""
        return False

    @abstractmethod
    def compose(
        self, request: CompositionRequest, out: Path, progress: Progress | None = None
    ) -> Composition:
        """Write the film to `out` (MP4, H.264 High + AAC-LC 48 kHz stereo, faststart)."""
