"""The visuals stage's interface: a shot's `VisualSpec` in, a picture (or clip) out."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from aifilm.draw.faces import FaceBoxes
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
class Layer:
    """One plane of a layered still, which the camera passes at its own depth (parallax).

    `path` is a PNG of `width` x `height` (the first layer of a still: its opaque,
    full-size background; the others RGBA, cropped to what they hold) whose top-left
    goes at (`x`, `y`) in the still's pixels. `depth` is how much faster than the
    background it moves under the camera (0: with it; 0.5: half as fast again). A
    `name`d layer is one character (an animal that hops): a lip-sync overlay that
    `replaces` it stands in.
    """

    path: Path
    x: int
    y: int
    width: int
    height: int
    depth: float = 0.0
    name: str | None = None

    @property
    def box(self) -> tuple[int, int, int, int]:
        """Where it lies in the still: left, top, right, bottom (exclusive)."""
        return (self.x, self.y, self.x + self.width, self.y + self.height)


@dataclass(frozen=True)
class Visual:
    """A shot's picture: a still image (PNG/JPEG) or a video clip, at the requested size.

    A drawn still also says where its talking faces are (`faces`, in its pixels) and,
    when it was drawn in planes, its `layers` (background first) for parallax; `path`
    is always the whole picture flattened.
    """

    path: Path
    kind: Literal["still", "video"]
    width: int
    height: int
    note: str | None = None  # e.g. "no image given: generated a still"
    faces: tuple[FaceBoxes, ...] = ()
    layers: tuple[Layer, ...] = ()

    def face_of(self, character: str | None) -> FaceBoxes | None:
        """The face of `character` in this picture, if it has one."""
        return next((f for f in self.faces if f.character == character), None)

    def to_meta(self, folder: Path) -> dict[str, Any]:
        """This visual as JSON for a cache entry in `folder` (paths relative to it)."""
        return {
            "file": self.path.relative_to(folder).as_posix(),
            "kind": self.kind,
            "width": self.width,
            "height": self.height,
            "note": self.note,
            "faces": [asdict(f) for f in self.faces],
            "layers": [
                {**asdict(layer), "path": layer.path.relative_to(folder).as_posix()}
                for layer in self.layers
            ],
        }

    @classmethod
    def from_meta(cls, meta: dict[str, Any], folder: Path) -> Visual:
        """The visual a cache entry in `folder` holds (the inverse of `to_meta`)."""
        return cls(
            folder / meta["file"],
            meta["kind"],
            int(meta["width"]),
            int(meta["height"]),
            meta.get("note"),
            tuple(FaceBoxes.from_dict(f) for f in meta.get("faces") or ()),
            tuple(
                Layer(**{**layer, "path": folder / layer["path"]})
                for layer in meta.get("layers") or ()
            ),
        )


class VisualsBackend(Backend):
    """Base of visual backends."""

    stage: ClassVar[str] = "visuals"
    timed: ClassVar[bool] = False  # True if output depends on the shot's length (video models)

    @abstractmethod
    def render(self, request: VisualRequest, out_dir: Path) -> Visual:
        """Write the shot's picture into `out_dir` and describe it."""
