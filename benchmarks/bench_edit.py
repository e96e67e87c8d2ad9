"""Benchmark smart re-render: edit one narrated line of the 60 s 720p example and render again.

    python benchmarks/bench_edit.py                 # the edit, + composition vs x264 and MoviePy
    python benchmarks/bench_edit.py --skip-compose  # the edit only
    python benchmarks/bench_edit.py --long          # also a 5-minute 1080p film's peak memory

The film is benchmarks/bench_render.py's (6 photo shots with Ken Burns motion, narration,
music, burned subtitles). Runs, each in a child process:

1. cold: a fresh cache;
2. one line edited, in a fresh process (Python, the voice model and FFmpeg all start cold);
3. another edit of the same line in a process that has rendered the film before, as
   `aifilm render --watch` does on a save (the voice model is already loaded);
4. the same in a `--watch --preview` process (draft quality, 15 fps, a smaller frame).

The composition comparison (aifilm vs the bare x264 encode vs MoviePy on the same 60 s
720p film) is benchmarks/bench_compose.py, run in the same invocation. Peak memory is the
sum of the resident sizes of the render's process and every FFmpeg it runs, sampled every
0.1 s (segments are encoded concurrently, so the sum is what the machine must hold); also
the FFmpegs' sum alone (what the composer's 450 MB budget governs) and the largest process.
Results: benchmarks/results/edit.json and markdown on stdout, with the load average.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "edit.json"
sys.path.insert(0, str(HERE))

import bench_render  # noqa: E402


def project(folder: Path, seconds: int, resolution: str, word: str | None = None) -> Path:
    """The benchmark film; `word` replaces "potter" in shot 3's line (an edit)."""
    path = bench_render.write_project(folder, seconds=seconds, resolution=resolution)
    if word is not None:
        path.write_text(path.read_text().replace("A potter turns", f"A {word} turns", 1))
    return path


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _report(result: Any, wall: float, cpu_started: float, ffmpeg_started: float) -> dict[str, Any]:
    composer = result.report.get("composer") or {}
    from aifilm.pipeline.watch import redone_summary

    return {
        "wall_s": round(wall, 2),
        "film_s": round(result.duration, 2),
        "summary": redone_summary(result.report),
        "segments": composer.get("segments"),
        "segments_encoded": composer.get("segments_encoded"),
        "concurrent_encodes": composer.get("concurrent_encodes"),
        "threads": composer.get("threads"),
        "stages": {s["name"]: s["seconds"] for s in result.report["stages"]},
        "cpu_s_in_process": round(time.process_time() - cpu_started, 2),
        "cpu_s_ffmpeg": round(_children_cpu() - ffmpeg_started, 2),
    }


def child(mode: str, paths: list[str]) -> None:
    """In a child process: render, print JSON."""
    started, cpu, kids = time.perf_counter(), time.process_time(), _children_cpu()
    import aifilm

    if mode == "render":
        result = aifilm.render(paths[0], paths[1], progress=False)
        data = _report(result, time.perf_counter() - started, cpu, kids)
    else:  # "watch"/"watch-preview": render the film as it was, then the edit, in one process
        preview = mode == "watch-preview"
        try:
            from aifilm.pipeline.voice.base import keep_models_warm

            keep_models_warm()  # as `aifilm render --watch` does
        except ImportError:  # an older aifilm, measured for reference
            pass
        aifilm.render(paths[0], paths[2], progress=False, preview=preview)
        # the user's edit takes longer than the model's load, which runs meanwhile
        for thread in threading.enumerate():
            if thread.name == "warm-voice":
                thread.join(60)
        started, cpu, kids = time.perf_counter(), time.process_time(), _children_cpu()
        result = aifilm.render(paths[1], paths[2], progress=False, preview=preview)
        data = _report(result, time.perf_counter() - started, cpu, kids)
    print(json.dumps(data))


def run_child(mode: str, paths: list[Path], cache: Path) -> dict[str, Any]:
    """Run a child; its wall time, CPU, and peak memory summed over it and its FFmpegs."""
    import psutil

    env = {**os.environ, "AIFILM_CACHE_DIR": str(cache)}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    command = [sys.executable, __file__, "--child", mode, *map(str, paths)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = {"sum": 0, "largest": 0, "ffmpeg": 0}
    done = threading.Event()

    def sample() -> None:
        parent = psutil.Process(proc.pid)
        while not done.wait(0.1):
            try:
                family = [parent, *parent.children(recursive=True)]
                sizes, ffmpeg = [], []
                for p in family:
                    with contextlib.suppress(psutil.Error):
                        sizes.append(p.memory_info().rss)
                        if "ffmpeg" in p.name():
                            ffmpeg.append(sizes[-1])
            except psutil.Error:
                continue
            peak["sum"] = max(peak["sum"], sum(sizes))
            peak["ffmpeg"] = max(peak["ffmpeg"], sum(ffmpeg))
            peak["largest"] = max(peak["largest"], max(sizes, default=0))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{err.decode()[-3000:]}")
    data: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    data["peak_mb_all_processes"] = round(peak["sum"] / 2**20)
    data["peak_mb_largest_process"] = round(peak["largest"] / 2**20)
    data["peak_mb_ffmpeg_together"] = round(peak["ffmpeg"] / 2**20)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the child and every FFmpeg it waited for; a --watch child's first render included
    data["cpu_s_process_total"] = round(
        after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
    )
    data["load_before"] = load
    return data


def film_runs(work: Path, seconds: int, resolution: str, edits: bool) -> dict[str, Any]:
    folder = work / f"film-{seconds}s-{resolution}"
    cache = folder / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    original = project(folder / "original", seconds, resolution)
    runs = {"cold": run_child("render", [original, folder / "out"], cache)}
    if edits:
        edited = project(folder / "edited", seconds, resolution, "weaver")
        runs["one line edited (fresh process)"] = run_child(
            "render", [edited, folder / "out-edited"], cache
        )
        again = project(folder / "edited-again", seconds, resolution, "carver")
        runs["one line edited (--watch process)"] = run_child(
            "watch", [original, again, folder / "out-watch"], cache
        )
        third = project(folder / "edited-preview", seconds, resolution, "baker")
        runs["one line edited (--watch --preview process)"] = run_child(
            "watch-preview", [original, third, folder / "out-preview"], cache
        )
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/aifilm-bench-edit"))
    parser.add_argument("--long", action="store_true", help="also a 5-minute 1080p film")
    parser.add_argument("--skip-compose", action="store_true")
    parser.add_argument("--skip-moviepy", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write JSON")
    parser.add_argument("--skip-60s", action="store_true", help="only the --long film")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "uptime_before": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "films": {},
    }
    if not args.skip_60s:
        results["films"]["60 s 720p"] = film_runs(args.work, 60, "720p", edits=True)
    args.results.parent.mkdir(exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n")  # so far, in case of a stop
    if not args.skip_compose:
        command = [sys.executable, str(HERE / "bench_compose.py"), "--work", str(args.work / "c")]
        if args.skip_moviepy:
            command.append("--skip-moviepy")
        subprocess.run(command, check=True)
        results["compose_comparison"] = json.loads((HERE / "results" / "compose.json").read_text())
        args.results.write_text(json.dumps(results, indent=2) + "\n")
    if args.long:
        results["films"]["5 min 1080p"] = film_runs(args.work, 300, "1080p", edits=False)
    results["uptime_after"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    print("| film | run | wall s | peak MB: all / FFmpegs / largest | what was redone |")
    print("|---|---|---:|---|---|")
    for film, runs in results["films"].items():
        for name, r in runs.items():
            peaks = (
                f"{r['peak_mb_all_processes']} / {r['peak_mb_ffmpeg_together']} / "
                f"{r['peak_mb_largest_process']}"
            )
            print(f"| {film} | {name} | {r['wall_s']} | {peaks} | {r['summary']} |")
    cold = results["films"].get("60 s 720p", {}).get("cold")
    for name, r in results["films"].get("60 s 720p", {}).items() if cold else []:
        if name != "cold":
            print(f"{name}: {r['wall_s']} s = {r['wall_s'] / cold['wall_s']:.2f}x the cold render")
    print(results["uptime_before"], "->", results["uptime_after"].strip())


if __name__ == "__main__":
    main()
