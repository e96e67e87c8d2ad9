"""`aifilm validate` checks what a render checks before it starts, by the same code."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

import aifilm
from aifilm.cli.app import run
from aifilm.pipeline.backend import HealthCheck
from aifilm.pipeline.cache import Cache
from aifilm.pipeline.music.midi import MidiMusic
from aifilm.pipeline.registry import registry


class NeedsAnExtra(MidiMusic):
    """A music backend whose Python package is not installed."""

    name: ClassVar[str] = "needs-extra"
    extra: ClassVar[str | None] = "ai"
    requires: ClassVar[tuple[str, ...]] = ("aifilm_no_such_module",)


@pytest.fixture
def needs_extra() -> Iterator[None]:
    registry.register(NeedsAnExtra)
    yield
    registry.unregister(NeedsAnExtra)


def _project(tmp_path: Path, backends: str = "") -> Path:
    tmp_path.mkdir(exist_ok=True)
    spec = tmp_path / "project.yaml"
    spec.write_text(f"title: T\nduration: 10s\nscript: Hello there.\n{backends}", encoding="utf-8")
    return spec


def test_a_missing_extra_fails_validate_as_it_fails_render(
    tmp_path: Path, needs_extra: None, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _project(tmp_path, "backends:\n  music: needs-extra\n")
    assert run(["validate", str(spec), "--json"]) == 4
    error = json.loads(capsys.readouterr().out)
    assert error["error"] == "MissingDependencyError"
    assert "needs python module aifilm_no_such_module" in error["message"]
    assert error["hint"] == "pip install 'aifilm[ai]'"

    assert run(["render", str(spec), "--json"]) == 4
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert events[-1]["message"] == error["message"]
    assert not [e for e in events if e["event"] == "start"]  # it stopped before the first stage
    assert Cache(Path(os.environ["AIFILM_CACHE_DIR"])).entries() == []  # nothing was made

    # Chosen on the command line instead: both commands take the same backend options.
    plain = _project(tmp_path / "plain")
    assert run(["validate", str(plain)]) == 0
    assert run(["validate", str(plain), "--music", "needs-extra"]) == 4
    assert run(["render", str(plain), "--music", "needs-extra"]) == 4


def test_a_missing_api_key_and_a_setting_choice_are_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    spec = _project(tmp_path)
    monkeypatch.setenv("AIFILM_VOICE_BACKEND", "openai")  # chosen by settings, not the file
    assert run(["validate", str(spec)]) == 4
    assert "OPENAI_API_KEY" in capsys.readouterr().err
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert run(["validate", str(spec), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["backends"]["voice"] == "openai"


def test_an_output_folder_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the panel would wrap the long path
    spec = _project(tmp_path)
    (tmp_path / "renders").write_text("a file where the renders would go\n")
    assert run(["validate", str(spec)]) == 3
    assert "renders' is a file" in capsys.readouterr().err
    with pytest.raises(aifilm.UserError, match="renders' is a file"):
        aifilm.render(spec, progress=False)


class ModelElsewhere(MidiMusic):
    """An AI-like backend: its default model is not downloaded and no GPU is found, but the
    render may name a local model in its options, so only the run can tell."""

    name: ClassVar[str] = "model-elsewhere"

    @classmethod
    def health(cls) -> list[HealthCheck]:
        return [
            *super().health(),
            HealthCheck("device", False, "no accelerator"),
            HealthCheck("model", False, "org/default is not downloaded", "aifilm models pull"),
        ]


def test_what_only_the_run_can_settle_does_not_stop_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.register(ModelElsewhere)
    try:
        spec = _project(tmp_path, "backends:\n  music: model-elsewhere\n")
        assert run(["validate", str(spec), "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["backends"]["music"] == "model-elsewhere"
    finally:
        registry.unregister(ModelElsewhere)
