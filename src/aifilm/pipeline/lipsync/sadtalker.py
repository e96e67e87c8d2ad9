"""SadTalker talking heads: the whole head moves with the speech, not only the lips.

SadTalker (OpenTalker/SadTalker, Apache-2.0) animates a head from one picture and
speech. Its v0.0.2 release ships six networks in two files:

- ``SadTalker_V0.0.2_256.safetensors`` (or ``_512``): the networks' weights under the
  prefixes ``audio2exp.`` (speech to expression coefficients), ``audio2pose.`` (speech
  to head pose, a conditional VAE), ``face_3drecon.`` (the ResNet-50 that fits a 3D face
  model to the picture), ``kp_extractor.`` (face keypoints) and ``generator.`` (the
  face renderer, facevid2vid with SPADE);
- ``mapping_00229-model.pth.tar`` (crop and resize modes) or ``mapping_00109-model.pth.tar``
  (full mode): the mapping network from coefficients to keypoint motion, under
  ``"mapping"``.

The networks are ported in `aifilm.pipeline.lipsync.sadtalker_nets` (the checkpoints
load into them strictly), the glue in `aifilm.pipeline.lipsync.sadtalker_motion`. Per
face and shot, as SadTalker's ``inference.py`` in its ``crop`` mode:

1. a square around the face box (from the face detector, a drawn picture's ``Visual.faces`` or
   the spec's mouth box) is cut from the still and resized to 256x256;
2. ``face_3drecon`` gives its 3DMM coefficients: expression, angles, translation;
3. the face's speech (its lines placed on the shot's time, silence between) becomes
   Wav2Lip's mel spectrogram, one 0.2 s window per 25 fps frame; ``audio2exp`` gives
   each frame's expression (with random blinks), ``audio2pose`` the head's motion (its
   latents drawn from the shot's seed, so a re-render moves the same);
4. for every film frame, ``mapping`` turns the 27 coefficient frames around it into
   keypoint motion, and the ``generator`` re-renders the face from the crop;
5. the rendered face is scaled back and blended into the still (feathered edges), and
   the frames are encoded as they come into a clip the size of the picture, which
   replaces the shot's still (``video``): the camera move of the shot is not applied.

Between lines the networks hear silence: the mouth rests, the head keeps its idle
motion and the eyes blink. Where SadTalker aligns the face with a landmark detector,
aifilm uses its face box (SadTalker's own fallback when no landmarks are found); no BFM
files are needed. A face too small to render falls back to the embedded mouth shapes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from aifilm.models.checkpoint import (
    CheckpointError,
    checkpoint_fingerprint,
    load_tensors,
    match_state_dict,
    resolve_checkpoint,
)
from aifilm.models.loader import Loaded, get_or_load
from aifilm.models.options import ModelBackend, ModelOptions
from aifilm.pipeline.lipsync.base import LipSync, LipSyncBackend, LipSyncRequest

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

REPO = "vinthony/SadTalker"
NETWORKS = ("audio2exp", "audio2pose", "face_3drecon", "kp_extractor", "generator")
MAPPING = {"crop": "mapping_00229-model.pth.tar", "full": "mapping_00109-model.pth.tar"}
_HINT = f"fetch the release files again: aifilm models pull {REPO}"
_LICENCE = "Apache-2.0 (OpenTalker/SadTalker code and checkpoints)"
CLIP_FILE = "head.mp4"
MIN_FACE = 32  # a head crop smaller than this (px) is too small to re-render


@dataclass(frozen=True)
class SadTalkerFiles:
    """Where SadTalker's two checkpoint files are."""

    networks: Path  # SadTalker_V0.0.2_<size>.safetensors
    mapping: Path  # mapping_<...>-model.pth.tar


def find_sadtalker(
    model: str | Path = REPO,
    *,
    size: Literal[256, 512] = 256,
    preprocess: Literal["crop", "full"] = "crop",
    allow_download: bool | None = None,
) -> SadTalkerFiles:
    """The checkpoint files for `size` and `preprocess`, or `ModelNotFoundError` naming the
    missing file and the pull command."""
    networks = resolve_checkpoint(
        model,
        (f"SadTalker_V0.0.2_{size}.safetensors",),
        what="SadTalker",
        allow_download=allow_download,
    )
    mapping = resolve_checkpoint(
        model, (MAPPING[preprocess],), what="SadTalker", allow_download=allow_download
    )
    return SadTalkerFiles(networks, mapping)


def split_networks(tensors: Mapping[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """Each network's state dict (prefix removed), as SadTalker loads them; every one of
    `NETWORKS` must be there."""
    found: dict[str, dict[str, Any]] = {name: {} for name in NETWORKS}
    for key, value in tensors.items():
        prefix, _, rest = key.partition(".")
        if prefix in found and rest:
            found[prefix][rest] = value
    missing = [name for name, state in found.items() if not state]
    if missing:
        raise CheckpointError(
            f"{path} is not a SadTalker checkpoint: no weights for {', '.join(missing)} "
            f"(it needs {', '.join(NETWORKS)})",
            hint=_HINT,
        )
    return found


def load_sadtalker(files: SadTalkerFiles) -> dict[str, dict[str, Any]]:
    """The six networks' state dicts: the five of the safetensors file and ``mapping``."""
    networks = split_networks(
        load_tensors(files.networks, what="SadTalker", hint=_HINT), files.networks
    )
    saved = load_tensors(files.mapping, what="SadTalker mapping", hint=_HINT)
    mapping = saved.get("mapping")
    if not isinstance(mapping, Mapping) or not mapping:
        raise CheckpointError(
            f"{files.mapping} is not a SadTalker mapping checkpoint: no 'mapping' weights "
            f"(it holds {', '.join(sorted(map(str, saved))[:5]) or 'nothing'})",
            hint=_HINT,
        )
    networks["mapping"] = dict(mapping)
    return networks


def _fill_counters(state: dict[str, Any], model: Any) -> dict[str, Any]:
    """Batch norms' ``num_batches_tracked`` counters where a file left them out (torch
    fills them in the same way when it loads such a file)."""
    import torch

    own = model.state_dict()
    missing = {
        k: torch.zeros((), dtype=torch.long)
        for k in own
        if k.endswith(".num_batches_tracked") and k not in state
    }
    return {**state, **missing}


def build_loaded(states: dict[str, dict[str, Any]], files: SadTalkerFiles) -> dict[str, Any]:
    """The six networks with the checkpoints' weights (strict: every tensor must fit)."""
    from aifilm.pipeline.lipsync.sadtalker_nets import SadTalkerSizes, build_networks

    nets = build_networks(SadTalkerSizes.of(states))
    for name, net in nets.items():
        path = files.mapping if name == "mapping" else files.networks
        what = f"SadTalker {name}"
        match_state_dict(net, _fill_counters(states[name], net), path, what=what, hint=_HINT)
    return nets


class SadTalkerLipSync(ModelBackend, LipSyncBackend):
    """The whole head animated by SadTalker's networks from the speech (Apache-2.0)."""

    name: ClassVar[str] = "sadtalker"
    description: ClassVar[str] = "SadTalker talking heads: head, face, lips (torch; GPU advised)"
    requires: ClassVar[tuple[str, ...]] = ("torch", "cv2", "safetensors")
    license: ClassVar[str] = "Apache-2.0 (aifilm's port of the SadTalker networks, MIT glue)"
    weights_license: ClassVar[str | None] = _LICENCE
    fixed_weights_licence: ClassVar[str | None] = _LICENCE
    commercial_use: ClassVar[bool] = True
    version: ClassVar[str] = "1"

    class Options(ModelOptions):
        """Which release files, how the head is cut, how it moves, frames per batch."""

        size: Literal[256, 512] = Field(256, description="Which release: 256 or 512 px faces.")
        crop_scale: float = Field(
            1.6, ge=1.0, le=4.0, description="Head crop: this many times the face box's side."
        )
        still: bool = Field(
            False, description="Keep the picture's head pose (SadTalker's --still): less motion."
        )
        pose_style: int = Field(0, ge=0, le=45, description="Head motion style (0-45).")
        expression_scale: float = Field(
            1.0, ge=0.0, le=3.0, description="Expression strength (--expression_scale)."
        )
        batch_size: int = Field(8, ge=1, le=256, description="Frames per generator call.")
        feather: float = Field(
            0.1, ge=0.0, le=0.5, description="Share of the crop over which its edges blend in."
        )

    options: Options

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self._files: SadTalkerFiles | None = None

    def files(self) -> SadTalkerFiles:
        """The two checkpoint files (`ModelNotFoundError` naming a missing one)."""
        if self._files is None:
            self._files = find_sadtalker(self.options.model, size=self.options.size)
        return self._files

    def model_folder(self) -> Path:
        """The folder of the networks' file."""
        return self.files().networks.parent

    def model_fingerprint(self) -> Any:
        """Both files' identities: other weights, other clips."""
        files = self.files()
        return [checkpoint_fingerprint(files.networks), checkpoint_fingerprint(files.mapping)]

    def model_licence(self) -> dict[str, Any]:
        """Apache-2.0 code and weights: commercial use allowed."""
        return {
            "model": str(self.options.model),
            "code_license": self.license,
            "weights_license": _LICENCE,
            "commercial_use": True,
        }

    @classmethod
    def find_model(cls, name: str) -> str:
        files = find_sadtalker(name, allow_download=False)
        return f"{name}: {files.networks.name}, {files.mapping.name}"

    def load(self) -> Loaded:
        """The six networks with the release's weights, loaded once per process."""
        files = self.files()
        placement = self.placement()
        key = (
            "sadtalker",
            str(files.networks),
            checkpoint_fingerprint(files.networks),
            str(files.mapping),
            checkpoint_fingerprint(files.mapping),
            placement,
        )

        def load() -> Loaded:
            nets = build_loaded(load_sadtalker(files), files)
            for name, net in nets.items():
                nets[name] = net.to(device=placement.device, dtype=placement.torch_dtype()).eval()
            return Loaded(nets, files.networks.parent, placement)

        return get_or_load(key, load)

    def animate(self, request: LipSyncRequest, out_dir: Path) -> LipSync:
        """Re-render the head for every frame of the shot; a clip the size of the picture."""
        import numpy as np
        from PIL import Image

        from aifilm.pipeline.lipsync.sadtalker_motion import head_box
        from aifilm.pipeline.lipsync.wav2lip import face_box, speaking_frames

        speaking = speaking_frames(request.lines, request.start, request.frames, request.fps)
        if not any(speaking):
            return LipSync("none", note="nothing said")
        with Image.open(request.visual.path) as im:
            still = np.asarray(im.convert("RGB"))
        height, width = still.shape[:2]
        box, estimated = face_box(request.face)
        crop = head_box(box, (width, height), self.options.crop_scale)
        side = crop[2] - crop[0]
        who = request.face.character or "the narrator"
        if side < MIN_FACE:
            from aifilm.pipeline.lipsync.visemes import embedded_mouths

            why = f"{who}'s head ({side}x{side} px) is too small for sadtalker"
            return embedded_mouths(request, out_dir, why)
        loaded = self.load()
        from aifilm.pipeline.lipsync.sadtalker_render import render_frames

        frames = render_frames(loaded, still, crop, request, self.options)
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / CLIP_FILE
        _write_video(path, frames, request.fps, (width // 2 * 2, height // 2 * 2))
        note = f"{who}: face box estimated from the mouth box" if estimated else None
        return LipSync("video", video=path, note=note)


def _write_video(
    path: Path, frames: Iterator[npt.NDArray[np.uint8]], fps: int, size: tuple[int, int]
) -> None:
    """Encode whole pictures as they come (H.264, near-lossless): never the shot in memory."""
    import av
    import numpy as np

    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "10", "preset": "fast"})
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv444p"
        for pixels in frames:
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(pixels[:height, :width]), format="rgb24"
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
