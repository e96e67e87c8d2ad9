"""Load-test the hosted server: `aifilm serve` on PostgreSQL, 50 clients, wrk on loopback.

    python benchmarks/bench_server.py [--workers 2] [--users 50] [--seconds 30]
                                      [--load-generator wrk|locust]

Creates a fresh database on the PostgreSQL at 127.0.0.1:5432 (`AIFILM_BENCH_POSTGRES` to
change it), migrates it with `aifilm db upgrade`, starts `aifilm serve` with no render
worker, and seeds it through the API: a user, 25 projects, a queued job, an API key. Then
50 clients, first without think time, request `GET /api/projects` and `GET /api/jobs/{id}`,
each once with the user's access token (JWT) and once with its API key; then again with
each client waiting a random think time of --pace seconds on average between requests
(0.25: about 200 requests/s offered, like clients following their jobs). The load generator
is wrk (`apt install wrk`; C, so it leaves the 2 cores to the server) with
benchmarks/wrk_server.lua, or locust (headless, FastHttpUser) with --load-generator locust.
Reports requests/s, p50/p95/p99, the CPU the server, the load generator and the whole
machine used, and the load average (the machine is shared), as a Markdown table and as JSON
in benchmarks/results/server.json. The database is dropped at the end.

Waits (up to --wait-for-quiet seconds) for the 1-minute load average to fall under
--quiet-load before it starts, since other work on the machine inflates every latency.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "server.json"
LOCUSTFILE = HERE / "locustfile_server.py"
WRK_SCRIPT = HERE / "wrk_server.lua"
PG_ADMIN = os.environ.get("AIFILM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

SPEC = """\
title: Bench Film {n}
duration: 30s
output: {{resolution: 160x90, fps: 12, quality: draft}}
scenes:
  - color: "#336699"
    shots:
      - narration: Number {n} of the load test.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def create_database(admin: str) -> tuple[str, str]:
    """A fresh database: (its name, its SQLAlchemy URL)."""
    import psycopg

    name = f"aifilm_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return name, f"{base}/{name}"


def drop_database(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def aifilm_command() -> list[str]:
    """The `aifilm` command of this interpreter's environment."""
    script = Path(sys.executable).with_name("aifilm")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aifilm"]


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"aifilm serve exited with {process.returncode}")
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("aifilm serve did not become ready")


def seed(url: str, projects: int) -> dict[str, str]:
    """A user with projects, a queued job and an API key; their ids and credentials."""
    with httpx.Client(base_url=url, timeout=30) as http:
        account = {"email": "bench@example.com", "password": "load test password"}
        http.post("/api/users/register", json=account).raise_for_status()
        token = http.post("/api/users/login", json=account).raise_for_status().json()
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        first = ""
        for n in range(projects):
            r = http.post("/api/projects", json={"spec": SPEC.format(n=n)}, headers=auth)
            first = first or r.raise_for_status().json()["id"]
        job = http.post("/api/jobs", json={"project_id": first}, headers=auth)
        key = http.post("/api/users/me/api-keys", json={"name": "bench"}, headers=auth)
        return {
            "jwt": token["access_token"],
            "api_key": key.raise_for_status().json()["key"],
            "job_id": job.raise_for_status().json()["id"],
        }


def cpu_seconds(pids: list[int]) -> float:
    """CPU time of these processes and their children (gone ones count zero)."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                times = p.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def run_load(
    generator: str,
    url: str,
    path: str,
    token: str,
    users: int,
    seconds: int,
    server_pid: int,
    out: Path,
    pace: float = 0.0,
) -> dict[str, Any]:
    """One run of the load generator; its figures and the CPU each side used."""
    env = {
        **os.environ,
        "AIFILM_BENCH_PATH": path,
        "AIFILM_BENCH_TOKEN": token,
        "AIFILM_BENCH_WAIT": str(pace),
    }
    prefix = out / uuid.uuid4().hex[:8]
    if generator == "wrk":
        command = [
            "wrk", "-t", "2", "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s",
            "-s", str(WRK_SCRIPT), url + path,
        ]  # fmt: skip
    else:
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", url, "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
            "--reset-stats", "--only-summary", "--csv", str(prefix), "--loglevel", "WARNING",
        ]  # fmt: skip
    load_before = os.getloadavg()
    server_cpu, busy, started = cpu_seconds([server_pid]), machine_busy_seconds(), time.monotonic()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    generator_cpu = 0.0
    while process.poll() is None:
        generator_cpu = max(generator_cpu, cpu_seconds([process.pid]))
        time.sleep(0.5)
    wall = time.monotonic() - started
    server_cpu = cpu_seconds([server_pid]) - server_cpu
    busy = machine_busy_seconds() - busy
    stdout, stderr = process.communicate()
    if generator == "wrk":
        figures = _wrk_figures(stdout, stderr)
    else:
        if process.returncode not in (0, 1):  # 1: some requests failed (reported below)
            raise SystemExit(f"locust failed: {stderr}")
        figures = _locust_figures(prefix)
    requests = figures["requests"]
    return {
        **figures,
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(requests, 1), 2),
        "server_cpu_cores": round(server_cpu / wall, 2),
        "load_generator_cpu_cores": round(generator_cpu / wall, 2),
        "machine_busy_cores": round(busy / wall, 2),
        "load_average_before": [round(x, 2) for x in load_before],
    }


def _wrk_figures(stdout: str, stderr: str) -> dict[str, Any]:
    line = next((x for x in stdout.splitlines() if x.startswith("AIFILM-WRK ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no summary:\n{stdout}\n{stderr}")
    raw = {k: int(v) for k, v in (item.split("=") for item in line.split()[1:])}
    return {
        "requests": raw["requests"],
        "failures": raw["errors"] + raw["status_errors"],
        "requests_per_second": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
    }


def _locust_figures(prefix: Path) -> dict[str, Any]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "requests_per_second": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "max_ms": round(float(row["Max Response Time"]), 1),
    }


def wait_for_quiet(threshold: float, limit: float) -> list[float]:
    """Wait until the 1-minute load average is under `threshold` (at most `limit` s)."""
    deadline = time.monotonic() + limit
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        print(f"load average {os.getloadavg()[0]:.2f} >= {threshold}: waiting", file=sys.stderr)
        time.sleep(15)
    return [round(x, 2) for x in os.getloadavg()]


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| endpoint | auth | clients | req/s | p50 | p95 | p99 | server CPU/request "
        "| load avg before |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        clients = (
            f"{r['users']}, {r['pace_seconds']:g} s think time"
            if r["pace_seconds"]
            else f"{r['users']}, no think time"
        )
        lines.append(
            f"| `GET {r['endpoint']}` | {r['auth']} | {clients} | {r['requests_per_second']:.0f} "
            f"| {r['p50_ms']:g} ms | {r['p95_ms']:g} ms | {r['p99_ms']:g} ms "
            f"| {r['server_cpu_ms_per_request']:g} ms | {r['load_average_before'][0]:.2f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="aifilm serve processes")
    parser.add_argument("--users", type=int, default=50, help="concurrent clients")
    parser.add_argument("--seconds", type=int, default=30, help="per endpoint and token")
    parser.add_argument("--projects", type=int, default=25)
    parser.add_argument(
        "--pace",
        type=float,
        default=0.25,
        help="also run each case with clients thinking PACE s on average between requests "
        "(0: don't)",
    )
    parser.add_argument(
        "--load-generator",
        choices=("wrk", "locust"),
        default="wrk" if shutil.which("wrk") else "locust",
        help="wrk (default where installed) or locust",
    )
    parser.add_argument("--quiet-load", type=float, default=1.0)
    parser.add_argument("--wait-for-quiet", type=float, default=600)
    parser.add_argument("--no-save", action="store_true", help="print only")
    args = parser.parse_args()

    load_at_start = wait_for_quiet(args.quiet_load, args.wait_for_quiet)
    db_name, db_url = create_database(PG_ADMIN)
    tmp = Path(tempfile.mkdtemp(prefix="aifilm-bench-server-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AIFILM_SERVER_ENVIRONMENT": "production",
        "AIFILM_SERVER_SECRET_KEY": secrets.token_urlsafe(48),
        "AIFILM_SERVER_DATABASE_URL": db_url,
        "AIFILM_SERVER_DATA_DIR": str(tmp / "data"),
        "AIFILM_SERVER_WORKER": "none",
        # Rate limiting stays on (its cost is measured) with a limit the load cannot reach.
        "AIFILM_SERVER_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    server: subprocess.Popen[bytes] | None = None
    results: list[dict[str, Any]] = []
    try:
        subprocess.run([*aifilm_command(), "db", "upgrade"], env=env, check=True)
        with (tmp / "server.log").open("wb") as log:
            server = subprocess.Popen(
                [
                    *aifilm_command(),
                    "serve",
                    "--no-migrate",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                ],
                env=env,
                stdout=log,
                stderr=log,
            )
            wait_until_up(url, server)
            ids = seed(url, args.projects)
            for endpoint, path in (
                ("/api/projects", "/api/projects"),
                ("/api/jobs/{id}", f"/api/jobs/{ids['job_id']}"),
            ):
                for auth, token in (("JWT", ids["jwt"]), ("API key", ids["api_key"])):
                    for pace in (0.0, args.pace) if args.pace > 0 else (0.0,):
                        figures = run_load(
                            args.load_generator, url, path, token, args.users, args.seconds,
                            server.pid, tmp, pace,
                        )  # fmt: skip
                        case = {"endpoint": endpoint, "auth": auth, "users": args.users}
                        results.append({**case, "pace_seconds": pace, **figures})
                        print(f"{endpoint} {auth} pace {pace}: {figures}", file=sys.stderr)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        drop_database(PG_ADMIN, db_name)
        shutil.rmtree(tmp, ignore_errors=True)

    report = {
        "server": f"aifilm serve --workers {args.workers}, PostgreSQL on 127.0.0.1",
        "load_generator": (
            f"{_wrk_version()} with benchmarks/wrk_server.lua, 2 threads"
            if args.load_generator == "wrk"
            else f"locust {_version('locust')} headless, FastHttpUser"
        ),
        "users": args.users,
        "seconds_each": args.seconds,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": load_at_start,
        "goal": "p95 < 50 ms",
        "results": results,
    }
    table = markdown(results)
    print(table)
    if not args.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failures = sum(r["failures"] for r in results)
    return 1 if failures else 0


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split(" [")[0].strip() or "wrk"


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
