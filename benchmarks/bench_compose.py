"""Benchmark: a 60 s 1280x720 30 fps film composed by aifilm, by MoviePy, and the x264 floor.

Floors (bare x264 encodes of 60 s, same preset/CRF, every core): `floor:still`, one still
repeated (what issue 19 measured: x264 has almost nothing to do on a static picture);
`floor:testsrc2`, FFmpeg's moving test pattern; `floor:film`, aifilm's own film decoded
and encoded again: the same moving pictures, so the encode a composition cannot avoid.

    python benchmarks/bench_compose.py [--skip-moviepy] [--quality standard]

The film: 6 photographic-looking stills (noise, gradients, shapes), 10 s each with a
slow zoom or pan, 1 s crossfades, 15 burned subtitles, speech ducking a music bed.
Each variant runs in a fresh child process that reports its wall time, CPU time
(itself plus its children, e.g. FFmpeg) and peak RSS (largest single process).
Prints a markdown table and writes benchmarks/results/compose.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

W, H, FPS, SHOT, XFADE, SHOTS = 1280, 720, 30, 10.0, 1.0, 6
CAMERAS = ["zoom-in", "pan-right", "zoom-out", "pan-left", "zoom-in", "pan-up"]
PRESETS = {"draft": ("ultrafast", 28), "standard": ("veryfast", 21), "high": ("medium", 18)}
CUES = 15
HERE = Path(__file__).resolve().parent


# --- assets ----------------------------------------------------------------------------


def make_still(path: Path, width: int, height: int, seed: int) -> None:
    """A still that costs x264 what a photo would: gradients, shapes, grain."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = rng.uniform(20, 120, 3)
    img = np.stack(
        [
            base[0] + x / width * 120,
            base[1] + y / height * 110,
            base[2] + (x + y) / (width + height) * 100,
        ],
        axis=-1,
    )
    image = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        cx, cy, r = rng.integers(0, width), rng.integers(0, height), rng.integers(8, height // 5)
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        if rng.random() < 0.5:
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
        else:
            draw.rectangle([cx - r, cy - r // 2, cx + r, cy + r // 2], fill=colour)
    for _ in range(40):
        a, b = rng.integers(0, width, 2), rng.integers(0, height, 2)
        draw.line([(int(a[0]), int(b[0])), (int(a[1]), int(b[1]))], fill=(240, 240, 230), width=2)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    grain = np.asarray(image).astype(np.float32) + rng.normal(0, 5, (height, width, 3))
    Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8)).save(path)


def make_assets(work: Path) -> dict[str, Any]:
    """Stills, speech clips, music, subtitles; returns where they are and the cue times."""
    from aifilm.media.wav import write_wav
    from aifilm.pipeline.compose.motion import source_size

    work.mkdir(parents=True, exist_ok=True)
    stills = []
    for i, camera in enumerate(CAMERAS):
        sw, sh = source_size(W, H, camera)
        path = work / f"still{i}.png"
        if not path.exists():
            make_still(path, sw, sh, seed=i)
        stills.append(str(path))
    rng = np.random.default_rng(7)
    cues = []
    speech = []
    for k in range(CUES):
        shot = k * SHOTS // CUES
        start = shot * SHOT + 1.0 + (k % (CUES // SHOTS + 1)) * 3.0
        length = 2.2
        cues.append((start, start + length, f"Line {k + 1}: the quick brown fox jumps"))
        t = np.arange(round(length * 22050)) / 22050
        env = (0.4 + 0.6 * np.abs(np.sin(np.pi * 3.3 * t))) * np.minimum(
            1, np.minimum(t, length - t) * 20
        )
        voice = env * (
            0.25 * np.sin(2 * np.pi * (140 + 10 * k) * t) + 0.04 * rng.normal(size=t.size)
        )
        path = work / f"line{k}.wav"
        write_wav(path, voice.astype(np.float32), 22050)
        speech.append((start, str(path), length))
    duration = SHOTS * SHOT
    t = np.arange(round(duration * 48000)) / 48000
    chord = sum(np.sin(2 * np.pi * f * t) for f in (110, 138.6, 164.8, 220)) * 0.08
    music = np.stack([chord + 0.01 * rng.normal(size=t.size), chord], axis=1)
    write_wav(work / "music.wav", music.astype(np.float32), 48000)
    ass = work / "subs.ass"
    lines = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {W}", f"PlayResY: {H}", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, OutlineColour, BorderStyle, Outline, "
        "Shadow, Alignment, MarginV",
        "Style: Default,Noto Sans,44,&H00FFFFFF,&H00000000,1,3,1,2,40", "",
        "[Events]", "Format: Layer, Start, End, Style, Text",
    ]  # fmt: skip
    for start, end, text in cues:
        lines.append(f"Dialogue: 0,{_ass_time(start)},{_ass_time(end)},Default,{text}")
    ass.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "stills": stills,
        "speech": speech,
        "cues": cues,
        "ass": str(ass),
        "music": str(work / "music.wav"),
    }


def _ass_time(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h)}:{int(m):02d}:{s:05.2f}"


def fonts_dir(work: Path) -> Path:
    """A folder with Noto Sans under a plain name (the package's name has `[`, `,`)."""
    import importlib.util
    import shutil

    spec = importlib.util.find_spec("fontpkg_noto_sans")
    assert spec and spec.submodule_search_locations
    src = Path(next(iter(spec.submodule_search_locations))) / "files" / "NotoSans[wdth,wght].ttf"
    folder = work / "fonts"
    folder.mkdir(exist_ok=True)
    shutil.copy(src, folder / "NotoSans.ttf")
    return folder


# --- variants (each runs in its own child process) ---------------------------------------


def run_aifilm(work: Path, assets: dict[str, Any], quality: str) -> dict[str, Any]:
    from aifilm.pipeline.compose.audio import assemble_speech, mix_audio
    from aifilm.pipeline.compose.base import CompositionRequest
    from aifilm.pipeline.compose.ffmpeg import FFmpegComposer
    from aifilm.pipeline.timeline import SpeechClip, TimedLine, TimedShot, Timeline, VisualSpec
    from aifilm.pipeline.visuals.base import Visual

    composer = FFmpegComposer()
    shots = []
    for i, camera in enumerate(CAMERAS):
        lines = [
            TimedLine(None, "line", start, SpeechClip(Path(p), length, 22050))
            for start, p, length in assets["speech"]
            if i * SHOT <= start < (i + 1) * SHOT
        ]
        shots.append(
            TimedShot(
                f"1.{i + 1}",
                1,
                i,
                i * SHOT,
                SHOT,
                VisualSpec("image"),
                camera,
                "crossfade",
                XFADE,
                lines,
            )
        )
    timeline = Timeline(W, H, FPS, SHOTS * SHOT, shots)
    started = time.perf_counter()
    speech = assemble_speech(timeline, work / "speech.wav")
    loudness = mix_audio(
        speech, Path(assets["music"]), duration=timeline.duration, out=work / "mix.wav"
    )
    audio_s = time.perf_counter() - started
    visuals = [
        Visual(Path(p), "still", *composer.source_size(W, H, c))
        for p, c in zip(assets["stills"], CAMERAS, strict=True)
    ]
    request = CompositionRequest(
        timeline, visuals, work / "mix.wav", Path(assets["ass"]), fonts_dir(work), quality
    )
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = composer.compose(request, work / "aifilm.mp4")
    compose_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    compose_cpu_s = (after.ru_utime - kids.ru_utime) + (after.ru_stime - kids.ru_stime)
    return {
        "audio_s": audio_s,
        "compose_s": compose_s,
        "compose_cpu_s": compose_cpu_s,  # the FFmpeg run alone
        "loudness": loudness,
        "facts": result.facts,
    }


def run_moviepy(work: Path, assets: dict[str, Any], quality: str) -> dict[str, Any]:
    from moviepy import (
        AudioFileClip,
        CompositeAudioClip,
        CompositeVideoClip,
        ImageClip,
        TextClip,
        vfx,
    )

    preset, crf = PRESETS[quality]
    clips = []
    for i, (path, camera) in enumerate(zip(assets["stills"], CAMERAS, strict=True)):
        start = max(0.0, i * SHOT - XFADE / 2)
        length = SHOT + (XFADE / 2 if i else 0) + (XFADE / 2 if i < SHOTS - 1 else 0)
        clip = ImageClip(path).with_duration(length).with_start(start)
        sw, sh = clip.size
        if camera.startswith("zoom"):
            base = W / sw

            def zoom(
                t: float,
                length: float = length,
                base: float = base,
                out: bool = camera == "zoom-out",
                full: float = sw / W,
            ) -> float:
                p = 1 - t / length if out else t / length
                return base * full**p

            clip = clip.resized(zoom).with_position("center")
        else:
            dx, dy = sw - W, sh - H

            def pan(
                t: float, length: float = length, camera: str = camera, dx: int = dx, dy: int = dy
            ) -> tuple[float, float]:
                p = t / length
                if camera == "pan-right":
                    return (-dx * p, -dy / 2)
                if camera == "pan-left":
                    return (-dx * (1 - p), -dy / 2)
                return (-dx / 2, -dy * (1 - p))

            clip = clip.with_position(pan)
        if i:
            clip = clip.with_effects([vfx.CrossFadeIn(XFADE)])
        clips.append(clip)
    font = str(fonts_dir(work) / "NotoSans.ttf")
    for start, end, text in assets["cues"]:
        sub = TextClip(
            font=font, text=text, font_size=44, color="white", stroke_color="black", stroke_width=3
        )
        clips.append(
            sub.with_start(start).with_duration(end - start).with_position(("center", H - 110))
        )
    video = CompositeVideoClip(clips, size=(W, H))
    speech = [AudioFileClip(p).with_start(s) for s, p, _ in assets["speech"]]
    music = AudioFileClip(assets["music"]).with_volume_scaled(0.35)
    video = video.with_audio(CompositeAudioClip([music, *speech]).with_duration(SHOTS * SHOT))
    video = video.with_duration(SHOTS * SHOT)
    video.write_videofile(
        str(work / "moviepy.mp4"), fps=FPS, codec="libx264", preset=preset,
        ffmpeg_params=["-crf", str(crf), "-pix_fmt", "yuv420p"], audio_codec="aac",
        audio_bitrate="192k", threads=os.cpu_count(), logger=None,
    )  # fmt: skip
    return {"notes": "no ducking or loudness normalisation in MoviePy; subtitles as TextClip"}


def run_floor(work: Path, assets: dict[str, Any], quality: str, source: str) -> dict[str, Any]:
    from aifilm.media.ffmpeg import run_ffmpeg

    preset, crf = PRESETS[quality]
    frames = round(SHOTS * SHOT * FPS)
    if source == "testsrc2":
        inputs = ["-f", "lavfi", "-i", f"testsrc2=size={W}x{H}:rate={FPS}:duration={SHOTS * SHOT}"]
        graph = ["-vf", "format=yuv420p"]
    elif source == "film":  # aifilm's own pictures (decoding H.264 costs ~1 ms a frame)
        inputs = ["-i", str(work / "aifilm.mp4")]
        graph = ["-map", "0:v:0"]
    else:
        inputs = ["-framerate", str(FPS), "-i", assets["stills"][0]]
        graph = [
            "-vf",
            f"scale={W}:{H},format=yuv420p,loop=loop={frames - 1}:size=1,settb=1/{FPS},setpts=N",
        ]
    threads = str(os.cpu_count())
    encode = ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-threads", threads]
    out = str(work / f"floor-{source}.mp4")
    run_ffmpeg([*inputs, *graph, "-frames:v", str(frames), *encode, "-r", str(FPS), out])
    return {}


def child(variant: str, work: Path, quality: str) -> None:
    assets = json.loads((work / "assets.json").read_text())
    started = time.perf_counter()
    if variant == "aifilm":
        extra = run_aifilm(work, assets, quality)
    elif variant == "moviepy":
        extra = run_moviepy(work, assets, quality)
    else:
        extra = run_floor(work, assets, quality, variant.split(":", 1)[1])
    wall = time.perf_counter() - started
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    print(json.dumps({
        "wall_s": wall,
        "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
        "python_cpu_s": me.ru_utime + me.ru_stime,
        "peak_rss_mb": max(me.ru_maxrss, kids.ru_maxrss) / 1024,
        "child_peak_rss_mb": kids.ru_maxrss / 1024,
        **extra,
    }, default=str))  # fmt: skip


def load() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/aifilm-bench-compose"))
    parser.add_argument("--quality", default="standard", choices=sorted(PRESETS))
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.work, args.quality)
        return

    assets = make_assets(args.work)
    (args.work / "assets.json").write_text(json.dumps(assets))
    variants = ["floor:still", "floor:testsrc2", "aifilm", "floor:film"] + (
        [] if args.skip_moviepy else ["moviepy"]
    )
    results: dict[str, Any] = {}
    for variant in variants:
        before = load()
        proc = subprocess.run(
            [sys.executable, __file__, "--work", str(args.work), "--quality", args.quality,
             "--child", variant],
            capture_output=True, text=True,
        )  # fmt: skip
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{variant} failed")
        results[variant] = json.loads(proc.stdout.strip().splitlines()[-1])
        results[variant]["load_before"] = before
        print(f"{variant}: {results[variant]['wall_s']:.1f} s (load before {before})", flush=True)

    ours = results["aifilm"]
    rows = ["| variant | wall s | CPU s | peak RSS MB | film fps |", "|---|---:|---:|---:|---:|"]
    frames = SHOTS * SHOT * FPS
    for name, r in results.items():
        fps, rss = frames / r["wall_s"], r["peak_rss_mb"]
        rows.append(f"| {name} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {rss:.0f} | {fps:.0f} |")
    rows.append(
        f"| aifilm compose only | {ours['compose_s']:.1f} | {ours['compose_cpu_s']:.1f} | | "
        f"{frames / ours['compose_s']:.0f} |"
    )
    rows.append(f"| aifilm audio (speech + 2-pass mix) | {ours['audio_s']:.1f} | | | |")
    print("\n" + "\n".join(rows) + "\n")
    ratios = {
        "compose_vs_floor_film": ours["compose_s"] / results["floor:film"]["wall_s"],
        "compose_vs_floor_still": ours["compose_s"] / results["floor:still"]["wall_s"],
        "compose_vs_floor_testsrc2": ours["compose_s"] / results["floor:testsrc2"]["wall_s"],
        "compose_cpu_vs_floor_testsrc2_cpu": ours["compose_cpu_s"]
        / results["floor:testsrc2"]["cpu_s"],
    }
    if "moviepy" in results:
        ratios["moviepy_vs_aifilm_total"] = results["moviepy"]["wall_s"] / ours["wall_s"]
        ratios["moviepy_vs_aifilm_total_cpu"] = results["moviepy"]["cpu_s"] / ours["cpu_s"]
    for key, value in ratios.items():
        print(f"{key}: {value:.2f}x")
    out = HERE / "results" / "compose.json"
    out.parent.mkdir(exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    out.write_text(json.dumps({
        "film": {"width": W, "height": H, "fps": FPS, "seconds": SHOTS * SHOT, "shots": SHOTS,
                 "cameras": CAMERAS, "crossfade_s": XFADE, "subtitle_cues": CUES},
        "quality": args.quality, "machine": machine, "results": results, "ratios": ratios,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }, indent=2, default=str))  # fmt: skip
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
