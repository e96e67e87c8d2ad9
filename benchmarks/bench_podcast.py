"""Benchmark a talking podcast: 60 s, 720p, two hosts with lip-sync, from a cold cache.

    python benchmarks/bench_podcast.py

Renders the episode in a fresh cache (every stage does its work: voices, music, layout
stills, lip-sync sprites, the film) and reports wall and CPU time (this process and
the FFmpeg it runs), each stage's seconds, and the machine's load average before and
after, since a shared machine slows a render down. Results:
benchmarks/results/podcast.json and a line for the README on stdout.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "podcast.json"

LINES = [
    ("Ann", "Welcome back to the show. Today we are talking about the night sky."),
    ("Bob", "Thanks for having me. I have loved the stars since I was a child."),
    ("Ann", "So tell me, why do the stars seem to twinkle while the planets do not?"),
    ("Bob", "Starlight comes from a single point, so the moving air bends it this way and that."),
    ("Ann", "And a planet is a tiny disc, so the flicker averages out."),
    ("Bob", "Exactly. Look at Jupiter tonight and it shines with a steady light."),
    ("Ann", "What would you say to someone buying their first telescope?"),
    ("Bob", "Start with binoculars. They are cheap, easy, and show you the moon's craters."),
    ("Ann", "I tried that last summer, and the moon looked like a brand new world."),
    ("Bob", "That feeling never goes away, even after thirty years of looking up."),
    ("Ann", "Thank you so much for joining us, and clear skies to everyone listening."),
]


def write_project(folder: Path) -> Path:
    """A two-host podcast of about a minute, at 720p, with music."""
    script = "".join(f"  {who}: {text}\n" for who, text in LINES)
    path = folder / "project.yaml"
    path.write_text(
        "title: Night Sky Talk\n"
        "mode: podcast\n"
        "duration: 60s\n"
        "output: {resolution: 720p}\n"
        "music: {genre: ambient}\n"
        "characters:\n"
        "  - {name: Ann, voice: adult-female}\n"
        "  - {name: Bob, voice: adult-male}\n"
        f"script: |\n{script}",
        encoding="utf-8",
    )
    return path


def main() -> int:
    """Render once, cold; print and save the figures."""
    import aifilm
    from aifilm.settings import Settings

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="aifilm-bench-podcast-") as tmp:
        folder = Path(tmp)
        path = write_project(folder)
        settings = Settings(cache_dir=folder / "cache")
        result = aifilm.render(path, folder / "out", settings=settings)
        report = result.report
    load_after = os.getloadavg()
    stages = {s["name"]: s["seconds"] for s in report["stages"]}
    lipsync = next(s for s in report["stages"] if s["name"] == "lipsync")
    video = result.info.first("video")
    assert video is not None
    figures: dict[str, Any] = {
        "film_seconds": round(result.duration, 2),
        "size": f"{video.width}x{video.height}",
        "fps": video.fps,
        "wall_seconds": report["wall_seconds"],
        "cpu_seconds": report["cpu_seconds"],
        "realtime_factor": report["realtime_factor"],
        "talking_shots": lipsync["items"],
        "overlays": report["composer"].get("overlays"),
        "stages_seconds": stages,
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    print(
        f"\n- Talking podcast (2 hosts, lip-sync, 60 s 720p, cold cache): "
        f"{figures['wall_seconds']:.1f} s wall ({figures['realtime_factor']}x real time), "
        f"{figures['cpu_seconds']:.1f} s CPU on {figures['cores']} cores, load average "
        f"{figures['load_average_before'][0]} before; `python benchmarks/bench_podcast.py`"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
