"""What SadTalker's networks get and give, in numpy: crops, mel windows, coefficient windows.

Follows OpenTalker/SadTalker (Apache-2.0): ``src/generate_batch.py`` (mel windows, blinks),
``src/test_audio2coeff.py`` (pose smoothing), ``src/generate_facerender_batch.py``
(coefficient windows) and ``src/face3d/util/preprocess.py`` (the 3D fitting's input).
SadTalker works at 25 frames a second; the coefficients are made at that rate and read
at the film's frame times (`coefficient_windows`), so a film at 24 or 30 fps moves as
SadTalker would.

Where SadTalker aligns the face with a landmark detector, aifilm uses the face box it
already has (`head_box`): a square around the face, and the 3D fitting's input made as
SadTalker makes it when its detector finds no landmarks (the crop taken as a
standard-aligned face, `face3d_input`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from aifilm.pipeline.lipsync.base import Box

FPS = 25  # SadTalker's frame rate
MEL_STEP = 16
SEMANTIC_RADIUS = 13
FACE3D_SIZE = 224
FACE3D_INNER = 204  # align_img: the standard face spans 2 x rescale_factor (102) px
POSE_WINDOW = 13  # savgol_filter(pose, 13, 2) in test_audio2coeff.py


def head_box(face: Box, size: tuple[int, int], scale: float) -> Box:
    """A square `scale` times the face box's longer side, about its centre, inside the
    picture (shifted in, or shrunk where the picture is smaller), with even edges."""
    width, height = size
    x0, y0, x1, y1 = face
    side = min(width, height, round(max(x1 - x0, y1 - y0) * scale))
    side -= side % 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = min(max(0, round(cx - side / 2)), width - side)
    top = min(max(0, round(cy - side / 2)), height - side)
    left, top = left - left % 2, top - top % 2
    return left, top, left + side, top + side


def face3d_input(face: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """The 224x224 picture the 3D fitting network gets from a square face crop, in [0, 1].

    SadTalker, finding no landmarks, places the standard face's five points on the crop
    and aligns to them: the crop scaled to 204x204 (bicubic) in the middle of 224x224
    black, whatever the crop's size. The face box crop is taken the same way.
    """
    from PIL import Image

    inner = FACE3D_INNER
    small = Image.fromarray(face).resize((inner, inner), Image.Resampling.BICUBIC)
    out = np.zeros((FACE3D_SIZE, FACE3D_SIZE, 3), np.float32)
    at = (FACE3D_SIZE - inner) // 2
    out[at : at + inner, at : at + inner] = np.asarray(small, np.float32) / 255
    return out


def frames_at_25(frames: int, fps: int) -> int:
    """How many 25 fps frames cover a shot of `frames` at `fps` (at least two)."""
    return max(2, math.ceil(frames * FPS / fps) + 1)


def mel_windows(mel: npt.NDArray[np.float32], count: int) -> npt.NDArray[np.float32]:
    """(count, 80, 16): frame i hears mel frames from (i - 2) / 25 s, clamped, as SadTalker."""
    starts = (80.0 * (np.arange(count) - 2) / FPS).astype(np.int64)
    index = np.clip(starts[:, None] + np.arange(MEL_STEP)[None, :], 0, mel.shape[1] - 1)
    return np.ascontiguousarray(mel[:, index].transpose(1, 0, 2))


def blink_ratios(count: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """(count, 1) eye-closing ratios: a 5-frame blink every 10 to 70 frames, as SadTalker."""
    ratio = np.zeros((count, 1), np.float32)
    if count <= 20:
        return ratio
    frame = 0
    while True:
        start = int(rng.integers(min(10, count), max(min(10, count) + 1, min(count // 2, 70))))
        if frame + start + 5 > count - 1:
            return ratio
        ratio[frame + start : frame + start + 5, 0] = [0.5, 0.9, 1.0, 0.9, 0.5]
        frame += start + 5


def savgol(x: npt.NDArray[np.float64], window: int, order: int = 2) -> npt.NDArray[np.float64]:
    """Savitzky-Golay smoothing along axis 0, edges fitted (scipy's ``mode='interp'``)."""
    n = x.shape[0]
    if window > n:
        window = (n - 1) // 2 * 2 + 1
    if window <= order:
        return x.copy()
    half = window // 2
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    vander = np.vander(offsets, order + 1, increasing=True)
    fit = np.linalg.pinv(vander)  # polynomial coefficients from a window
    out = np.empty_like(x, dtype=np.float64)
    views = np.lib.stride_tricks.sliding_window_view(x, window, axis=0)  # (n-w+1, ..., w)
    out[half : n - half] = np.tensordot(views, fit[0], axes=([-1], [0]))
    for edge, rows in ((x[:window], np.arange(half)), (x[-window:], np.arange(half + 1, window))):
        poly = np.tensordot(fit, edge, axes=([1], [0]))  # (order + 1, ...)
        values = np.tensordot(vander[rows], poly, axes=([1], [0]))
        if rows[0] == 0:
            out[:half] = values
        else:
            out[n - half :] = values
    return out


def smooth_pose(pose: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Pose smoothed over 13 frames (fewer for short clips), as SadTalker smooths it."""
    return savgol(pose, POSE_WINDOW if pose.shape[0] >= POSE_WINDOW else pose.shape[0])


def coefficient_windows(
    coeffs: npt.NDArray[np.float32], frames: Sequence[int] | npt.NDArray[np.int64], fps: int
) -> npt.NDArray[np.float32]:
    """The mapping network's input for film frames `frames`: (len, 70, 27).

    Frame n is shown at n / fps s; its window is the 27 coefficient frames (at 25 fps)
    around that time, clamped at the ends and interpolated between frames.
    """
    at = np.asarray(frames, np.float64)[:, None] * FPS / fps
    pos = np.clip(at + np.arange(-SEMANTIC_RADIUS, SEMANTIC_RADIUS + 1), 0, len(coeffs) - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, len(coeffs) - 1)
    frac = (pos - lo)[..., None].astype(np.float32)
    windows = coeffs[lo] * (1 - frac) + coeffs[hi] * frac  # (len, 27, 70)
    return np.ascontiguousarray(windows.transpose(0, 2, 1))


def source_window(semantics: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The picture's own 70 coefficients repeated over a window: (1, 70, 27)."""
    return np.repeat(semantics.reshape(1, -1, 1), 2 * SEMANTIC_RADIUS + 1, axis=2)
