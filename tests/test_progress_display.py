"""What a person sees while a render runs: a line per stage in logs, warnings as they
happen (terminal and --json), the Python API's default display, and text printed as it
is (rich markup in a message is never interpreted)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

import aifilm
from aifilm.cli import cmd_doctor
from aifilm.cli.app import run
from aifilm.cli.console import show_error
from aifilm.errors import MissingDependencyError
from aifilm.pipeline.backend import HealthCheck
from aifilm.pipeline.stages import STAGE_NAMES

FACELESS = """\
title: "[ai] tale"
duration: 10s
characters:
  - name: Ann
    image: "sky[ai].png"
scenes:
  - shots:
      - dialogue:
          - Ann: Look at the sky.
"""


@pytest.fixture
def faceless(tmp_path: Path) -> Path:
    """A project whose only character's picture has no face in it."""
    Image.new("RGB", (320, 240), (90, 140, 220)).save(tmp_path / "sky[ai].png")
    spec = tmp_path / "project.yaml"
    spec.write_text(FACELESS, encoding="utf-8")
    return spec


def test_warnings_that_change_the_film_reach_the_terminal_and_json(
    faceless: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    assert run(["render", str(faceless), "--preview", "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    warnings = [e for e in events if e["event"] == "warning"]
    face = [w for w in warnings if "no face found in sky[ai].png" in w["message"]]
    assert len(face) == 1 and face[0]["stage"] == "lipsync", warnings
    assert "shown as a still" in face[0]["message"]
    assert face[0]["message"] in events[-1]["warnings"]  # and in the result (and report)

    # In a log (no TTY): a line per stage with its time, the warning, text shown as written.
    assert run(["render", str(faceless), "--preview"]) == 0
    err = capsys.readouterr().err
    for stage in STAGE_NAMES:
        assert re.search(rf"^{stage} +done +\d+\.\d s$", err, re.MULTILINE), (stage, err)
    assert "[ai] tale ←" in err
    assert re.search(
        r"^warning \(lipsync\): shot 1\.1: Ann: no face found in sky\[ai\]\.png", err, re.M
    )


def test_the_python_api_shows_progress_unless_told_not_to(
    faceless: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    aifilm.render(faceless, tmp_path / "a", preview=True)
    shown = capsys.readouterr().err
    assert re.search(r"^compose +done", shown, re.MULTILINE) and "no face found" in shown

    seen: list[str] = []
    aifilm.render(
        faceless, tmp_path / "b", preview=True, on_progress=lambda e: seen.append(e.event)
    )
    assert capsys.readouterr().err == "" and "finish" in seen and "warning" in seen

    aifilm.render(faceless, tmp_path / "c", preview=True, progress=False)
    assert capsys.readouterr().err == ""


def test_doctor_prints_brackets_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = HealthCheck("torch [gpu]", False, "not installed [red]", "pip install 'aifilm[ai]'")
    monkeypatch.setattr(cmd_doctor, "run_checks", lambda: {"gpu": [missing]})
    monkeypatch.setenv("COLUMNS", "200")
    assert run(["doctor"]) == 4
    out = capsys.readouterr().out
    assert "pip install 'aifilm[ai]'" in out
    assert "torch [gpu]" in out and "not installed [red]" in out


def test_error_panels_print_brackets_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    error = MissingDependencyError(
        "the visuals backend needs torch [bold]now[/]", hint="pip install 'aifilm[ai]'"
    )
    assert show_error(error) == 4
    err = capsys.readouterr().err
    assert "pip install 'aifilm[ai]'" in err and "torch [bold]now[/]" in err


def test_a_note_repeated_over_shots_is_one_warning_naming_them(tmp_path: Path) -> None:
    from aifilm.pipeline.cache import Cache
    from aifilm.pipeline.context import ProgressEvent, RenderContext

    seen: list[ProgressEvent] = []
    ctx = RenderContext(
        project=aifilm.Project(title="T"),
        backends={},
        cache=Cache(None, enabled=False),
        workdir=tmp_path,
        size=(64, 64),
        fps=15,
        quality="draft",
        on_progress=seen.append,
    )
    ctx.warn_shots(
        "compose",
        [
            "shot 1.1: camera 'orbit' shown static",
            "shot 2.3: video clip, its overlays not applied",
            "shot 1.2: camera 'orbit' shown static",
            "watermark skipped: no fonts_dir with a font to draw it",
        ],
    )
    assert ctx.warnings == [
        "shots 1.1, 1.2: camera 'orbit' shown static",
        "shot 2.3: video clip, its overlays not applied",
        "watermark skipped: no fonts_dir with a font to draw it",
    ]
    assert [(e.event, e.stage, e.message) for e in seen] == [
        ("warning", "compose", w) for w in ctx.warnings
    ]
