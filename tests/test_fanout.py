"""`aifilm render --workers N` / `render(workers=N)`: the per-shot pieces (here pictures from
a toy backend that sleeps, tests/fakes/sleepy.py) are made in N processes at once, land in
the same cache (a re-render is all hits and the same film), progress advances per shot, and
an error names its shot."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fakes import sleepy

import aifilm
from aifilm.errors import StageError
from aifilm.pipeline.context import ProgressEvent
from aifilm.pipeline.fanout import ProcessRunner, ThreadRunner, default_runner

COLOURS = ["#c03030", "#30c030", "#3030c0", "#c0c030"]


def _project(tmp_path: Path, options: str = "{seconds: 0.8}") -> Path:
    shots = "\n".join(
        f'      - {{color: "{c}", narration: "Shot {n}.", camera: static}}'
        for n, c in enumerate(COLOURS, start=1)
    )
    path = tmp_path / "project.yaml"
    path.write_text(
        f"""\
title: Many Hands
duration: 12s
output: {{resolution: 160x90, fps: 12, quality: draft}}
backends: {{visuals: {{name: sleepy, options: {options}}}, voice: espeak}}
scenes:
  - shots:
{shots}
"""
    )
    return path


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    sleepy.register()
    log = tmp_path / "shots.log"
    monkeypatch.setenv("AIFILM_SLEEPY_LOG", str(log))
    yield log
    sleepy.unregister()


def _lines(log: Path) -> list[tuple[int, str, str]]:
    return [(int(p), w, c) for p, w, c in (line.split() for line in log.read_text().splitlines())]


def test_workers_make_shots_in_processes_into_the_same_cache(toy: Path, tmp_path: Path) -> None:
    settings = aifilm.Settings(cache_dir=tmp_path / "cache")
    events: list[ProgressEvent] = []
    project = aifilm.Project.load(_project(tmp_path))
    result = aifilm.render(
        project, tmp_path / "out", settings=settings, workers=4, on_progress=events.append
    )
    lines = _lines(toy)
    pids = {pid for pid, _, _ in lines}
    # Four shots, each in a process of its own (not this one), at the same time.
    assert len(pids) == 4 and os.getpid() not in pids
    order = [w for _, w, _ in lines]
    assert order[:4] == ["start"] * 4, lines
    # Progress advanced once per shot, and named it.
    shown = [(e.done, e.total) for e in events if e.stage == "visuals" and e.event == "progress"]
    assert shown == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert {e.message for e in events if e.stage == "visuals" and e.event == "progress"} == {
        "shot 1.1",
        "shot 1.2",
        "shot 1.3",
        "shot 1.4",
    }
    stages = {s["name"]: s for s in result.report["stages"]}
    assert stages["visuals"]["cache_misses"] == 4
    film = result.video.read_bytes()

    # A re-render in threads (the default) finds every piece the processes made.
    toy.unlink()
    again = aifilm.render(project, tmp_path / "again", settings=settings)
    assert again.report["cache"]["misses"] == 0
    assert not toy.exists()  # no shot drawn again
    assert again.video.read_bytes() == film


def test_a_failing_shot_in_a_process_is_named(toy: Path, tmp_path: Path) -> None:
    project = aifilm.Project.load(_project(tmp_path, '{seconds: 0.1, fail_color: "#3030c0"}'))
    with pytest.raises(StageError) as caught:
        aifilm.render(
            project,
            tmp_path / "out",
            settings=aifilm.Settings(cache_dir=tmp_path / "cache"),
            workers=2,
            progress=False,
        )
    error = caught.value
    assert error.stage == "visuals" and error.shot == "1.3"
    assert "RuntimeError: the toy backend refuses the colour #3030c0" in error.message
    assert "project.yaml:" in error.message  # and where the shot is in the file
    assert not (tmp_path / "out").exists()


def test_cli_workers_option(toy: Path, tmp_path: Path) -> None:
    path = _project(tmp_path, "{seconds: 0.1}")
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "AIFILM_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)]),
    }

    def aifilm_with_toy(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tests.fakes.sleepy", "render", str(path), *args]
        return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)

    bad = aifilm_with_toy("--workers", "0")
    assert bad.returncode == 3, bad.stderr
    assert "workers: 0 processes is out of range" in bad.stderr + bad.stdout
    remote = aifilm_with_toy("--workers", "2", "--remote", "http://127.0.0.1:9")
    assert remote.returncode == 3 and "--workers work here, not with --remote" in remote.stderr
    good = aifilm_with_toy("--workers", "2", "--json")
    assert good.returncode == 0, good.stderr
    assert len({pid for pid, _, _ in _lines(toy)}) == 2  # two processes drew the four shots


def test_default_runner() -> None:
    assert isinstance(default_runner(None), ThreadRunner)  # today's default: threads
    runner = default_runner(3)
    assert isinstance(runner, ProcessRunner) and runner.processes == 3
