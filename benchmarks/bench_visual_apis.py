"""What a 2-minute film's pictures cost through each visual API: requests, estimated USD and
the visuals stage's own time (the fakes answer at once, so provider queue time is not in it).

    python benchmarks/bench_visual_apis.py

Writes a 2-minute story with `write_film` against the tests' fake language-model server,
then runs the render up to the visuals stage once per backend against the tests' fake
providers on 127.0.0.1 (`tests/fakes/visual_server.py`, `tests/fakes/stock_server.py`; jobs
stay running for one status check, as a short real queue would), in preview size (640 px):
requests are exact, the cost is the built-in price table's. A second run of each from its
cache is timed too (it asks for nothing). Results: benchmarks/results/visual_apis.json and
lines for docs/visual-apis.md on stdout.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
ROOT = HERE.parent
RESULTS = HERE / "results" / "visual_apis.json"
sys.path.insert(0, str(ROOT))  # the fake servers live with the tests

BACKENDS = [
    "pexels-video",
    "pixabay-video",
    "stability",
    "replicate",
    "replicate-video",
    "runway",
    "comfyui",
]


def main() -> None:
    from tests.fakes.llm_server import KEYS, FakeLLMServer
    from tests.fakes.stock_server import PEXELS_KEY, PIXABAY_KEY, FakeStockServer
    from tests.fakes.visual_server import (
        REPLICATE_TOKEN,
        RUNWAY_KEY,
        STABILITY_KEY,
        FakeVisualServer,
    )

    from aifilm.pipeline.llm.base import LLMBackend
    from aifilm.pipeline.registry import registry
    from aifilm.pipeline.render import Pipeline
    from aifilm.settings import Settings
    from aifilm.write.writer import write_film

    llm_fake, stock, visual = FakeLLMServer(), FakeStockServer(), FakeVisualServer()
    os.environ.update(
        {
            "OPENAI_API_KEY": KEYS["openai"],
            "PEXELS_API_KEY": PEXELS_KEY,
            "PIXABAY_API_KEY": PIXABAY_KEY,
            "PEXELS_API_URL": stock.url,
            "PIXABAY_API_URL": stock.url,
            "STABILITY_API_KEY": STABILITY_KEY,
            "REPLICATE_API_TOKEN": REPLICATE_TOKEN,
            "RUNWAYML_API_SECRET": RUNWAY_KEY,
            **{f"AIFILM_{p}_API_BASE": visual.url for p in ("STABILITY", "REPLICATE", "RUNWAY")},
            "AIFILM_COMFYUI_API_BASE": visual.url,
        }
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        writer = registry.create(
            "llm", {"name": "openai", "options": {"base_url": llm_fake.url + "/v1"}}
        )
        assert isinstance(writer, LLMBackend)
        written = write_film(
            "why the sky is blue", backend=writer, out=base / "sky", minutes=2, style="story"
        )
        for name in BACKENDS:
            stock.requests.clear()
            visual.reset()
            stocks = ("pexels-video", "pixabay-video")
            options: dict[str, Any] = {} if name in stocks else {"poll_s": 0.05}
            choice = {"name": name, "options": options}
            # One cache for all: the voices are made once; each backend's pictures are its own.
            cache = base / "cache"
            times = []
            for _ in range(2):
                pipe = Pipeline(
                    written.project,
                    preview=True,
                    settings=Settings(cache_dir=cache),
                    visuals=choice,
                )
                pipe.run(until="visuals")
                pipe.close()
                stage = next(r for r in pipe.context.reports if r.name == "visuals")
                times.append(stage.seconds)
                if not times[1:]:
                    state = pipe.state
                    calls = len(stock.requests) + len(visual.requests)
            credits = state.credits
            kinds = sorted({v.kind for v in state.visuals})
            rows.append(
                {
                    "backend": name,
                    "shots": len(state.visuals),
                    "provider_shots": len(credits),
                    "requests": calls,
                    "cost_usd": round(sum(float(c.get("cost_usd") or 0) for c in credits), 3),
                    "kinds": kinds,
                    "seconds": round(times[0], 1),
                    "cached_seconds": round(times[1], 2),
                    "notes": [v.note for v in state.visuals if v.note],
                }
            )
    for server in (llm_fake, stock, visual):
        server.close()
    RESULTS.parent.mkdir(exist_ok=True)
    load = os.getloadavg()[0]
    RESULTS.write_text(json.dumps({"load_1min": load, "rows": rows}, indent=2) + "\n")
    print(f"load average {load:.1f}")
    print("| backend | shots (from the provider) | requests | est. cost | aifilm's time | cached |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| `{r['backend']}` | {r['shots']} ({r['provider_shots']}) | {r['requests']} | "
            f"${r['cost_usd']:.2f} | {r['seconds']:.1f} s | {r['cached_seconds']:.2f} s |"
        )


if __name__ == "__main__":
    main()
