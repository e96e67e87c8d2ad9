"""What a 2-minute film costs in language-model requests and tokens: writing and directing.

    python benchmarks/bench_writer.py

Runs `write_film` for a 2-minute film in each style, from a 6,600-word source and from a
12-page PDF paper (written by the tests' tiny PDF writer, read by pypdf), then
the director over the written film, against the fake OpenAI-compatible server of the
tests (no network). Requests are counted exactly; tokens are the server's usage, which
the fake reckons as characters / 4 of the whole request (instructions, turns and the JSON
Schema) and of the answer, the usual rule of thumb for English. The answers are
well-formed drafts of the asked length, so the output side is the size of a real
2-minute project; a real model that needs a repair adds one request whose input is the
first request plus its answer and the problems (measured below as "one repair").
Results: benchmarks/results/writer.json and lines for docs/writer.md on stdout.
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
RESULTS = HERE / "results" / "writer.json"
sys.path.insert(0, str(ROOT))  # the fake server lives with the tests


def main() -> None:
    from tests.fakes.llm_server import KEYS, FakeLLMServer, Reply, film_for

    from aifilm.pipeline.cache import Cache
    from aifilm.pipeline.direct.stage import direct_shots
    from aifilm.pipeline.llm.base import LLMBackend
    from aifilm.pipeline.plan.summary import plan_project
    from aifilm.pipeline.registry import registry
    from aifilm.write.writer import write_film

    os.environ["OPENAI_API_KEY"] = KEYS["openai"]
    fake = FakeLLMServer()
    rows: list[dict[str, Any]] = []

    def llm() -> LLMBackend:
        made = registry.create("llm", {"name": "openai", "options": {"base_url": fake.url + "/v1"}})
        assert isinstance(made, LLMBackend)
        return made

    cases: list[tuple[str, dict[str, Any]]] = [
        ("story, 2 characters", {"style": "story", "characters": 2}),
        ("explainer", {"style": "explainer"}),
        ("podcast, 2 hosts", {"style": "podcast"}),
        ("podcast from a 6,600-word source", {"style": "podcast", "source": True}),
        ("podcast from a 12-page PDF (8,300 words)", {"style": "podcast", "pdf": True}),
        ("story, one repair", {"style": "story", "characters": 2, "repair": True}),
    ]
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        notes = base / "notes.md"
        notes.write_text(
            "\n\n".join(f"Paragraph {n} on scattering. " + "word " * 290 for n in range(22))
        )
        from tests.fakes.tiny_pdf import write_pdf

        line = "Shorter wavelengths of sunlight scatter more off the molecules of air. " * 2
        pages = [
            [f"Section {p}.{n}: Rayleigh scattering makes the sky blue." for n in (1, 2, 3)]
            + [line] * 30
            for p in range(1, 13)
        ]
        paper = write_pdf(base / "paper.pdf", pages, title="Why the sky is blue")
        for label, case in cases:
            writer = llm()
            if case.pop("repair", False):
                fake.push(Reply(text=json.dumps(film_for("about 600 spoken words"))))
            source = notes if case.pop("source", False) else None
            if case.pop("pdf", False):
                source = paper
            out = base / label.replace(" ", "-").replace(",", "")
            result = write_film(
                "why the sky is blue", backend=writer, out=out, minutes=2, source=source, **case
            )
            director = llm()
            voice = registry.create("voice", "espeak")
            from aifilm.pipeline.voice.base import VoiceBackend

            assert isinstance(voice, VoiceBackend)
            timeline = plan_project(result.project, voice, {}).timeline
            direct_shots(result.project, timeline, director, Cache(base / f"cache-{len(rows)}"))
            write, direct = writer.usage.to_dict(), director.usage.to_dict()
            rows.append(
                {
                    "case": label,
                    "scenes": len(result.project.scenes),
                    "shots": len(timeline.shots),
                    "estimated_seconds": round(result.estimated_seconds, 1),
                    "write": write,
                    "direct": direct,
                    "total": {k: write[k] + direct[k] for k in write},
                }
            )
    fake.close()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": rows}, indent=2) + "\n")
    print(
        "| film (2 min) | scenes/shots | write: requests, tokens in/out | direct: requests, "
        "tokens in/out | total tokens |"
    )
    print("|---|---|---|---|---|")
    for r in rows:
        w, d, t = r["write"], r["direct"], r["total"]
        print(
            f"| {r['case']} | {r['scenes']}/{r['shots']} | {w['requests']}, "
            f"{w['input_tokens']:,}/{w['output_tokens']:,} | {d['requests']}, "
            f"{d['input_tokens']:,}/{d['output_tokens']:,} | "
            f"{t['input_tokens'] + t['output_tokens']:,} |"
        )


if __name__ == "__main__":
    main()
