"""The lipsync stage's interface: a shot's still, a face in it and its speech in; an animation out.

A backend gets one `LipSyncRequest` per face that can talk in a shot: the shot's
picture, where the face is (`Face`, in the picture's pixels), the lines that face
speaks while the shot is on screen (audio, word and phoneme timings, film times) and
the shot's frames. It answers with a `LipSync`:

- ``overlay``: a small clip (mouth and eyes) and where it goes on the still; the
  composer lays it on the still before the camera moves (what the default does);
- ``video``: a whole new clip for the shot, the size of the picture (what a Wav2Lip or
  SadTalker backend on a GPU would give);
- ``none``: nothing to animate (the still is shown as it is).
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from aifilm.pipeline.backend import Backend
from aifilm.pipeline.compose.base import Overlay
from aifilm.pipeline.timeline import PhonemeTiming, WordTiming
from aifilm.pipeline.visuals.base import Visual

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive), in the still's pixels


@dataclass(frozen=True)
class Face:
    """One character's face in a still: where its mouth (and eyes) are, and its colours.

    `source` says how it was found: "portrait" (a drawn picture's `Visual.faces`),
    "layout" (a podcast panel's portrait), "spec" (the character's `mouth:` box) or
    "detected" (the face detector). Colours are ``#rrggbb``; None: read from the picture.
    """

    character: str | None  # the speaker's name as lines carry it (None: the narrator)
    mouth: Box
    source: str
    face: Box | None = None
    eyes: tuple[Box, ...] = ()
    skin: str | None = None
    lips: str | None = None
    mouth_line: str | None = None


@dataclass(frozen=True)
class SpokenLine:
    """A line the face speaks: its audio and timings, `start` in film seconds."""

    audio: Path
    start: float
    duration: float
    words: tuple[WordTiming, ...] = ()
    phonemes: tuple[PhonemeTiming, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class LipSyncRequest:
    """Animate `face` on `visual` for the shot's `frames` frames from film time `start`."""

    shot: str  # the shot's id, for messages
    visual: Visual
    face: Face
    lines: tuple[SpokenLine, ...]
    start: float  # film time of the shot clip's first frame (transitions included)
    frames: int
    fps: int
    seed: int = 0  # for blinks and anything else random


@dataclass(frozen=True)
class LipSync:
    """What a backend made for one face in one shot."""

    kind: Literal["overlay", "video", "none"]
    overlay: Overlay | None = None
    video: Path | None = None  # a clip replacing the shot's picture (kind "video")
    note: str | None = None


class LipSyncBackend(Backend):
    """Base of lip-sync backends."""

    stage: ClassVar[str] = "lipsync"

    @abstractmethod
    def animate(self, request: LipSyncRequest, out_dir: Path) -> LipSync:
        """Write the animation for one face into `out_dir` and describe it."""
