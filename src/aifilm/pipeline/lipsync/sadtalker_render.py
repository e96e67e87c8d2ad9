"""One shot through SadTalker's networks: the still's head re-rendered for every frame.

The order is SadTalker's (``inference.py``: ``CropAndExtract``, ``Audio2Coeff``,
``AnimateFromCoeff``; OpenTalker/SadTalker, Apache-2.0), for one face in one shot: the
picture's coefficients, then speech to 25 fps expression and pose coefficients, then the
renderer a batch of film frames at a time, each frame pasted into the still as it comes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from aifilm.models.loader import Loaded
from aifilm.pipeline.lipsync.base import Box, LipSyncRequest

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

EXP_BATCH = 64  # mel windows per audio2exp call


def _serial(loaded: Loaded, kind: str, call: Callable[[], Any]) -> Any:
    """Run `call` while no other thread uses the networks."""

    def run(items: list[Callable[[], Any]]) -> list[Any]:
        return [item() for item in items]

    return loaded.batcher.submit(("sadtalker", kind), call, run)


def coefficients(
    loaded: Loaded, face: npt.NDArray[np.uint8], request: LipSyncRequest, options: Any
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """The picture's 70 coefficients, and the shot's (frames at 25 fps, 70) coefficients."""
    import numpy as np
    import torch

    from aifilm.pipeline.lipsync.melspec import SAMPLE_RATE, melspectrogram
    from aifilm.pipeline.lipsync.sadtalker_motion import (
        FPS,
        blink_ratios,
        face3d_input,
        frames_at_25,
        mel_windows,
        smooth_pose,
    )
    from aifilm.pipeline.lipsync.sadtalker_nets.face3d import semantics
    from aifilm.pipeline.lipsync.wav2lip import speech_track

    nets = loaded.model
    device, dtype = loaded.placement.device, loaded.placement.torch_dtype()
    count = frames_at_25(request.frames, request.fps)
    track = speech_track(request.lines, request.start, count / FPS + 0.25, SAMPLE_RATE)
    mels = mel_windows(melspectrogram(track), count)
    seed = (request.seed + options.seed) % 2**32
    blinks = blink_ratios(count, np.random.default_rng(seed))
    if options.still:  # SadTalker's --still also keeps the eyes open
        blinks[:] = 0

    def tensor(a: Any) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a)).to(device=device, dtype=dtype)

    def run() -> tuple[Any, Any, Any]:
        with torch.inference_mode():
            picture = face3d_input(face).transpose(2, 0, 1)[None]
            source = semantics(nets["face_3drecon"](tensor(picture)).float())  # (1, 70)
            ref_exp = source[:, :64].to(dtype)
            exp = []
            for first in range(0, count, EXP_BATCH):
                chunk = tensor(mels[first : first + EXP_BATCH, None])
                n = chunk.shape[0]
                ratio = tensor(blinks[first : first + n])
                exp.append(nets["audio2exp"](chunk, ref_exp.expand(n, -1), ratio).float())
            generator = torch.Generator().manual_seed(seed)
            pose = nets["audio2pose"].motion(
                tensor(mels[None, :, None]), source[:, 64:].to(dtype), options.pose_style, generator
            )
            return source.cpu().numpy()[0], torch.cat(exp).cpu().numpy(), pose.float().cpu().numpy()

    source, exp, pose = _serial(loaded, "coefficients", run)
    pose = smooth_pose(pose.astype(np.float64)).astype(np.float32)
    if options.still:
        pose[:] = source[64:]
    coeffs = np.concatenate([exp * options.expression_scale, pose], axis=1)
    return source.astype(np.float32), coeffs.astype(np.float32)


def render_frames(
    loaded: Loaded,
    still: npt.NDArray[np.uint8],
    crop: Box,
    request: LipSyncRequest,
    options: Any,
) -> Iterator[npt.NDArray[np.uint8]]:
    """Every frame of the shot: the still with the re-rendered head blended in its crop."""
    import cv2
    import numpy as np
    import torch

    from aifilm.pipeline.lipsync.sadtalker_motion import coefficient_windows, source_window
    from aifilm.pipeline.lipsync.sadtalker_nets.mapping import transform_keypoints
    from aifilm.pipeline.lipsync.wav2lip import feather_mask

    nets = loaded.model
    device, dtype = loaded.placement.device, loaded.placement.torch_dtype()
    size = int(options.size)
    x0, y0, x1, y1 = crop
    side = x1 - x0
    region = np.ascontiguousarray(still[y0:y1, x0:x1])
    interp = cv2.INTER_AREA if side > size else cv2.INTER_CUBIC
    face = np.asarray(cv2.resize(region, (size, size), interpolation=interp), np.uint8)
    source, coeffs = coefficients(loaded, face, request, options)
    image = torch.from_numpy(face.transpose(2, 0, 1).copy()).to(device=device, dtype=dtype) / 255

    def prepare() -> tuple[Any, Any, Any]:
        with torch.inference_mode():
            canonical = nets["kp_extractor"](image[None])
            window = torch.from_numpy(source_window(source)).to(device=device, dtype=dtype)
            kp_source = transform_keypoints(canonical, nets["mapping"](window))
            return canonical, kp_source, nets["generator"].source_features(image[None])

    canonical, kp_source, volume = _serial(loaded, "prepare", prepare)
    alpha = feather_mask(side, side, round(options.feather * side))
    base = region.astype(np.float32)
    step = options.batch_size
    for first in range(0, request.frames, step):
        chosen = np.arange(first, min(request.frames, first + step))
        windows = coefficient_windows(coeffs, chosen, request.fps)

        def run(windows: Any = windows) -> Any:
            with torch.inference_mode():
                n = windows.shape[0]
                driving = nets["mapping"](torch.from_numpy(windows).to(device=device, dtype=dtype))
                kp_driving = transform_keypoints(canonical.expand(n, -1, -1), driving)
                out = nets["generator"].render(
                    volume.expand(n, -1, -1, -1, -1), kp_driving, kp_source.expand(n, -1, -1)
                )
                return out.float().clamp(0, 1).mul(255).permute(0, 2, 3, 1).cpu().numpy()

        rendered = _serial(loaded, "render", run)
        for pixels in rendered:
            big = cv2.resize(pixels, (side, side), interpolation=cv2.INTER_LINEAR)
            frame = still.copy()
            frame[y0:y1, x0:x1] = (base + (big - base) * alpha).round().astype(np.uint8)
            yield frame
