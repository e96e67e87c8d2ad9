"""Fan-out on real `aifilm worker --celery` processes (PostgreSQL, Redis): a job's shots are
made as separate Celery tasks by two workers through the shared storage; a worker killed
(SIGKILL) in the middle of a shot loses only that shot, which another worker makes again;
the job finishes on its first attempt, its progress advanced shot by shot, charged once. A
shot that fails fails the job with an error naming the shot, and the job is refunded.

The shots are drawn by a toy backend that sleeps (tests/fakes/sleepy.py), which the workers
load through `python -m tests.fakes.sleepy worker --celery`.
Skipped without PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
import pytest
from tests.server.conftest import FANOUT_BROKER, Api, CeleryWorker, job_row, ledger, serve

from aifilm.media.ffmpeg import ffmpeg_exe
from aifilm.media.probe import probe
from aifilm.server.config import ServerSettings

pytestmark = pytest.mark.slow
BROKER = FANOUT_BROKER
COLOURS = ["#c03030", "#30c030", "#3030c0", "#c0c030"]
SHOT_SECONDS = 2.5  # each shot's picture takes this long on the toy backend


def film(fail: str | None = None) -> str:
    """Four shots of 3 s, each a plain colour drawn by the sleeping backend."""
    options = {"seconds": SHOT_SECONDS, "fail_color": fail}
    shots = "\n".join(
        f'      - {{color: "{c}", narration: "Shot {n}.", camera: static}}'
        for n, c in enumerate(COLOURS, start=1)
    )
    return f"""\
title: Fan Out
duration: 12s
output: {{resolution: 160x90, fps: 12, quality: draft}}
backends: {{visuals: {{name: sleepy, options: {json.dumps(options)}}}}}
scenes:
  - shots:
{shots}
"""


def _frame(path: Path, at: float) -> np.ndarray:
    """The 160x90 RGB frame at `at` seconds."""
    raw = subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-ss",
            str(at),
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        check=True,
        capture_output=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(90, 160, 3)


def _shots(log: Path) -> list[tuple[int, str, str]]:
    """(pid, start|end, colour) per line the toy backend wrote."""
    if not log.exists():
        return []
    return [
        (int(pid), what, colour)
        for pid, what, colour in (line.split() for line in log.read_text().splitlines())
    ]


def test_shots_fan_out_and_a_killed_worker_loses_only_its_shot(
    fanout_workers: Callable[..., CeleryWorker],
    settings_for: Callable[..., ServerSettings],
    db_url: str,
    tmp_path: Path,
) -> None:
    settings = settings_for(
        worker="celery",
        redis_url=BROKER,
        lease_seconds=3.0,
        allowed_backends={"visuals": ["sleepy"]},
    )
    shots_log = tmp_path / "shots.log"
    with serve(settings) as (url, _state), httpx.Client(base_url=url, timeout=30) as http:
        first, second = fanout_workers("first"), fanout_workers("second")
        first.wait_ready()
        second.wait_ready()
        ann = Api(http, "ann@example.com")  # type: ignore[arg-type]
        job = ann.post("/api/jobs", json={"project_id": ann.project(film())["id"]}).json()

        # Wait until a worker other than the job's own is half way through a shot; kill it.
        seen: list[tuple[str, float]] = []
        deadline = time.monotonic() + 180
        victim = None
        while victim is None:
            state = ann.get(f"/api/jobs/{job['id']}").json()
            seen.append((state["current_step"] or "", state["progress"]))
            assert state["status"] in ("queued", "running"), state
            assert time.monotonic() < deadline, f"no shot started on a second worker: {state}"
            if state["status"] == "running":
                owner = int(job_row(db_url, job["id"]).worker_id.split("-")[-2])
                lines = _shots(shots_log)
                busy = {
                    (pid, colour)
                    for pid, what, colour in lines
                    if what == "start" and (pid, "end", colour) not in lines and pid != owner
                }
                pids = {w.process.pid: w for w in (first, second)}
                victim = next(((pid, c) for pid, c in busy if pid in pids), None)
            time.sleep(0.1)
        killed_pid, killed_colour = victim
        worker_pids = {w.process.pid: w for w in (first, second)}
        survivor = next(w for pid, w in worker_pids.items() if pid != killed_pid)
        worker_pids[killed_pid].kill()

        while True:
            state = ann.get(f"/api/jobs/{job['id']}").json()
            seen.append((state["current_step"] or "", state["progress"]))
            if state["status"] not in ("queued", "running"):
                break
            assert time.monotonic() < deadline + 120, state
            time.sleep(0.1)
        assert state["status"] == "completed", state
        # The job never changed hands: only the shot was made again.
        assert state["attempts"] == 1 and survivor.process.poll() is None
        lines = _shots(shots_log)
        assert [(p, w) for p, w, c in lines if c == killed_colour] == [
            (killed_pid, "start"),
            (survivor.process.pid, "start"),
            (survivor.process.pid, "end"),
        ]
        for colour in COLOURS:  # every shot made to the end exactly once
            assert [w for _, w, c in lines if c == colour].count("end") == 1, lines
        assert {pid for pid, _, _ in lines} == {first.process.pid, second.process.pid}
        # The jobs table advanced shot by shot while the shots were made.
        during = {p for step, p in seen if step == "visuals"}
        assert len(during) >= 3, seen

        # The film shows every shot's colour, in order.
        path = tmp_path / "fan-out.mp4"
        path.write_bytes(ann.get(f"/api/jobs/{job['id']}/files/fan-out.mp4").content)
        assert abs(probe(path).duration - 12.0) < 0.2
        for n, colour in enumerate(COLOURS):
            frame = _frame(path, n * 3.0 + 1.5)
            want = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
            got = frame[40:50, 75:85].reshape(-1, 3).mean(axis=0)
            assert all(abs(g - w) < 40 for g, w in zip(got, want, strict=True)), (n, got)

        # Charged once, never refunded.
        assert ledger(db_url, job["id"]) == [("deduction", -1)]

        # A shot that fails fails the job, naming the shot; the job is refunded.
        before = ann.balance()
        bad = ann.project(film(fail=COLOURS[2]).replace("Fan Out", "Fan Out Bad"))
        failed = ann.post("/api/jobs", json={"project_id": bad["id"]}).json()
        done = ann.wait(failed["id"], timeout=180)
        assert done["status"] == "failed", done
        assert "[visuals 1.3]" in done["error_message"], done
        assert "refuses the colour #3030c0" in done["error_message"], done
        assert ann.balance() == before
