"""`aifilm write` as a user runs it (a real subprocess) against the fake llm and stock
servers: a topic straight to a rendered film with library photos chosen by the director's
search terms, and the error that says what to set without an llm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fakes.llm_server import KEYS, FakeLLMServer
from tests.fakes.stock_server import PEXELS_KEY, FakeStockServer

from aifilm.media.probe import probe


@pytest.fixture(scope="module")
def stock() -> Iterator[FakeStockServer]:
    fake = FakeStockServer()
    yield fake
    fake.close()


def aifilm(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AIFILM_LLM", "OPENAI"))}
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, **env},
    )


def test_a_topic_becomes_a_rendered_film(
    llm_server: FakeLLMServer, stock: FakeStockServer, tmp_path: Path
) -> None:
    env = {
        "AIFILM_VISUALS_BACKEND": "pexels",
        "PEXELS_API_KEY": PEXELS_KEY,
        "PEXELS_API_URL": stock.url,
        "AIFILM_LLM_BACKEND": "openai",
        "AIFILM_LLM_BASE_URL": llm_server.url + "/v1",
        "AIFILM_LLM_MODEL": "fake-writer",
        "OPENAI_API_KEY": KEYS["openai"],
        "AIFILM_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = aifilm(
        "write", "why the sky is blue", "--minutes", "0.25", "--style", "story",
        "--characters", "2", "--out", "sky", "--render", "--json",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    written, finished = events[0], events[-1]
    assert written["event"] == "written" and written["target_seconds"] == 15
    assert written["requests"] == 1 and written["input_tokens"] > 0
    info = probe(Path(finished["video"]))
    assert info.first("video") is not None and info.first("audio") is not None
    assert abs(info.duration - 15) <= 1.5
    report = json.loads((tmp_path / "sky" / "renders" / "render-report.json").read_text())
    (direct,) = [s for s in report["stages"] if s["name"] == "direct"]
    assert direct["backend"] == "openai" and direct["notes"] == ["prompts by llm:openai"]
    shots = [s["id"] for s in report["timeline"]["shots"]]
    assert [c["shot"] for c in report["stock"]] == shots  # every shot a credited photo
    assert report["backends"]["visuals"]["name"] == "pexels"
    assert {r.query["query"] for r in stock.searches()} >= {f"blue sky shot {i}" for i in shots}
    models = {r.body["model"] for r in llm_server.requests}
    assert models == {"fake-writer"}  # the writer and the director asked the model set


def test_without_an_llm_the_error_says_what_to_set(tmp_path: Path) -> None:
    done = aifilm("write", "why the sky is blue", env={}, cwd=tmp_path)
    assert done.returncode == 3
    message = " ".join(done.stderr.split())
    assert "no language model is configured" in message
    assert "AIFILM_LLM_BACKEND=openai" in message and "OPENAI_API_KEY" in message
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_write_from_a_pdf_paper(llm_server: FakeLLMServer, tmp_path: Path) -> None:
    from tests.fakes.tiny_pdf import write_pdf

    llm_server.reset()
    # A 12-page paper of about 8,300 words: three parts, each summarised first.
    pages = [
        [f"Section {p}.{n}: Rayleigh scattering makes the daytime sky blue." for n in range(1, 4)]
        + ["Shorter wavelengths of sunlight scatter more off the molecules of air. " * 2] * 30
        for p in range(1, 13)
    ]
    paper = write_pdf(tmp_path / "paper.pdf", pages, title="Why the sky is blue")
    import pypdf

    assert len(pypdf.PdfReader(str(paper)).pages) == 12  # a real PDF, as a viewer opens it
    env = {
        "AIFILM_LLM_BACKEND": "openai",
        "AIFILM_LLM_BASE_URL": llm_server.url + "/v1",
        "OPENAI_API_KEY": KEYS["openai"],
        "AIFILM_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = aifilm(
        "write", "--from", "paper.pdf", "--minutes", "1", "--style", "podcast",
        "--out", "talk", "--json", env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = json.loads(done.stdout.splitlines()[0])
    asked = [r.body["messages"][-1]["content"] for r in llm_server.of("openai")]
    parts = [a for a in asked if a.startswith("Part ")]
    assert len(parts) == 3 and parts[0].startswith("Part 1 of 3 of paper.pdf")
    # the PDF's own words reached the model, page text in reading order
    assert "Section 1.1: Rayleigh scattering makes the daytime sky blue." in parts[0]
    assert "Section 12.3: Rayleigh scattering" in parts[2]
    assert "Source (paper.pdf)" in asked[-1]
    assert written["requests"] == 4 and written["shots"] >= 2
    project = (tmp_path / "talk" / "project.yaml").read_text(encoding="utf-8")
    assert "mode: podcast" in project
