"""`aifilm models` and `aifilm doctor` for the AI backends; the docs' examples compile."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ai
ROOT = Path(__file__).parents[2]


def _aifilm(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args], capture_output=True, text=True, env=env
    )


def _env(tmp_path: Path) -> dict[str, str]:
    import os

    return {**os.environ, "HF_HUB_CACHE": str(tmp_path / "hub"), "HF_HUB_OFFLINE": "1"}


def test_models_list_shows_presence_size_and_licence(tmp_path: Path) -> None:
    # A complete snapshot of musicgen-small in the (fake) cache shows as present with its size.
    commit = "b" * 40
    snap = tmp_path / "hub" / "models--facebook--musicgen-small" / "snapshots" / commit
    snap.mkdir(parents=True)
    (snap / "config.json").write_text("{}")
    (snap / "model.safetensors").write_bytes(b"\0" * 1000)
    (snap.parents[1] / "refs").mkdir()
    (snap.parents[1] / "refs" / "main").write_text(commit)
    done = _aifilm("models", "list", "--json", env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    rows = {r["model"]: r for r in map(json.loads, done.stdout.splitlines())}
    small = rows["facebook/musicgen-small"]
    assert small["present"] and small["size_bytes"] == 1002 and small["path"] == str(snap)
    assert small["commercial_use"] is False and "CC-BY-NC" in small["weights_license"]
    sdxl = rows["stabilityai/stable-diffusion-xl-base-1.0"]
    assert not sdxl["present"] and sdxl["commercial_use"] is True
    assert {r["backend"] for r in rows.values()} == {
        "diffusion-image", "diffusion-video", "musicgen", "wav2lip", "sadtalker",
    }  # fmt: skip
    table = _aifilm("models", "list", "--backend", "musicgen", env=_env(tmp_path))
    assert "facebook/musicgen-small" in table.stdout and "CC-BY-NC 4.0" in table.stdout


def test_doctor_lists_ai_backends_without_failing_on_them(tmp_path: Path) -> None:
    done = _aifilm("doctor", "--json", env=_env(tmp_path))
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    ai = {r["name"]: r for r in rows if re.search("diffusion-|musicgen", r["name"])}
    assert set(ai) == {
        "visuals backend 'diffusion-image'",
        "visuals backend 'diffusion-video'",
        "music backend 'musicgen'",
    }
    for row in ai.values():
        assert row["ok"], row  # not chosen: optional, so information rather than a problem
        assert "model" in row["detail"] and "device" in row["detail"]
        assert re.search(r"aifilm models pull|aifilm\[ai\]", row["fix"] or "")
    assert "NON-COMMERCIAL" in ai["music backend 'musicgen'"]["detail"]


def test_doc_examples_compile() -> None:
    text = (ROOT / "docs" / "ai-backends.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    for block in blocks:
        compile(block, "docs/ai-backends.md", "exec")
