"""`aifilm publish` and `aifilm youtube` end to end against the fake: JSON and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fake_youtube import CLIENT_ID, FakeYouTube
from films import render_folder

from aifilm.publish.youtube import QuotaLedger


def aifilm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args], capture_output=True, text=True, timeout=120
    )


def _lines(stdout: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_publish_json_then_already_published(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path
) -> None:
    folder = render_folder(tmp_path / "renders")
    args = [
        "publish",
        str(folder / "render-report.json"),
        "--tags",
        "fable,crow",
        "--privacy",
        "unlisted",
        "--playlist",
        "Fables",
        "--create-playlist",
        "--json",
    ]
    first = aifilm(*args)
    assert first.returncode == 0, first.stderr + first.stdout
    events = _lines(first.stdout)
    result = events[-1]
    assert result["event"] == "result" and result["status"] == "uploaded"
    assert result["url"].endswith(result["video_id"]) and result["title"] == "The Thirsty Crow"
    assert sorted(result["captions"]) == ["en", "hi"] and result["thumbnail"] is True
    assert any(e.get("stage") == "upload" and e["event"] == "progress" for e in events)

    again = aifilm(*args)
    assert again.returncode == 0
    assert _lines(again.stdout)[-1]["status"] == "already-published"
    assert len(fake.state.videos) == 1

    listed = aifilm("youtube", "playlists", "--json")
    assert listed.returncode == 0 and _lines(listed.stdout)[0]["title"] == "Fables"
    quota = aifilm("youtube", "quota", "--json")
    assert _lines(quota.stdout)[0]["bucket"] == "units"


def test_exit_codes(
    fake: FakeYouTube, youtube_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    film = tmp_path / "film.mp4"
    film.write_bytes(b"\1" * 5000)

    bad = aifilm("publish", str(film), "--title", "a<b", "--json")
    assert bad.returncode == 3 and _lines(bad.stdout)[-1]["error"] == "MetadataError"
    human = aifilm("publish", str(film), "--title", "x" * 101)
    assert human.returncode == 3 and "101 characters" in human.stderr

    QuotaLedger(CLIENT_ID).charge("captions.insert", calls=25)
    over = aifilm("publish", str(film), "--title", "Crow", "--json")
    assert over.returncode == 5 and _lines(over.stdout)[-1]["error"] == "QuotaError"
    assert fake.state.requests == []

    monkeypatch.delenv("AIFILM_YOUTUBE_REFRESH_TOKEN")
    monkeypatch.delenv("AIFILM_YOUTUBE_CLIENT_ID")
    monkeypatch.delenv("AIFILM_YOUTUBE_CLIENT_SECRET")
    missing = aifilm("publish", str(film), "--title", "Crow")
    assert missing.returncode == 6 and "aifilm youtube login" in missing.stderr


def test_documented_options_exist_and_the_python_example_compiles() -> None:
    import re

    import typer

    from aifilm.cli.app import app

    doc = (Path(__file__).parents[2] / "docs" / "publishing.md").read_text(encoding="utf-8")
    command = typer.main.get_command(app).commands["publish"]  # type: ignore[attr-defined]
    known = {opt for param in command.params for opt in param.opts}
    table = doc.split("## `publish` options")[1].split("\n## ")[0]
    documented = set(re.findall(r"`(--[a-z-]+)", table))
    assert documented and documented <= known, documented - known
    for block in re.findall(r"```python\n(.*?)```", doc, flags=re.DOTALL):
        compile(block, "docs/publishing.md", "exec")
