"""Measure what the default (offline) films show: flat fields, and pictures of their words.

    python benchmarks/bench_pictures.py                 # every example + benchmarks/scripts/
    python benchmarks/bench_pictures.py --time          # also the 60 s example, cold and cached
    python benchmarks/bench_pictures.py --time --only thirsty-crow --voice espeak
                                                        # the same voice for old and new code
    PYTHONPATH=/path/to/old/src python benchmarks/bench_pictures.py --label before

For each film, rendered with the default backends:

- flat share: film time whose frame (sampled at 2 fps, above the subtitle zone) is a
  flat colour or gradient, i.e. under 0.3 % of its pixels on an edge; reported over the
  whole film and outside title cards;
- named share: of the shots with narration or dialogue, those whose picture shows at
  least one thing their words name: a picture matched from the words (`scene.json`), a
  character the words name, a podcast turn's topic pictures, or the user's own picture
  whose file name the words say (hare.png in a shot about the hare).

Results: benchmarks/results/pictures-<label>.json and a markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

HERE = Path(__file__).parent
ROOT = HERE.parent
FLAT_EDGES = 0.003


def edges(rgb: np.ndarray) -> float:
    """Share of pixels on an edge above the subtitle zone (~0 for a colour or gradient)."""
    luma = rgb[: int(rgb.shape[0] * 0.78)].astype(np.float32).mean(axis=2)
    dx = np.abs(np.diff(luma, axis=1))[:-1]
    dy = np.abs(np.diff(luma, axis=0))[:, :-1]
    return float(((dx + dy) > 24).mean())


def sampled_frames(film: Path, every: float = 0.5) -> list[tuple[float, np.ndarray]]:
    out = []
    next_t = 0.0
    with av.open(str(film)) as container:
        for frame in container.decode(video=0):
            t = float(frame.time or 0.0)
            if t + 1e-6 >= next_t:
                out.append((t, frame.to_ndarray(format="rgb24")))
                next_t += every
    return out


def _words(shot: Any) -> str:
    return " ".join(
        " ".join([line.text, *line.translations.values()]) for line in shot.lines
    ).casefold()


def shows_its_words(shot: Any, visual: Any) -> bool:
    words = _words(shot)
    try:
        from aifilm.pipeline.visuals.stills import read_scene
    except ImportError:  # the code before aifilm.draw
        read_scene = None
    if shot.visual.kind == "podcast":
        try:
            from aifilm.draw.words import find_things
        except ImportError:
            return False
        return bool(find_things(words, limit=1))
    scene = read_scene(visual.path) if read_scene else None
    if scene is not None:
        if scene["words"]:
            return True
        return any(p["who"] and p["who"].casefold() in words for p in scene["pictures"])
    image = shot.visual.image
    if image is not None:
        stem = Path(image).stem.casefold()
        return stem in words or (shot.visual.character or "\0").casefold() in words
    return False


def measure(project_file: Path, cache_dir: Path) -> dict[str, Any]:
    from aifilm import Pipeline, Project
    from aifilm.pipeline.cache import Cache

    pipe = Pipeline(Project.load(project_file), cache=Cache(cache_dir))
    try:
        started = time.perf_counter()
        state = pipe.run()
        seconds = time.perf_counter() - started
        timeline = state.timeline
        assert timeline is not None and state.film is not None
        samples = sampled_frames(state.film)
        flat = flat_outside = counted_outside = 0
        for t, rgb in samples:
            shot = next((s for s in timeline.shots if s.start <= t < s.end), timeline.shots[-1])
            is_flat = edges(rgb) < FLAT_EDGES
            flat += is_flat
            if shot.visual.kind != "title":
                counted_outside += 1
                flat_outside += is_flat
        spoken = [(s, v) for s, v in zip(timeline.shots, state.visuals, strict=True) if s.lines]
        named = sum(shows_its_words(s, v) for s, v in spoken)
        return {
            "film": project_file.parent.name
            if project_file.name == "project.yaml"
            else project_file.stem,
            "seconds": round(timeline.duration, 1),
            "render_s": round(seconds, 1),
            "flat_share": round(flat / max(1, len(samples)), 3),
            "flat_share_outside_titles": round(flat_outside / max(1, counted_outside), 3),
            "spoken_shots": len(spoken),
            "named_share": round(named / max(1, len(spoken)), 3),
        }
    finally:
        pipe.close()


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def time_example(project_file: Path, voice: str | None = None) -> dict[str, Any]:
    """Cold (empty cache) and cached render of one film, and what the cache holds after.

    `voice` names the voice backend for both renders (the default one changed over
    time, and it costs more than the pictures do).
    """
    from aifilm.pipeline.render import render

    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        from aifilm.pipeline.cache import Cache

        started = time.perf_counter()
        first = render(project_file, Path(tmp) / "a", cache=Cache(cache), voice=voice)
        cold = time.perf_counter() - started
        visuals_bytes = _size(cache / "visuals") if (cache / "visuals").exists() else 0
        cache_bytes = _size(cache)
        started = time.perf_counter()
        again = render(project_file, Path(tmp) / "b", cache=Cache(cache), voice=voice)
        warm = time.perf_counter() - started
    return {
        "film": project_file.parent.name,
        "cold_s": round(cold, 1),
        # CPU seconds (Python and its FFmpeg children): steadier than wall time on a
        # machine shared with other work.
        "cold_cpu_s": first.report["cpu_seconds"],
        "stages_s": {s["name"]: s["seconds"] for s in first.report["stages"]},
        "cached_s": round(warm, 1),
        "cached_cpu_s": again.report["cpu_seconds"],
        "cached_misses": again.report["cache"]["misses"],
        "cache_mb": round(cache_bytes / 1e6, 1),
        "visuals_cache_mb": round(visuals_bytes / 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="after")
    parser.add_argument("--time", action="store_true", help="also time the 60 s example")
    parser.add_argument("--only", nargs="*", help="film names to measure")
    parser.add_argument("--voice", help="voice backend for the timed renders (e.g. espeak)")
    args = parser.parse_args()
    films = sorted((ROOT / "examples").glob("*/project.yaml"))
    films += sorted((HERE / "scripts").glob("*.yaml"))
    if args.only:
        films = [f for f in films if f.parent.name in args.only or f.stem in args.only]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for film in films:
            rows.append(measure(film, Path(tmp) / "cache"))
            print(json.dumps(rows[-1]), file=sys.stderr)
        shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
    example = ROOT / "examples/thirsty-crow/project.yaml"
    timing = time_example(example, args.voice) if args.time else None
    total = sum(r["seconds"] for r in rows)
    summary = {
        "label": args.label,
        "films": rows,
        "flat_share": round(sum(r["flat_share"] * r["seconds"] for r in rows) / total, 3),
        "flat_share_outside_titles": round(
            sum(r["flat_share_outside_titles"] * r["seconds"] for r in rows) / total, 3
        ),
        "named_share": round(
            sum(r["named_share"] * r["spoken_shots"] for r in rows)
            / max(1, sum(r["spoken_shots"] for r in rows)),
            3,
        ),
        "timing": timing,
    }
    out = HERE / "results" / f"pictures-{args.label}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print("| film | length s | flat | flat outside titles | spoken shots | show their words |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['film']} | {r['seconds']} | {r['flat_share']:.0%} | "
            f"{r['flat_share_outside_titles']:.0%} | {r['spoken_shots']} | {r['named_share']:.0%} |"
        )
    print(
        f"| **all** | {total:.0f} | {summary['flat_share']:.0%} | "
        f"{summary['flat_share_outside_titles']:.0%} | | {summary['named_share']:.0%} |"
    )
    if timing:
        print(f"\n60 s example: {timing}")


if __name__ == "__main__":
    main()
