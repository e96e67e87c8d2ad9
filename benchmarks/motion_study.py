"""Study: ways to move a still smoothly (Ken Burns) in one FFmpeg graph, cost vs quality.

    python benchmarks/motion_study.py [--quick]

For each candidate: CPU ms per 720p frame (user+sys of the FFmpeg child, minus a static
baseline), PSNR of its frames against an exact PIL affine render of the same window,
and smoothness of a slow zoom (1.0->1.06 over 6 s) and a slow pan: the per-frame
growth of a white square's area / the per-frame move of its centroid, which for a
smooth camera never stalls (`zero` = frames that do not move) and never jumps
(`max/med` = largest step over the median step).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from aifilm.media.ffmpeg import ffmpeg_exe
from aifilm.pipeline.compose.motion import Window, motion_filter, pixel_format, window

FPS = 30
PREP = "scale=out_color_matrix=bt709:out_range=tv,setsar=1,format=yuv420p"
Chain = Callable[[str, int, int, int, int, int], str]


def _loop(frames: int) -> str:
    return f"loop=loop={frames - 1}:size=1,settb=1/{FPS},setpts=N"


# --- candidates: (camera, frames, src_w, src_h, out_w, out_h) -> filters after PREP --------


def old_window(camera: str, p: float, sw: int, sh: int, ow: int, oh: int) -> Window:
    """The window of the per-frame `perspective` composer (pans through a 1.075x window)."""
    if camera.startswith("zoom"):
        return window(camera, p, sw, sh, ow, oh)
    fw, fh = min(float(sw), sh * ow / oh), min(float(sw), sh * ow / oh) * oh / ow
    pan_zoom = (1.0 + max(1.0, fw / ow)) / 2
    w, h = fw / pan_zoom, fh / pan_zoom
    x = (sw - w) * (p if camera == "pan-right" else 1 - p)
    return Window(x, (sh - h) / 2, w, h)


def _n(v: float) -> str:
    return f"{v:.9f}"


def perspective(camera: str, n: int, sw: int, sh: int, ow: int, oh: int, every: int = 1) -> str:
    """The previous composer: `perspective` on every frame (or every `every`-th + blend)."""
    last = max(1, n - 1)
    f = f"min((in-1)*{every},{last})"
    a, b = old_window(camera, 0, sw, sh, ow, oh), old_window(camera, 1, sw, sh, ow, oh)
    if camera.startswith("zoom"):
        r = (b.w / a.w) ** (1 / last)
        w, h = f"{_n(a.w)}*pow({_n(r)},{f})", f"{_n(a.h)}*pow({_n(r)},{f})"
        x, y = f"({sw}-{w})/2", f"({sh}-{h})/2"
    else:
        w, h = _n(a.w), _n(a.h)
        x, y = f"{_n(a.x)}+{_n((b.x - a.x) / last)}*{f}", f"{_n(a.y)}+{_n((b.y - a.y) / last)}*{f}"
    r_, b_ = f"{x}+{w}*{_n(sw / ow)}", f"{y}+{h}*{_n(sh / oh)}"
    persp = (
        f"perspective=x0='{x}':y0='{y}':x1='{r_}':y1='{y}':x2='{x}':y2='{b_}':x3='{r_}':y3='{b_}'"
        f":interpolation=linear:eval=frame,crop={ow}:{oh}:0:0"
    )
    if every == 1:
        return _loop(n) + "," + persp
    keys = math.ceil(last / every)
    timing = f"loop=loop={keys}:size=1,settb=1/{FPS},setpts='min(N*{every},{last})'"
    return f"{timing},{persp},{_blend(n)}"


def chosen(camera: str, n: int, sw: int, sh: int, ow: int, oh: int) -> str:
    """What `motion.py` now builds (as `graph.still_chain` feeds it)."""
    return f"format={pixel_format(camera)}," + motion_filter(camera, n, sw, sh, ow, oh, FPS)


def _zoom_s(camera: str, n: int, sw: int, ow: int) -> str:
    """Continuous width of the whole still scaled so the window fills the frame."""
    r = (sw / ow) ** (1 / max(1, n - 1))
    # scale's own `n` starts at 1 in FFmpeg 9: use the time
    f = f"(t*{FPS})" if camera == "zoom-in" else f"({n - 1}-t*{FPS})"
    return f"{ow}*pow({r:.12f},{f})"


def _pan_x(camera: str, n: int, sw: int, sh: int, ow: int, oh: int) -> tuple[str, str, int]:
    """1:1 pan: crop x/y as expressions of the continuous frame index `f`, travel in px."""
    dx, dy = sw - ow, sh - oh
    last = max(1, n - 1)
    if camera == "pan-right":
        return f"{dx}*f/{last}", f"{dy // 2}", dx
    if camera == "pan-left":
        return f"{dx}*(1-f/{last})", f"{dy // 2}", dx
    if camera == "pan-down":
        return f"{dx // 2}", f"{dy}*f/{last}", dy
    return f"{dx // 2}", f"{dy}*(1-f/{last})", dy


def scale_tmix(camera: str, n: int, sw: int, sh: int, ow: int, oh: int, mix: int = 3) -> str:
    if camera.startswith("zoom"):
        s = _zoom_s(camera, n, sw, ow)
        hs = f"{s}*{sh / sw:.12f}"
        sw_, sh_ = f"2*round({s}/2)", f"2*round({hs}/2)"
        # crop's in_w is the first frame's: give the centre from the same expressions
        move = (
            f"scale=w='{sw_}':h='{sh_}':eval=frame:flags=bilinear,"
            f"crop={ow}:{oh}:'({sw_}-{ow})/2':'({sh_}-{oh})/2'"
        )
    else:
        x, y, _ = _pan_x(camera, n, sw, sh, ow, oh)
        move = (
            f"crop={ow}:{oh}:'round({x.replace('f', 'n')})':'round({y.replace('f', 'n')})':exact=1"
        )
    tail = f",tmix=frames={mix}" if mix > 1 else ""
    return _loop(n) + "," + move + tail


def _blend(n: int) -> str:
    return (
        f"framerate=fps={FPS}:interp_start=0:interp_end=255:flags=0,"
        f"trim=end_frame={n},settb=1/{FPS},setpts=N"
    )


def keys_blend(camera: str, n: int, sw: int, sh: int, ow: int, oh: int) -> str:
    """Whole-pixel keyframes (crop for pans, even scale sizes for zooms) placed at the
    exact moment the continuous motion reaches them; `framerate` blends linearly between
    the two around each output frame, which for a 1 px step is bilinear interpolation."""
    tb = 1000
    last = max(1, n - 1)
    if camera.startswith("zoom"):
        steps = (sw - ow) // 2  # keyframe k: the still scaled to ow + 2k wide
        lnr = math.log(sw / ow)
        size = f"({ow}+2*N)"
        at = f"{last}*log({size}/{ow})/{lnr:.12f}"  # frame where zoom-in reaches it
        if camera == "zoom-out":
            at = f"{last}-{at}"
        # the keyframe's time says which size it is (scale's own `n` starts at 1)
        grow = f"(t*{FPS})" if camera == "zoom-in" else f"({last}-t*{FPS})"
        w = f"2*round({ow}*exp({lnr:.12f}*{grow}/{last})/2)"
        h = f"2*round(({w})*{sh / sw:.12f}/2)"
        move = (
            f"scale=w='{w}':h='{h}':eval=frame:flags=bilinear,"
            f"crop={ow}:{oh}:'({w}-{ow})/2':'({h}-{oh})/2',setsar=1"
        )
        pts = f"round({tb}*({at}))"
        reverse = camera == "zoom-out"
    else:
        _, _, steps = _pan_x(camera, n, sw, sh, ow, oh)
        dx, dy = sw - ow, sh - oh
        horizontal = camera in ("pan-left", "pan-right")
        forward = camera in ("pan-right", "pan-down")
        pos = "n" if forward else f"{steps}-n"
        x, y = (pos, f"{dy // 2}") if horizontal else (f"{dx // 2}", pos)
        move = f"crop={ow}:{oh}:'{x}':'{y}':exact=1"
        pts = f"round({tb}*N*{last}/{steps})"
        reverse = False
    if reverse:  # keyframes must come in time order: zoom-out starts at the largest size
        pts = pts.replace("N", f"({steps}-N)")
        pts = f"round({tb}*{last})-{pts}"
    return f"loop=loop={steps}:size=1,settb=1/{FPS * tb},setpts='{pts}',{move},{_blend(n)}"


def zoompan(camera: str, n: int, sw: int, sh: int, ow: int, oh: int) -> str:
    z0 = 1.0
    z1 = sw / ow
    if camera.startswith("zoom"):
        p = "on/" + str(n - 1) if camera == "zoom-in" else f"(1-on/{n - 1})"
        z = f"{z0}*pow({z1 / z0:.9f},{p})"
        return f"zoompan=z='{z}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d={n}:s={ow}x{oh}:fps={FPS}"
    # zoompan pans at its own zoom 1 => window = whole input; emulate a 1:1 pan
    x, y, _ = _pan_x(camera, n, sw, sh, ow, oh)
    return (
        f"zoompan=z='{z1:.9f}':x='{x.replace('f', 'on')}':y='{y.replace('f', 'on')}'"
        f":d={n}:s={ow}x{oh}:fps={FPS}"
    )


CANDIDATES: dict[str, Chain] = {
    "perspective (now)": perspective,
    "scale+crop (no mix)": lambda *a: scale_tmix(*a, mix=1),
    "scale+crop+tmix=2": lambda *a: scale_tmix(*a, mix=2),
    "scale+crop+tmix=3": scale_tmix,
    "perspective every 3rd + framerate": lambda *a: perspective(*a, every=3),
    "whole-px keyframes + framerate": keys_blend,
    "whole-px keyframes + framerate, 4:4:4": lambda *a: (
        "format=yuv444p," + keys_blend(*a) + ",format=yuv420p"
    ),
    "zoompan": zoompan,
    "chosen: motion.py": chosen,
}


# --- running --------------------------------------------------------------------------


def run(still: Path, chain: str, gray_out: bool = False) -> tuple[float, float, bytes]:
    graph = f"[0:v]{PREP},{chain}[v]"
    out = ["-f", "rawvideo", "-pix_fmt", "gray", "pipe:1"] if gray_out else ["-f", "null", "-"]
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error",
           "-framerate", str(FPS), "-i", str(still), "-filter_complex", graph,
           "-filter_complex_threads", "2", "-map", "[v]", *out]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise RuntimeError(proc.stderr.decode()[-2000:] + "\n" + graph)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, proc.stdout


def frames_of(data: bytes, w: int, h: int) -> np.ndarray:
    return np.frombuffer(data, np.uint8).reshape(-1, h, w).astype(np.float64)


def ideal_window(
    name: str, camera: str, p: float, sw: int, sh: int, ow: int, oh: int
) -> tuple[float, float, float, float]:
    """The window each candidate means to show (perspective pans look through a larger one)."""
    if name.startswith("perspective"):
        win = old_window(camera, p, sw, sh, ow, oh)
        return win.x, win.y, win.w, win.h
    if name.startswith("chosen"):
        win = window(camera, p, sw, sh, ow, oh)
        return win.x, win.y, win.w, win.h
    if camera.startswith("zoom"):
        q = p if camera == "zoom-in" else 1 - p
        s = ow * (sw / ow) ** q  # width of the whole still once scaled
        w = ow * sw / s
        h = w * oh / ow
        return (sw - w) / 2, (sh - h) / 2, w, h
    x, y, _ = _pan_x(camera, 101, sw, sh, ow, oh)
    f = p * 100
    return eval(x, {"f": f}), eval(y, {"f": f}), float(ow), float(oh)


def psnr(name: str, camera: str, still: Path, frames: np.ndarray, ow: int, oh: int) -> float:
    rgb = Image.open(still).convert("RGB")
    sw, sh = rgb.size
    luma = rgb.convert("L")
    n = len(frames)
    values = []
    for i in np.linspace(0, n - 1, 7).round().astype(int):
        x, y, w, h = ideal_window(name, camera, i / (n - 1), sw, sh, ow, oh)
        ideal = luma.transform(
            (ow, oh), Image.Transform.AFFINE, (w / ow, 0, x, 0, h / oh, y), Image.Resampling.BICUBIC
        )
        a = np.asarray(ideal, np.float64)[8:-8, 8:-8]
        b = frames[i][8:-8, 8:-8]
        fit = np.polyfit(b.ravel(), a.ravel(), 1)  # ranges/matrices differ: fit gain+offset
        err = float(np.mean((np.polyval(fit, b) - a) ** 2))
        values.append(10 * math.log10(255**2 / max(err, 1e-9)))
    return float(np.mean(values))


def smooth_zoom_stats(frames: np.ndarray) -> dict[str, float]:
    lo, hi = frames.min(), frames.max()
    area = ((frames - lo) / (hi - lo)).sum(axis=(1, 2))
    return _step_stats(np.diff(area))


def smooth_pan_stats(frames: np.ndarray) -> dict[str, float]:
    lo, hi = frames.min(), frames.max()
    norm = (frames - lo) / (hi - lo)
    xs = np.arange(frames.shape[2])
    ys = np.arange(frames.shape[1])
    cx = (norm.sum(axis=1) * xs).sum(axis=1) / norm.sum(axis=(1, 2))
    cy = (norm.sum(axis=2) * ys).sum(axis=1) / norm.sum(axis=(1, 2))
    return _step_stats(np.hypot(np.diff(cx), np.diff(cy)) * np.sign(np.diff(cx) + np.diff(cy)))


def _step_stats(steps: np.ndarray) -> dict[str, float]:
    med = float(np.median(np.abs(steps)))
    return {
        "median_step": med,
        "zero_frac": float(np.mean(np.abs(steps) < 0.1 * med)),
        "max_over_med": float(np.abs(steps).max() / med),
        "min_over_med": float(np.abs(steps).min() / med),
        "cv": float(np.std(steps) / abs(np.mean(steps))),
        "monotonic": bool((np.sign(steps) == np.sign(np.mean(steps))).all()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--still", type=Path, default=Path("/tmp/aifilm-bench-compose/still0.png"))
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    ow, oh, n = 1280, 720, 300
    names = args.only or list(CANDIDATES)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        still = args.still
        if not still.exists():
            import sys

            sys.path.insert(0, str(Path(__file__).parent))
            from bench_compose import make_still

            still = work / "still.png"
            make_still(still, 1472, 828, 0)
        sw, sh = Image.open(still).size
        # slow-motion targets: a white square, still 1.06x the frame
        ssw, ssh = 1356, 764
        sq = Image.new("RGB", (ssw, ssh), (0, 0, 0))
        ImageDraw.Draw(sq).rectangle(
            [ssw // 2 - 200, ssh // 2 - 200, ssw // 2 + 199, ssh // 2 + 199], "white"
        )
        sq.save(work / "square.png")
        base_cpu = min(run(still, _loop(n) + f",crop={ow}:{oh}")[0] for _ in range(args.repeat))
        rows = {}
        for name in names:
            make = CANDIDATES[name]
            row: dict[str, object] = {}
            for camera in ("zoom-in", "pan-right"):
                chain = make(camera, n, sw, sh, ow, oh)
                runs = [run(still, chain) for _ in range(args.repeat)]
                cpu = min(r[0] for r in runs)
                wall = min(r[1] for r in runs)
                row[f"{camera} cpu_ms"] = round((cpu - base_cpu) / n * 1000, 2)
                row[f"{camera} wall_ms"] = round(wall / n * 1000, 2)
                _, _, raw = run(still, chain, gray_out=True)
                frames = frames_of(raw, ow, oh)
                row[f"{camera} frames"] = len(frames)
                row[f"{camera} psnr"] = round(psnr(name, camera, still, frames, ow, oh), 2)
            slow = 180
            raw = run(work / "square.png", make("zoom-in", slow, ssw, ssh, ow, oh), True)[2]
            row["slow zoom"] = smooth_zoom_stats(frames_of(raw, ow, oh))
            raw = run(work / "square.png", make("pan-right", slow, ssw, ssh, ow, oh), True)[2]
            row["slow pan"] = smooth_pan_stats(frames_of(raw, ow, oh))
            rows[name] = row
            print(name, json.dumps(row), flush=True)
        print(json.dumps({"baseline_cpu_s": base_cpu, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
