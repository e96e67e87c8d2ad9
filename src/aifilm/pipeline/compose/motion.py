"""Camera motion on a still in FFmpeg filters: smooth, sub-pixel Ken Burns at a low cost.

The problem: `zoompan` and `scale`+`crop` place the picture on whole pixels, so a slow
zoom repeats frames and then jumps (measured at 720p on a 1.03x zoom over 4 s: 50% and
81% identical consecutive frames). `perspective` moves by sub-pixels but costs about
13 ms of CPU per 720p frame (it rebuilds a per-pixel table for every frame).

The method: render only *keyframes* where the picture has moved about one pixel, give
each keyframe the exact time at which the continuous motion reaches it, and let
`framerate` blend the two keyframes around every output frame with weights from those
times. Blending two images one pixel apart with weights (1-a, a) *is* bilinear
interpolation at offset a, so every frame moves by its exact sub-pixel amount
(`benchmarks/motion_study.py` measures this):

- pans are a pure translation at 1:1, so a keyframe is a free `crop` one pixel further
  along (in 4:4:4, so the chroma moves with the luma: `crop` aligns 4:2:0 chroma to
  even offsets); about 1 ms per frame in all, with the conversion back to 4:2:0;
- zooms render keyframes with `perspective` (exact geometry; `scale` to whole-pixel
  sizes cannot keep width and height in proportion, a 0.5 px wobble at the frame's
  top and bottom) every few frames, when the frame's edge has moved about a pixel.

The still is made `MARGIN` times larger than the frame (`source_size`). The picture
is only ever shrunk, never enlarged, so the end of a zoom-in is as sharp as the still.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MARGIN = 1.15  # how much larger than the frame a still for a moving camera is
MOVING = frozenset({"zoom-in", "zoom-out", "pan-left", "pan-right", "pan-up", "pan-down"})
# a zoom keyframe is rendered where the frame's left/right edge has moved this far
KEY_STEP_PX = 1.0


def even(value: float) -> int:
    """The nearest even integer at least 2 (yuv420p needs even sizes)."""
    return max(2, 2 * round(value / 2))


def source_size(width: int, height: int, camera: str) -> tuple[int, int]:
    """How big a still must be for `camera` on a `width` x `height` frame."""
    if camera not in MOVING:
        return even(width), even(height)
    return even(width * MARGIN), even(height * MARGIN)


@dataclass(frozen=True)
class Window:
    """The part of the still seen in one frame, in source pixels."""

    x: float
    y: float
    w: float
    h: float


def _full(src_w: int, src_h: int, out_w: int, out_h: int) -> tuple[float, float]:
    """The largest window with the frame's aspect that fits in the still."""
    w = min(float(src_w), src_h * out_w / out_h)
    return w, w * out_h / out_w


def window(camera: str, p: float, src_w: int, src_h: int, out_w: int, out_h: int) -> Window:
    """Where the window is at progress `p` (0 at the clip's first frame, 1 at its last)."""
    fw, fh = _full(src_w, src_h, out_w, out_h)
    zoom = max(1.0, fw / out_w)
    if camera in ("zoom-in", "zoom-out"):
        q = p if camera == "zoom-in" else 1.0 - p
        # geometric, so the apparent speed of the push stays constant
        w, h = fw * zoom**-q, fh * zoom**-q
        return Window((src_w - w) / 2, (src_h - h) / 2, w, h)
    # pans look through a frame-sized window (1:1) that slides across the whole still
    w, h = float(out_w), float(out_h)
    dx, dy = _travel(camera, src_w, src_h, out_w, out_h)
    cx, cy = float(dx // 2), float(dy // 2)
    if camera == "pan-left":
        return Window(dx * (1.0 - p), cy, w, h)
    if camera == "pan-right":
        return Window(dx * p, cy, w, h)
    if camera == "pan-up":
        return Window(cx, dy * (1.0 - p), w, h)
    if camera == "pan-down":
        return Window(cx, dy * p, w, h)
    return Window(cx, cy, w, h)


def _travel(camera: str, src_w: int, src_h: int, out_w: int, out_h: int) -> tuple[int, int]:
    return max(0, src_w - out_w), max(0, src_h - out_h)


def _num(value: float) -> str:
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _blend(frames: int, fps: int) -> str:
    """`framerate` blending keyframes by their times, then exactly `frames` CFR frames."""
    return (
        f"framerate=fps={fps}:interp_start=0:interp_end=255:flags=0,"
        f"trim=end_frame={frames},settb=1/{fps},setpts=N"
    )


def zoom_every(frames: int, src_w: int, src_h: int, out_w: int, out_h: int) -> int:
    """Frames between zoom keyframes: as many as the frame's edge needs to move a pixel."""
    last = max(1, frames - 1)
    fw, _ = _full(src_w, src_h, out_w, out_h)
    zoom = max(1.0, fw / out_w)
    edge_speed = out_w / 2 * math.log(zoom) / last  # px per frame at the left/right edge
    if edge_speed <= 0:
        return 1
    return max(1, min(last, int(KEY_STEP_PX / edge_speed + 1e-9)))


def _zoom(
    camera: str, frames: int, fps: int, src_w: int, src_h: int, out_w: int, out_h: int
) -> Split:
    last = max(1, frames - 1)
    every = zoom_every(frames, src_w, src_h, out_w, out_h)
    keys = math.ceil(last / every)  # keyframes 0..keys, the last one on the last frame
    f = f"min((in-1)*{every},{last})"  # the output frame a keyframe shows
    start = window(camera, 0.0, src_w, src_h, out_w, out_h)
    end = window(camera, 1.0, src_w, src_h, out_w, out_h)
    ratio = (end.w / start.w) ** (1.0 / last)
    w = f"{_num(start.w)}*pow({_num(ratio)},{f})"
    h = f"{_num(start.h)}*pow({_num(ratio)},{f})"
    x = f"({src_w}-{w})/2"
    y = f"({src_h}-{h})/2"
    # the output is src-sized; put the window's image in its top-left out_w x out_h
    right = f"{x}+{w}*{_num(src_w / out_w)}"
    bottom = f"{y}+{h}*{_num(src_h / out_h)}"
    corners = {
        "x0": x, "y0": y,
        "x1": right, "y1": y,
        "x2": x, "y2": bottom,
        "x3": right, "y3": bottom,
    }  # fmt: skip
    args = ":".join(f"{k}='{v}'" for k, v in corners.items())
    head = [
        f"loop=loop={keys}:size=1",
        f"settb=1/{fps}",
        f"setpts='min(N*{every},{last})'",
    ]
    tail = [
        f"perspective={args}:interpolation=linear:eval=frame",
        f"crop={out_w}:{out_h}:0:0",
    ]
    tail.append(_blend(frames, fps) if every > 1 else f"trim=end_frame={frames}")
    return Split(head, tail, f"min(n*{every},{last})/{last}")


def _pan(
    camera: str, frames: int, fps: int, src_w: int, src_h: int, out_w: int, out_h: int
) -> Split:
    last = max(1, frames - 1)
    dx, dy = _travel(camera, src_w, src_h, out_w, out_h)
    horizontal = camera in ("pan-left", "pan-right")
    travel = dx if horizontal else dy
    if travel == 0:
        loop = [f"loop=loop={frames - 1}:size=1", f"settb=1/{fps}", "setpts=N"]
        return Split(loop, [f"crop={out_w}:{out_h}"], "")
    # keyframe k is the window k pixels along, shown at frame k*last/travel: in a
    # timebase of 1/(fps*travel) its timestamp is exactly k*last
    k = f"round(t*{fps * travel}/{last})"
    pos = k if camera in ("pan-right", "pan-down") else f"{travel}-{k}"
    x, y = (pos, str(dy // 2)) if horizontal else (str(dx // 2), pos)
    head = [
        "format=yuv444p",  # whole-pixel chroma steps too; 4:2:0 again after the blend
        f"loop=loop={travel}:size=1",
        f"settb=1/{fps * travel}",
        f"setpts=N*{last}",
    ]
    tail = [
        f"crop={out_w}:{out_h}:'{x}':'{y}':exact=1",
        _blend(frames, fps),
        "format=yuv420p",
    ]
    # keyframe k is the window k pixels along: progress k / travel
    return Split(head, tail, f"n/{travel}")


def pixel_format(camera: str) -> str:
    """The format to convert a still to before `motion_filter` (4:4:4 for pans)."""
    return "yuv444p" if camera in MOVING and camera.startswith("pan-") else "yuv420p"


def motion_filter(
    camera: str, frames: int, src_w: int, src_h: int, out_w: int, out_h: int, fps: int = 30
) -> str:
    """Filters turning ONE decoded `src_w` x `src_h` still into `frames` moving frames.

    Empty for a static camera (the caller repeats the still with `loop`). The chain
    repeats the still itself (only as many times as it has keyframes) and ends with
    `frames` frames at timebase 1/`fps`, timestamps 0, 1, 2, ...
    """
    split = motion_split(camera, frames, src_w, src_h, out_w, out_h, fps)
    return ",".join(split.head + split.tail) if split is not None else ""


@dataclass(frozen=True)
class Split:
    """A motion chain cut where the still is repeated but not yet moved.

    Filters put between `head` and `tail` work on the whole still, once per keyframe;
    `progress` is the expression (in the keyframe count `n`) of how far through the
    shot a keyframe is, 0 to 1 ("" where the camera does not move).
    """

    head: list[str]
    tail: list[str]
    progress: str


def motion_split(
    camera: str, frames: int, src_w: int, src_h: int, out_w: int, out_h: int, fps: int = 30
) -> Split | None:
    """`motion_filter`'s chain in two, so layers can be laid on each keyframe (parallax)."""
    if camera not in MOVING:
        return None
    if camera in ("zoom-in", "zoom-out"):
        return _zoom(camera, frames, fps, src_w, src_h, out_w, out_h)
    return _pan(camera, frames, fps, src_w, src_h, out_w, out_h)


def layer_place(
    camera: str,
    progress: str,
    box: tuple[int, int, int, int],
    depth: float,
    src: tuple[int, int],
    out: tuple[int, int],
) -> tuple[str, str]:
    """Where a layer's top-left goes in the still at `progress` (expressions), for parallax.

    A layer `depth` in front of the background moves `1 + depth` times as fast as it
    under the camera, and sits where the still shows it half-way through the shot. The
    camera moves the whole still, so here a layer only drifts by the extra: against a
    pan by `depth` times the window's travel from its middle; in a zoom outwards from
    the centre by the magnification's `depth`-th power (a push in brings near things
    past the camera sooner).
    """
    x0, y0, x1, y1 = box
    src_w, src_h = src
    if camera not in MOVING or not progress or depth == 0:
        return str(x0), str(y0)
    if camera in ("zoom-in", "zoom-out"):
        fw, _ = _full(src_w, src_h, *out)
        zoom = max(1.0, fw / out[0])
        q = progress if camera == "zoom-in" else f"(1-{progress})"
        grow = f"pow({_num(zoom)},{_num(depth)}*({q}-0.5))"
        cx, cy = src_w / 2, src_h / 2
        mx, my = (x0 + x1) / 2 - cx, (y0 + y1) / 2 - cy
        x = f"floor({_num(cx + x0 - (x0 + x1) / 2)}+{_num(mx)}*{grow}+0.5)"
        y = f"floor({_num(cy + y0 - (y0 + y1) / 2)}+{_num(my)}*{grow}+0.5)"
        return x, y
    dx, dy = _travel(camera, src_w, src_h, *out)
    sign = 1 if camera in ("pan-right", "pan-down") else -1
    travel = dx if camera in ("pan-left", "pan-right") else dy
    shift = f"floor({_num(-sign * depth * travel)}*({progress}-0.5)+0.5)"
    if camera in ("pan-left", "pan-right"):
        return f"{x0}+{shift}", str(y0)
    return str(x0), f"{y0}+{shift}"
