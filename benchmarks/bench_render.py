"""Benchmark the whole render: the 60 s 720p example film, cold, warm and after a one-line edit.

    python benchmarks/bench_render.py            # 60 s 720p film + compose comparisons
    python benchmarks/bench_render.py --long     # also a 5-minute 1080p film (peak memory)

Each render runs in a child process so its CPU time and peak memory are its own: CPU is
user+system of the child and of the FFmpeg processes it starts; peak memory is the largest
resident size of the Python process and of any FFmpeg it ran (they run one after another,
so the film's peak is the larger of the two, not the sum). The MoviePy and bare-x264
comparisons on the same 60 s 720p composition come from benchmarks/bench_compose.py, run in
the same invocation. Results: benchmarks/results/render.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "render.json"

SHOTS = [
    ("zoom-in", "At the edge of the old city, the morning market wakes before the sun."),
    (
        "pan-right",
        "Stalls of marigolds and mangoes line the narrow lane, bright against the grey stone.",
    ),
    (
        "zoom-out",
        "A potter turns his wheel, and a bowl rises out of wet clay, as it has for centuries.",
    ),
    (
        "pan-left",
        "Children race past with school bags, dodging a cow that will not move for anyone.",
    ),
    ("zoom-in", "By noon the lane is loud with bargaining, music, and the smell of frying bread."),
    ("pan-up", "And as evening falls, lamps are lit one by one, and the market sleeps again."),
]


def write_project(folder: Path, *, seconds: int, resolution: str, edit: bool = False) -> Path:
    """A film like the product's examples: 6 picture shots, narration, music, subtitles."""
    bench_compose = _load_bench_compose()
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    repeat = max(1, seconds // 60)
    for n in range(repeat):
        for i, (camera, line) in enumerate(SHOTS):
            image = folder / f"shot{i}.png"
            if not image.exists():
                bench_compose.make_still(image, 1920, 1080, seed=i)
            text = line if not (edit and n == 0 and i == 2) else line.replace("potter", "weaver")
            shots.append(
                f'      - narration: "{text}"\n'
                f"        image: {image.name}\n        camera: {camera}\n"
            )
    spec = (
        f"title: Market Day\nduration: {seconds}s\noutput: {{resolution: {resolution}, fps: 30}}\n"
        "narrator: {voice: mature}\nmusic: {genre: cinematic, volume: 0.3}\n"
        "scenes:\n  - shots:\n" + "".join(shots)
    )
    path = folder / "project.yaml"
    path.write_text(spec)
    return path


def _load_bench_compose() -> Any:
    spec = importlib.util.spec_from_file_location("bench_compose", HERE / "bench_compose.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def child_render(project: Path, out: Path, cache: Path) -> None:
    """Run in a child: render and print wall/CPU/memory as JSON."""
    os.environ["AIFILM_CACHE_DIR"] = str(cache)
    start = time.perf_counter()
    import aifilm

    result = aifilm.render(project, out)
    wall = time.perf_counter() - start
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "wall_s": round(wall, 2),
                "cpu_s": round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 2),
                "python_peak_mb": round(me.ru_maxrss / 1024, 1),
                "ffmpeg_peak_mb": round(kids.ru_maxrss / 1024, 1),
                "film_s": round(result.duration, 2),
                "realtime_factor": round(result.duration / wall, 2),
                "cache_hits": result.report["cache"]["hits"],
                "cache_misses": result.report["cache"]["misses"],
                "stages": {s["name"]: s["seconds"] for s in result.report["stages"]},
            }
        )
    )


def render_in_child(project: Path, out: Path, cache: Path) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(project), str(out), str(cache)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"render failed:\n{done.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    data["peak_mb"] = max(data["python_peak_mb"], data["ffmpeg_peak_mb"])
    data["load_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return data


def film_runs(work: Path, seconds: int, resolution: str) -> dict[str, Any]:
    folder = work / f"film-{seconds}s-{resolution}"
    cache = folder / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    project = write_project(folder, seconds=seconds, resolution=resolution)
    runs = {"cold": render_in_child(project, folder / "out", cache)}
    runs["warm (unchanged)"] = render_in_child(project, folder / "out", cache)
    edited = write_project(folder / "edited", seconds=seconds, resolution=resolution, edit=True)
    for image in folder.glob("shot*.png"):
        shutil.copy(image, edited.parent / image.name)
    runs["one line edited"] = render_in_child(edited, folder / "out-edited", cache)
    return runs


def compose_comparison(work: Path, skip_moviepy: bool) -> dict[str, Any]:
    """The same 60 s 720p composition: ours, MoviePy, bare x264 (from bench_compose.py)."""
    command = [sys.executable, str(HERE / "bench_compose.py"), "--work", str(work / "compose")]
    if skip_moviepy:
        command.append("--skip-moviepy")
    subprocess.run(command, check=True)
    data: dict[str, Any] = json.loads((HERE / "results" / "compose.json").read_text())
    return data


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/aifilm-bench-render"))
    parser.add_argument("--long", action="store_true", help="also render a 5-minute 1080p film")
    parser.add_argument(
        "--skip-compose", action="store_true", help="skip the MoviePy/x264 comparison"
    )
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_render(*(Path(p) for p in args.child))
        return
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "films": {"60 s 720p": film_runs(args.work, 60, "720p")},
    }
    if args.long:
        results["films"]["5 min 1080p"] = film_runs(args.work, 300, "1080p")
    if not args.skip_compose:
        results["compose_comparison"] = compose_comparison(args.work, args.skip_moviepy)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print("| film | run | wall s | CPU s | realtime × | peak MB | cache hits/misses |")
    print("|---|---|---:|---:|---:|---:|---|")
    for film, runs in results["films"].items():
        for name, r in runs.items():
            print(
                f"| {film} | {name} | {r['wall_s']} | {r['cpu_s']} | {r['realtime_factor']} | "
                f"{r['peak_mb']} | {r['cache_hits']}/{r['cache_misses']} |"
            )


if __name__ == "__main__":
    main()
