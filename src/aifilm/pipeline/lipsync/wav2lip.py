"""Wav2Lip lip-sync: a neural network redraws the lower face to match the speech.

Per face and shot, as Rudrabha/Wav2Lip's ``inference.py`` does for a still image: the
face box (from the face detector, a drawn picture's ``Visual.faces``, or estimated from the
spec's mouth box) is padded (by default 10 px below, to take in the chin), cut from the
still and resized to 96x96; the network gets that face with its lower half blacked out
plus the whole face as the reference (6 channels, BGR as it was trained), and the 16 mel
frames around each video frame; its 96x96 face is resized back into the box. Frames
where the character is silent keep the still's own face. Frames are made in batches and
encoded as they come (a lossless clip of the box alone), never the shot's frames all in
memory; the composer lays the clip on the still before the camera moves.

A face too small for the network falls back to the embedded mouth shapes (`visemes`),
with a note in the render report. The weights (``wav2lip.pth``, ``wav2lip_gan.pth``) are
for personal, research and non-commercial use only.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from aifilm.models.checkpoint import (
    checkpoint_fingerprint,
    load_tensors,
    match_state_dict,
    resolve_checkpoint,
)
from aifilm.models.loader import Loaded, get_or_load
from aifilm.models.options import ModelBackend, ModelOptions, default_model
from aifilm.pipeline.compose.base import Overlay
from aifilm.pipeline.lipsync.base import (
    Box,
    Face,
    LipSync,
    LipSyncBackend,
    LipSyncRequest,
    SpokenLine,
)
from aifilm.pipeline.lipsync.visemes import embedded_mouths

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

CHECKPOINT_NAMES = ("wav2lip_gan.pth", "wav2lip.pth")
CLIP_FILE = "face.mkv"
FACE = 96
MIN_FACE = 24  # a face box smaller than this (px) is too small to redraw
_WEIGHTS = (
    "Wav2Lip licence: personal, research and non-commercial use only "
    "(commercial use needs a licence from Sync Labs)"
)


def face_box(face: Face) -> tuple[Box, bool]:
    """The face's box, and whether it was estimated from the mouth (a spec `mouth:` box)."""
    if face.face is not None:
        return face.face, False
    # the inverse of `faces.mouth_from_face`: the mouth spans 44% x 19% of a frontal face
    x0, y0, x1, y1 = face.mouth
    w, h = (x1 - x0) / 0.44, (y1 - y0) / 0.19
    left, top = x0 - 0.28 * w, y0 - 0.69 * h
    return (math.floor(left), math.floor(top), math.ceil(left + w), math.ceil(top + h)), True


def padded_box(box: Box, pads: Sequence[int], size: tuple[int, int]) -> Box:
    """`box` grown by Wav2Lip's (top, bottom, left, right) pads, inside the picture, with even
    edges (the composer's 4:2:0 chroma grid)."""
    top, bottom, left, right = pads
    x0 = max(0, box[0] - left) // 2 * 2
    y0 = max(0, box[1] - top) // 2 * 2
    x1 = min(size[0] // 2 * 2, (box[2] + right + 1) // 2 * 2)
    y1 = min(size[1] // 2 * 2, (box[3] + bottom + 1) // 2 * 2)
    return x0, y0, x1, y1


def speaking_frames(lines: Sequence[SpokenLine], start: float, frames: int, fps: int) -> list[bool]:
    """Which of the shot's frames have the face's speech under their middle."""
    out = [False] * frames
    for line in lines:
        first = max(0, math.floor((line.start - start) * fps - 0.5))
        last = min(frames, math.ceil((line.start + line.duration - start) * fps + 0.5))
        for n in range(first, last):
            t = start + (n + 0.5) / fps
            if line.start <= t < line.start + line.duration:
                out[n] = True
    return out


def speech_track(
    lines: Sequence[SpokenLine], start: float, seconds: float, rate: int
) -> npt.NDArray[np.float32]:
    """The face's speech from film time `start` for `seconds`, mono at `rate` Hz."""
    import numpy as np

    from aifilm.errors import AssetError
    from aifilm.media.wav import read_wav
    from aifilm.pipeline.compose.audio import resample

    track = np.zeros(max(1, math.ceil(seconds * rate)), np.float32)
    for line in lines:
        try:
            samples, src = read_wav(line.audio)
        except (OSError, ValueError, EOFError) as exc:
            raise AssetError(
                f"cannot read speech clip {line.audio}: {exc}", path=line.audio
            ) from None
        mono = resample(samples.mean(axis=1).astype(np.float32), src, rate)
        offset = round((line.start - start) * rate)
        cut = max(0, -offset)
        piece = mono[cut:]
        at = max(0, offset)
        piece = piece[: max(0, track.size - at)]
        track[at : at + piece.size] += piece
    return track


def feather_mask(width: int, height: int, inset: int) -> npt.NDArray[np.float32]:
    """Blend weights of the redrawn face: 1 inside, easing to 0 over `inset` px at the edges."""
    import numpy as np

    x = np.minimum(np.arange(width), np.arange(width)[::-1]).astype(np.float32)
    y = np.minimum(np.arange(height), np.arange(height)[::-1]).astype(np.float32)
    edge = np.minimum(x[None, :], y[:, None]) + 1
    if not inset:
        return np.ones((height, width, 1), np.float32)
    return np.clip(edge / inset, 0, 1).astype(np.float32)[:, :, None]


class Wav2LipLipSync(ModelBackend, LipSyncBackend):
    """Lips redrawn by the Wav2Lip network from the speech (non-commercial weights)."""

    name: ClassVar[str] = "wav2lip"
    description: ClassVar[str] = "Wav2Lip neural lip-sync (torch; a GPU advised)"
    requires: ClassVar[tuple[str, ...]] = ("torch", "cv2")
    license: ClassVar[str] = "MIT (aifilm's implementation of the Wav2Lip network)"
    weights_license: ClassVar[str | None] = _WEIGHTS
    fixed_weights_licence: ClassVar[str | None] = _WEIGHTS
    commercial_use: ClassVar[bool] = False
    version: ClassVar[str] = "1"

    class Options(ModelOptions):
        """Which checkpoint, how the face is cut, how many frames a batch holds."""

        pads: tuple[int, int, int, int] = Field(
            (0, 10, 0, 0), description="Pixels added to the face box: top, bottom, left, right."
        )
        batch_size: int = Field(32, ge=1, le=512, description="Frames per network call.")
        feather: int = Field(
            4, ge=0, le=32, description="Pixels over which the redrawn face blends in (0: none)."
        )

    options: Options

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self._checkpoint: Path | None = None

    def checkpoint(self) -> Path:
        """The checkpoint file chosen (`ModelNotFoundError` naming it if it is missing)."""
        if self._checkpoint is None:
            self._checkpoint = resolve_checkpoint(
                self.options.model, CHECKPOINT_NAMES, what="Wav2Lip", revision=self.options.revision
            )
        return self._checkpoint

    def model_folder(self) -> Path:
        """The folder of the checkpoint file."""
        return self.checkpoint().parent

    def model_fingerprint(self) -> Any:
        """The checkpoint file's identity: other weights, other clips."""
        return checkpoint_fingerprint(self.checkpoint())

    def model_licence(self) -> dict[str, Any]:
        """The weights' terms: non-commercial whichever Wav2Lip checkpoint is used."""
        return {
            "model": str(self.options.model),
            "code_license": self.license,
            "weights_license": _WEIGHTS,
            "commercial_use": False,
        }

    @classmethod
    def find_model(cls, name: str) -> str:
        path = resolve_checkpoint(name, CHECKPOINT_NAMES, what="Wav2Lip", allow_download=False)
        return f"{name} at {path}"

    def load(self) -> Loaded:
        """The network with the checkpoint's weights, loaded once per process."""
        path = self.checkpoint()
        placement = self.placement()
        key = ("wav2lip", str(path), checkpoint_fingerprint(path), placement)

        def load() -> Loaded:
            from aifilm.pipeline.lipsync.wav2lip_net import build

            hint = (
                "get wav2lip_gan.pth or wav2lip.pth again: "
                f"aifilm models pull {default_model(self.name)}"
            )
            saved = load_tensors(path, what="Wav2Lip", hint=hint)
            state = saved.get("state_dict", saved)
            if not hasattr(state, "items"):
                from aifilm.models.checkpoint import CheckpointError

                raise CheckpointError(f"{path} has no state_dict of weights", hint=hint)
            state = {k.removeprefix("module."): v for k, v in state.items()}
            model = build()
            match_state_dict(model, state, path, what="Wav2Lip", hint=hint)
            model = model.to(device=placement.device, dtype=placement.torch_dtype()).eval()
            return Loaded(model, path.parent, placement)

        return get_or_load(key, load)

    def animate(self, request: LipSyncRequest, out_dir: Path) -> LipSync:
        """Redraw the face's lower half for every frame it speaks; a clip of the face box."""
        import numpy as np
        from PIL import Image

        from aifilm.pipeline.lipsync.melspec import SAMPLE_RATE, melspectrogram

        speaking = speaking_frames(request.lines, request.start, request.frames, request.fps)
        if not any(speaking):
            return LipSync("none", note="nothing said")
        with Image.open(request.visual.path) as im:
            still = np.asarray(im.convert("RGB"))
        height, width = still.shape[:2]
        box, estimated = face_box(request.face)
        x0, y0, x1, y1 = padded_box(box, self.options.pads, (width, height))
        who = request.face.character or "the narrator"
        if min(x1 - x0, y1 - y0) < MIN_FACE:
            return embedded_mouths(
                request, out_dir, f"{who}'s face ({x1 - x0}x{y1 - y0} px) is too small for wav2lip"
            )
        loaded = self.load()
        seconds = request.frames / request.fps + 0.25  # the last frame's mel window
        mel = melspectrogram(speech_track(request.lines, request.start, seconds, SAMPLE_RATE))
        crop = np.ascontiguousarray(still[y0:y1, x0:x1])
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / CLIP_FILE
        frames = self._frames(loaded, crop, mel, speaking, request.fps)
        _write_clip(path, frames, request.fps, (x1 - x0, y1 - y0))
        note = f"{who}: face box estimated from the mouth box" if estimated else None
        return LipSync("overlay", overlay=Overlay(path, x0, y0, request.start), note=note)

    def _frames(
        self,
        loaded: Loaded,
        crop: npt.NDArray[np.uint8],
        mel: npt.NDArray[np.float32],
        speaking: list[bool],
        fps: int,
    ) -> Iterator[npt.NDArray[np.uint8]]:
        """The face box of every frame, made a batch at a time."""
        import cv2
        import numpy as np
        import torch

        from aifilm.pipeline.lipsync.melspec import mel_window

        placement = loaded.placement
        dtype = placement.torch_dtype()
        h, w = crop.shape[:2]
        face = cv2.resize(crop[:, :, ::-1], (FACE, FACE)).astype(np.float32) / 255  # BGR
        masked = face.copy()
        masked[FACE // 2 :] = 0
        six = torch.from_numpy(np.concatenate([masked, face], axis=2).transpose(2, 0, 1).copy())
        six = six.to(device=placement.device, dtype=dtype)
        alpha = feather_mask(w, h, self.options.feather)
        base = crop.astype(np.float32)
        step = self.options.batch_size
        for first in range(0, len(speaking), step):
            chunk = range(first, min(len(speaking), first + step))
            talking = [n for n in chunk if speaking[n]]
            redrawn: dict[int, npt.NDArray[np.uint8]] = {}
            if talking:
                windows = np.stack([mel_window(mel, n, fps) for n in talking])[:, None]
                audio = torch.from_numpy(windows).to(device=placement.device, dtype=dtype)
                faces = six.unsqueeze(0).expand(len(talking), -1, -1, -1)

                def run(items: list[tuple[Any, Any]]) -> list[Any]:
                    with torch.inference_mode():
                        return [loaded.model(a, f).float().cpu().numpy() for a, f in items]

                pred = loaded.batcher.submit("wav2lip", (audio, faces), run)
                for n, p in zip(talking, pred, strict=True):
                    rgb = (p.transpose(1, 2, 0)[:, :, ::-1] * 255).clip(0, 255).astype(np.uint8)
                    big = cv2.resize(rgb, (w, h)).astype(np.float32)
                    redrawn[n] = (base + (big - base) * alpha).round().astype(np.uint8)
            for n in chunk:
                yield redrawn.get(n, crop)


def _write_clip(
    path: Path, frames: Iterator[npt.NDArray[np.uint8]], fps: int, size: tuple[int, int]
) -> None:
    """Encode frames losslessly (FFV1, RGB) as they come: the still's pixels stay exact."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("ffv1", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "bgr0"
        for pixels in frames:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
