"""Segment encodes as Celery tasks on real `aifilm worker --celery` processes (PostgreSQL,
Redis): a job's segments are encoded by `encode_segment` tasks on both workers, their inputs
and outputs passing through the shared storage; a worker killed (SIGKILL) while encoding a
segment loses only that segment, which the other worker encodes again; the job completes on
its first attempt, charged once, its log naming who encoded each segment; and its film is
the same, frame by frame, as the same job rendered in one process without fan-out.

The workers' FFmpeg is a wrapper that takes 2 s longer for each segment encode (so a worker
can be caught in the middle of one) and notes "start|end <pid> <output>" in a log.
Skipped without PostgreSQL on 127.0.0.1:5432 or Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tests.server.conftest import (
    FANOUT_BROKER,
    Api,
    CeleryWorker,
    framemd5,
    job_row,
    ledger,
    serve,
)

from aifilm.media.ffmpeg import ffmpeg_exe
from aifilm.server import jobs
from aifilm.server.config import ServerSettings
from aifilm.server.state import ServerState
from aifilm.server.worker import run_claimed

pytestmark = pytest.mark.slow
COLOURS = ["#c03030", "#30c030", "#3030c0", "#c0c030"]
SPEC = "\n".join(
    [
        "title: Segments Out",
        "duration: 12s",
        "output: {resolution: 160x90, fps: 12, quality: draft}",
        "backends: {voice: espeak, visuals: {name: sleepy, options: {seconds: 0}}}",
        "scenes:",
        "  - shots:",
        *(f'      - {{color: "{c}", narration: "Shot {n}.", camera: static}}' for n, c in
          enumerate(COLOURS, start=1)),
        "",
    ]
)  # fmt: skip
SLOW_FFMPEG = """#!/bin/sh
# A segment encode (an MPEG-TS output, maybe followed by a body's kept tail) takes 2 s
# longer; everything else as FFmpeg.
out=""
prev=""
mpegts=""
for arg in "$@"; do
  if [ "$mpegts" = 1 ]; then out="$arg"; mpegts=""; fi
  if [ "$prev" = "-f" ] && [ "$arg" = mpegts ]; then mpegts=1; fi
  prev="$arg"
done
if [ -n "$out" ]; then
  echo "start $PPID $out" >> "$SEGMENT_LOG"
  sleep 2
  "$REAL_FFMPEG" "$@"
  code=$?
  echo "end $PPID $out" >> "$SEGMENT_LOG"
  exit $code
fi
exec "$REAL_FFMPEG" "$@"
"""


def _encodes(log: Path) -> list[tuple[str, int, str]]:
    """(start|end, worker pid, segment key's first 8 characters) per line of the log."""
    if not log.exists():
        return []
    found = []
    for line in log.read_text().splitlines():
        what, pid, out = line.split(" ", 2)
        found.append((what, int(pid), Path(out).parent.name[1:9]))  # .<key8>-<random>/
    return found


def test_segments_fan_out_and_a_killed_worker_loses_only_its_segment(
    fanout_workers: Callable[..., CeleryWorker],
    settings_for: Callable[..., ServerSettings],
    db_url: str,
    tmp_path: Path,
) -> None:
    wrapper = tmp_path / "ffmpeg-slow.sh"
    wrapper.write_text(SLOW_FFMPEG)
    wrapper.chmod(0o755)
    log = tmp_path / "segments.log"
    env = {"AIFILM_FFMPEG": str(wrapper), "REAL_FFMPEG": ffmpeg_exe(), "SEGMENT_LOG": str(log)}
    settings = settings_for(
        worker="celery",
        redis_url=FANOUT_BROKER,
        lease_seconds=3.0,
        allowed_backends={"visuals": ["sleepy"]},
    )
    with serve(settings) as (url, state), httpx.Client(base_url=url, timeout=30) as http:
        first, second = fanout_workers("first", **env), fanout_workers("second", **env)
        first.wait_ready()
        second.wait_ready()
        ann = Api(http, "ann@example.com")  # type: ignore[arg-type]
        project = ann.project(SPEC)
        job = ann.post("/api/jobs", json={"project_id": project["id"]}).json()

        # Kill the worker that is not the job's coordinator in its second segment.
        pids = {w.process.pid: w for w in (first, second)}
        deadline = time.monotonic() + 240
        victim = None
        while victim is None:
            state_now = ann.get(f"/api/jobs/{job['id']}").json()
            assert state_now["status"] in ("queued", "running"), state_now
            assert time.monotonic() < deadline, f"no second segment elsewhere: {state_now}"
            if state_now["status"] == "running":
                owner = int(job_row(db_url, job["id"]).worker_id.split("-")[-2])
                other = [(w, p, k) for w, p, k in _encodes(log) if p != owner and p in pids]
                starts = [k for w, _, k in other if w == "start"]
                if len(starts) == 2 and ("end", starts[1]) not in [(w, k) for w, _, k in other]:
                    victim = next(p for _, p, _ in other), starts[1]
            time.sleep(0.05)
        killed_pid, killed_key = victim
        pids[killed_pid].kill()
        survivor = next(w for pid, w in pids.items() if pid != killed_pid)

        seen: list[tuple[str, float]] = []
        while (done := ann.get(f"/api/jobs/{job['id']}").json())["status"] == "running":
            seen.append((done["current_step"] or "", done["progress"]))
            assert time.monotonic() < deadline + 120, done
            time.sleep(0.05)
        assert done["status"] == "completed", done
        # The jobs table advanced segment by segment while the workers encoded them.
        assert len({p for step, p in seen if step == "compose"}) >= 3, seen
        assert done["attempts"] == 1 and survivor.process.poll() is None
        assert ledger(db_url, job["id"]) == [("deduction", -1)]  # charged once, no refund

        # Every segment (a body per shot, a segment per crossfade) encoded to the end once;
        # the killed one again by the survivor.
        report = ann.get(f"/api/jobs/{job['id']}/files/render-report.json").json()
        segments = report["composer"]["segments"]
        assert segments == 2 * len(COLOURS) - 1, report["composer"]
        lines = _encodes(log)
        ends = [k for w, _, k in lines if w == "end"]
        assert len(ends) == len(set(ends)) == segments, lines
        assert [(w, p) for w, p, k in lines if k == killed_key] == [
            ("start", killed_pid),
            ("start", survivor.process.pid),
            ("end", survivor.process.pid),
        ]
        tasks = report["composer"]["segment_tasks"]
        assert tasks["queue"] == "aifilm.compose" and tasks["sent"] == segments
        by_pid = {int(name.rsplit("-", 1)[1]): n for name, n in tasks["by"].items()}
        assert by_pid[survivor.process.pid] >= 1 and sum(by_pid.values()) == segments, tasks
        assert by_pid.get(killed_pid) == 1, tasks  # it finished one before it was killed
        logs = ann.get(f"/api/jobs/{job['id']}/logs", params={"limit": 100}).json()["items"]
        noted = [m["message"] for m in logs if m["message"].startswith("compose: segment")]
        assert len(noted) == segments, noted
        fanned = tmp_path / "fanned.mp4"
        fanned.write_bytes(ann.get(f"/api/jobs/{job['id']}/files/segments-out.mp4").content)
        survivor.kill()

        # The same job rendered in this process without fan-out, with a cache of its own
        # (holding the fanned-out voices: espeak's lengths differ by a few samples from one
        # synthesis to the next, which could move a frame of the plan): the same frames.
        again = ann.post("/api/jobs", json={"project_id": project["id"]}).json()
        _render_alone(state, settings, tmp_path, again["id"])
        alone = tmp_path / "alone.mp4"
        alone.write_bytes(ann.get(f"/api/jobs/{again['id']}/files/segments-out.mp4").content)
        frames = framemd5(fanned)
        assert len(frames) == round(report["timeline"]["duration_seconds"] * 12) > 130
        assert framemd5(alone) == frames


def _render_alone(state: ServerState, settings: ServerSettings, tmp: Path, job_id: str) -> None:
    """Claim and render the job in this process, without fan-out."""
    alone = settings.model_copy(update={"render_cache_dir": tmp / "alone-cache"})
    shutil.copytree(settings.files_dir / "render-cache" / "voice", alone.cache_dir / "voice")
    with state.sessions() as session, session.begin():
        claim = jobs.claim_next(session, "alone", 60, 3)
    assert claim is not None and claim.job_id == uuid.UUID(job_id)
    assert run_claimed(state.sessions, state.storage, alone, claim) == "completed"
