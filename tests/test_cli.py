"""The command line as a user runs it: real subprocesses, real exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aifilm.spec.schema import project_schema


def aifilm(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args], capture_output=True, text=True, cwd=cwd
    )


def test_init_makes_a_project_that_validates_plans_and_renders(tmp_path: Path) -> None:
    made = aifilm("init", str(tmp_path / "my-film"))
    assert made.returncode == 0, made.stderr
    spec = tmp_path / "my-film" / "project.yaml"
    assert (tmp_path / "my-film" / "images" / "mira.png").exists()
    valid = aifilm("validate", str(spec), "--json")
    assert valid.returncode == 0 and json.loads(valid.stdout)["characters"] == ["Mira", "Grandpa"]
    plan = json.loads(aifilm("plan", str(spec), "--json").stdout)
    assert abs(plan["duration_seconds"] - 45) <= 0.05 * 45
    assert plan["credits"] == 1 and plan["estimated_render_seconds"] > 0
    speakers = {ln["speaker"] for s in plan["shots"] for ln in s["lines"]}
    assert speakers == {"narrator", "Mira", "Grandpa"}
    rendered = aifilm("render", str(spec), "--preview", "--json")
    assert rendered.returncode == 0, rendered.stderr
    result = json.loads(rendered.stdout.splitlines()[-1])
    assert Path(result["video"]).exists()
    # The starter film's characters talk: their portraits' mouths are in project.yaml.
    report = json.loads(Path(result["report"]).read_text())
    lipsync = next(s for s in report["stages"] if s["name"] == "lipsync")
    assert lipsync["items"] == 2 and not lipsync["notes"], lipsync
    assert not [w for w in result["warnings"] if "face" in w], result["warnings"]
    again = aifilm("init", str(tmp_path / "my-film"))
    assert again.returncode == 3 and "not empty" in again.stderr


def test_plan_counts_credits_per_started_minute(tmp_path: Path) -> None:
    spec = tmp_path / "p.yaml"
    spec.write_text("title: T\nduration: 61s\nscript: Hello there.\n")
    plan = json.loads(aifilm("plan", str(spec), "--json").stdout)
    assert plan["credits"] == 2


def test_schema_command_prints_the_schema() -> None:
    done = aifilm("schema")
    assert done.returncode == 0 and json.loads(done.stdout) == project_schema()


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (("voices", "--language", "hi", "--json"), "hi/child"),
        (("music", "--json"), "hindustani"),
    ],
)
def test_listing_commands(args: tuple[str, ...], expect: str) -> None:
    done = aifilm(*args)
    assert done.returncode == 0, done.stderr
    assert expect in done.stdout


def test_unknown_language_for_voices_is_a_user_error() -> None:
    done = aifilm("voices", "--language", "hindi")
    assert done.returncode == 3 and "unknown language 'hindi'" in done.stderr


def test_doctor_reports_every_group() -> None:
    done = aifilm("doctor", "--json")
    checks = [json.loads(line) for line in done.stdout.splitlines()]
    names = {c["name"] for c in checks}
    assert {"FFmpeg", "FFmpeg filters", "FFmpeg encoders", "subtitle fonts"} <= names
    assert any(c["name"].startswith("voice backend 'espeak'") and c["ok"] for c in checks)
    failed = [c for c in checks if not c["ok"]]
    assert done.returncode == (4 if failed else 0)


def test_usage_error_exit_code() -> None:
    assert aifilm("render", "--no-such-flag").returncode == 2
