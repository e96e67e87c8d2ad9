"""Fan-out across Celery workers: a film whose shots each take a fixed time, on 1, 2 and 4
`aifilm worker --celery` processes; the speed-up and the overhead per task.

    python benchmarks/bench_fanout.py [--shots 8] [--seconds 2] [--workers 1,2,4]

The shots are drawn by the toy visuals backend of tests/fakes/sleepy.py (a still after a
fixed sleep: a stand-in for a GPU model's fixed time per shot; the workers load it through
`python -m tests.fakes.sleepy worker --celery`). Needs PostgreSQL on 127.0.0.1:5432
(`AIFILM_BENCH_POSTGRES`) and Redis on 127.0.0.1:6379 (database 11, emptied). The server runs
in this process; the workers start before each timing and stop after it. Every run renders
a film of its own (nothing cached from another run); times run from the job's submission
to `completed` in the jobs table, as a user sees them.

Runs, each measured once:
- reference: one worker, fan-out off (`AIFILM_SERVER_FAN_OUT=false`): today's path, the
  shots in the render's own threads (`Settings.workers`, 2);
- fan-out on 1, 2 and 4 workers: each voice line and shot a Celery task;
- the overhead per task: the same film with shots that take no time, fan-out on one worker
  minus fan-out off on one worker, divided by the tasks (voice lines + shots).

Results in benchmarks/results/fanout.json, with `uptime` (the machine is shared).

With `--parts compose` (or `visuals,compose`), the composition stage's segment encodes
(`encode_segment` tasks on the `aifilm.compose` queue):
- a film of `--shots` 3 s shots at 1280x720, 24 fps, standard quality, every shot under a
  moving camera (so each segment is real x264 work): fan-out off on one worker (the
  composer's own concurrent encodes, the reference), then fan-out on 1 and 2 workers; the
  compose stage's time from the render report;
- the overhead per segment task: the zero-time film above (160x90, one segment per shot),
  compose stage with fan-out on minus off, divided by its segments.
Results in benchmarks/results/fanout-compose.json, each run with its load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
RESULTS = HERE / "results" / "fanout.json"
COMPOSE_RESULTS = HERE / "results" / "fanout-compose.json"
BROKER = "redis://127.0.0.1:6379/11"
PG_ADMIN = os.environ.get("AIFILM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def film(run: str, shots: int, seconds: float) -> str:
    """`shots` shots of 3 s, each a colour drawn in `seconds`, with a narrated line."""
    lines = "\n".join(
        f'      - {{color: "#{(n * 37) % 200 + 30:02x}6080", '
        f'narration: "Run {run}, shot {n}.", camera: static}}'
        for n in range(1, shots + 1)
    )
    return f"""\
title: Fan Out {run}
duration: {3 * shots}s
output: {{resolution: 160x90, fps: 12, quality: draft}}
backends: {{voice: espeak, visuals: {{name: sleepy, options: {{seconds: {seconds}}}}}}}
scenes:
  - shots:
{lines}
"""


def compose_film(run: str, shots: int) -> str:
    """`shots` 3 s shots at 720p under a moving camera: segments that take x264 time."""
    cameras = ["zoom-in", "pan-left", "zoom-out", "pan-right"]
    lines = "\n".join(
        f'      - {{color: "#{(n * 37) % 200 + 30:02x}6080", '
        f'narration: "Run {run}, shot {n}.", camera: {cameras[n % len(cameras)]}}}'
        for n in range(1, shots + 1)
    )
    return f"""\
title: Compose {run}
duration: {3 * shots}s
output: {{resolution: 1280x720, fps: 24, quality: standard}}
backends: {{voice: espeak, visuals: {{name: sleepy, options: {{seconds: 0}}}}}}
scenes:
  - shots:
{lines}
"""


class Workers:
    """`count` worker processes, each in its own process group, with its own local cache."""

    def __init__(self, tmp: Path, db_url: str, name: str, count: int, fan_out: bool) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "AIFILM_SERVER_CONFIG": str(tmp / "no-server.toml"),
            "AIFILM_SERVER_DATABASE_URL": db_url,
            "AIFILM_SERVER_DATA_DIR": str(tmp / "data"),
            "AIFILM_SERVER_REDIS_URL": BROKER,
            "AIFILM_SERVER_POLL_SECONDS": "0.2",
            "AIFILM_SERVER_FAN_OUT": "true" if fan_out else "false",
            "AIFILM_SERVER_ALLOWED_BACKENDS": '{"visuals": ["sleepy"]}',
        }
        self.logs = [tmp / f"{name}-{i}.log" for i in range(count)]
        self.processes = []
        for i, log in enumerate(self.logs):
            env["AIFILM_SERVER_RENDER_CACHE_DIR"] = str(tmp / f"cache-{name}-{i}")
            with log.open("wb") as out:
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "tests.fakes.sleepy", "worker", "--celery"],
                        cwd=ROOT,
                        env=dict(env),
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
        deadline = time.monotonic() + 120
        for log, process in zip(self.logs, self.processes, strict=True):
            while "ready." not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text(errors="replace")[-2000:])
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def timed_job(api: Any, spec: str) -> tuple[float, dict[str, float]]:
    """Seconds from submission to completion, and the render's stage times."""
    project = api.project(spec)
    started = time.perf_counter()
    job = api.post("/api/jobs", json={"project_id": project["id"]}).json()
    while True:
        state = api.get(f"/api/jobs/{job['id']}").json()
        if state["status"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    wall = time.perf_counter() - started
    if state["status"] != "completed":
        raise RuntimeError(f"job ended {state['status']}: {state.get('error_message')}")
    report = api.get(f"/api/jobs/{job['id']}/files/render-report.json").json()
    LAST_COMPOSER.clear()
    LAST_COMPOSER.update(report.get("composer") or {})
    return wall, {s["name"]: s["seconds"] for s in report["stages"]}


LAST_COMPOSER: dict[str, Any] = {}  # the last timed job's composer facts


def timed_runs(
    api: Any, tmp: Path, db_url: str, plan: list[tuple[str, int, bool, str]]
) -> dict[str, Any]:
    """Each (name, workers, fan-out, spec) on fresh workers: its time, stages and load."""
    runs: dict[str, Any] = {}
    for n, (name, count, fan_out, spec) in enumerate(plan):
        workers = Workers(tmp, db_url, f"part{n}", count, fan_out)
        try:
            load = os.getloadavg()
            wall, stages = timed_job(api, spec)
            load_after = os.getloadavg()
        finally:
            workers.stop()
        runs[name] = {
            "workers": count,
            "fan_out": fan_out,
            "seconds": round(wall, 2),
            "stages": stages,
            "load_average": [round(x, 2) for x in load],
            "load_average_after": [round(x, 2) for x in load_after],
            "segments": LAST_COMPOSER.get("segments"),
            "segments_encoded": LAST_COMPOSER.get("segments_encoded"),
            "concurrent_encodes": LAST_COMPOSER.get("concurrent_encodes"),
            "encoder_threads": LAST_COMPOSER.get("threads"),
            "segment_tasks": LAST_COMPOSER.get("segment_tasks"),
        }
        print(f"{name:44s} {wall:6.2f} s  compose {stages.get('compose', 0):6.2f} s  "
              f"load {load[0]:.2f}", flush=True)  # fmt: skip
    return runs


def compose_part(api: Any, tmp: Path, db_url: str, shots: int) -> dict[str, Any]:
    """Segment encodes as tasks: 1 vs 2 workers, and the overhead per segment task."""
    plan = [
        ("compose reference, 1 worker, fan-out off", 1, False, compose_film("c0", shots)),
        ("compose, fan-out on, 1 worker", 1, True, compose_film("c1", shots)),
        ("compose, fan-out on, 2 workers", 2, True, compose_film("c2", shots)),
        ("zero-time film, fan-out off", 1, False, film("z0", shots, 0.0)),
        ("zero-time film, fan-out on", 1, True, film("z1", shots, 0.0)),
    ]
    results: dict[str, Any] = {"shots": shots, "uptime_before": os.getloadavg()}
    runs = results["runs"] = timed_runs(api, tmp, db_url, plan)
    compose = {name: run["stages"]["compose"] for name, run in runs.items()}
    ref = compose["compose reference, 1 worker, fan-out off"]
    one, two = compose["compose, fan-out on, 1 worker"], compose["compose, fan-out on, 2 workers"]
    results["compose_stage_seconds"] = compose
    results["compose_speedup_2_vs_1_worker"] = round(one / two, 2)
    results["compose_2_workers_vs_reference"] = round(ref / two, 2)
    off, on = compose["zero-time film, fan-out off"], compose["zero-time film, fan-out on"]
    results["overhead_per_segment_task_seconds"] = round((on - off) / shots, 3)
    results["uptime_after"] = os.getloadavg()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shots", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0, help="each shot's fixed time")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--parts", default="visuals", help="visuals, compose or both")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    parts = {p.strip() for p in args.parts.split(",")}

    import redis
    from tests.fakes import sleepy
    from tests.server.conftest import Api, make_pg_database, serve

    from aifilm.server.config import ServerSettings
    from aifilm.server.db import make_engine, upgrade

    sleepy.register()
    redis.Redis.from_url(BROKER).flushdb()
    db_url, drop = make_pg_database(PG_ADMIN)
    results: dict[str, Any] = {
        "shots": args.shots,
        "shot_seconds": args.seconds,
        "tasks_per_film": 2 * args.shots,  # a voice line and a picture per shot
        "uptime_before": os.getloadavg(),
        "runs": {},
    }
    try:
        upgrade(db_url)
        with tempfile.TemporaryDirectory(prefix="aifilm-bench-fanout-") as folder:
            tmp = Path(folder)
            settings = ServerSettings(
                data_dir=tmp / "data",
                database_url=db_url,
                secret_key="bench-" + "x" * 32,
                worker="celery",
                redis_url=BROKER,
                rate_limit_per_minute=0,
                auth_rate_limit_per_minute=0,
                allowed_backends={"visuals": ["sleepy"]},
                render_cache_dir=tmp / "cache-server",
            )
            with serve(settings) as (url, _state), httpx.Client(base_url=url, timeout=60) as http:
                api = Api(http, "bench@example.com")  # type: ignore[arg-type]
                engine = make_engine(db_url)
                with engine.begin() as conn:  # unlimited credits for the many jobs
                    conn.execute(text("UPDATE users SET plan = 'enterprise'"))
                engine.dispose()
                if "compose" in parts:
                    found = compose_part(api, tmp, db_url, args.shots)
                    found["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
                    found["command"] = "python benchmarks/bench_fanout.py " + " ".join(sys.argv[1:])
                    COMPOSE_RESULTS.write_text(json.dumps(found, indent=1) + "\n")
                    print(json.dumps({k: v for k, v in found.items() if k != "runs"}, indent=1))
                if "visuals" not in parts:
                    return
                plan = [("reference, 1 worker, fan-out off", 1, False, args.seconds)]
                plan += [(f"fan-out, {n} worker(s)", n, True, args.seconds) for n in counts]
                plan += [
                    ("zero-time shots, fan-out off", 1, False, 0.0),
                    ("zero-time shots, fan-out on", 1, True, 0.0),
                ]
                for n, (name, count, fan_out, seconds) in enumerate(plan):
                    workers = Workers(tmp, db_url, f"run{n}", count, fan_out)
                    try:
                        load = os.getloadavg()
                        wall, stages = timed_job(api, film(str(n), args.shots, seconds))
                    finally:
                        workers.stop()
                    results["runs"][name] = {
                        "workers": count,
                        "fan_out": fan_out,
                        "shot_seconds": seconds,
                        "seconds": round(wall, 2),
                        "stages": stages,
                        "load_average": [round(x, 2) for x in load],
                    }
                    print(f"{name:40s} {wall:6.2f} s   load {load[0]:.2f}", flush=True)
    finally:
        drop()
        redis.Redis.from_url(BROKER).flushdb()
    runs = results["runs"]
    one = runs["fan-out, 1 worker(s)"]["seconds"]
    results["speedup_vs_one_worker"] = {
        str(n): round(one / runs[f"fan-out, {n} worker(s)"]["seconds"], 2) for n in counts
    }
    results["speedup_vs_reference"] = {
        str(n): round(
            runs["reference, 1 worker, fan-out off"]["seconds"]
            / runs[f"fan-out, {n} worker(s)"]["seconds"],
            2,
        )
        for n in counts
    }
    results["visuals_stage_speedup_vs_one_worker"] = {
        str(n): round(
            runs["fan-out, 1 worker(s)"]["stages"]["visuals"]
            / runs[f"fan-out, {n} worker(s)"]["stages"]["visuals"],
            2,
        )
        for n in counts
    }
    on, off = runs["zero-time shots, fan-out on"], runs["zero-time shots, fan-out off"]
    tasks = results["tasks_per_film"]
    # In the fanned-out stages (send, pick up, rebuild, make, share, notice), and in all.
    fanned = sum(on["stages"][s] - off["stages"][s] for s in ("voice", "visuals"))
    results["overhead_per_task_seconds"] = round(fanned / tasks, 3)
    results["overhead_per_task_seconds_whole_job"] = round(
        (on["seconds"] - off["seconds"]) / tasks, 3
    )
    results["uptime_after"] = os.getloadavg()
    results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform()}
    results["command"] = "python benchmarks/bench_fanout.py " + " ".join(sys.argv[1:])
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "runs"}, indent=1))


if __name__ == "__main__":
    main()
