"""How much the render cache keeps per film, and what pruning to a cap costs.

    python benchmarks/bench_cache.py

Renders the 60 s 720p example film (examples/thirsty-crow) into an empty cache, reports the
cache's size per stage, then prunes a copy of it to half its size and times that. Results:
benchmarks/results/cache.json and a line per number on stdout (quoted in docs/cli.md#the-cache).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path

import aifilm
from aifilm.pipeline.cache import Cache

HERE = Path(__file__).parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "cache.json"
FILM = ROOT / "examples" / "thirsty-crow" / "project.yaml"


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="aifilm-bench-cache-") as scratch:
        base = Path(scratch)
        settings = aifilm.Settings(cache_dir=base / "cache", cache_max_size=0)  # no cap
        result = aifilm.render(FILM, base / "out", settings=settings, progress=False)
        cache = Cache(base / "cache")
        entries = cache.entries()
        by_stage: Counter[str] = Counter()
        for entry in entries:
            by_stage[entry.stage] += entry.size
        stored = sum(by_stage.values())
        copy = base / "copy"
        shutil.copytree(base / "cache", copy)
        started = time.perf_counter()
        pruned = Cache(copy).prune(stored // 2)
        prune_seconds = time.perf_counter() - started
        facts = {
            "film": str(FILM.relative_to(ROOT)),
            "film_seconds": round(result.duration, 2),
            "entries": len(entries),
            "cache_bytes": stored,
            "cache_mb_per_film_minute": round(stored / 1e6 / (result.duration / 60), 1),
            "bytes_by_stage": dict(by_stage.most_common()),
            "prune_to_half": {
                "removed": pruned.removed,
                "seconds": round(prune_seconds, 4),
            },
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(facts, indent=2) + "\n")
    print(json.dumps(facts, indent=2))


if __name__ == "__main__":
    main()
