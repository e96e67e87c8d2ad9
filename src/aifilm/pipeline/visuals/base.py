"""The visuals stage's interface: a shot's `VisualSpec` in, a picture (or clip) out."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

from aifilm.pipeline.backend import Backend
from aifilm.pipeline.timeline import VisualSpec


@dataclass(frozen=True)
class VisualRequest:
    """Make the picture for one shot at `width` x `height` (already including room for motion)."""

    spec: VisualSpec
    width: int
    height: int
    duration: float
    fps: int
    title: str | None = None  # the film's title, for generated stills
    language: str = "en"


@dataclass(frozen=True)
class Visual:
    """A shot's picture: a still image (PNG/JPEG) or a video clip, at the requested size."""

    path: Path
    kind: Literal["still", "video"]
    width: int
    height: int
    note: str | None = None  # e.g. "no image given: generated a still"


class VisualsBackend(Backend):
    """Base of visual backends."""

    stage: ClassVar[str] = "visuals"
    timed: ClassVar[bool] = False  # True if output depends on the shot's length (video models)

    @abstractmethod
    def render(self, request: VisualRequest, out_dir: Path) -> Visual:
        """Write the shot's picture into `out_dir` and describe it."""
