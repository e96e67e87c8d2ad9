"""What the cheap attacks of issue 11 cost the server now: `aifilm serve` as a process, on
SQLite and on PostgreSQL (when one answers on 127.0.0.1:5432).

    python benchmarks/bench_abuse.py [--streams 60] [--database sqlite|postgresql|both]

Measures, per database:
- streams: --streams open event streams of one user (more than the asyncio pool's 25 or 50
  connections), then 20 rounds of four requests by another user: their latency;
- big body: a 100 MiB JSON sign-in sent chunked: the server's resident memory before and
  after, how much of the body it took before answering;
- anonymous upload: a multipart upload declaring 1 GiB with no token: the answer, how many
  bytes had been sent, and how much the server's temp dir grew;
- long password: sign-in with a 100,000-character password: status and time.

Prints a Markdown table and writes benchmarks/results/abuse.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("AIFILM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
MiB = 1024 * 1024
SPEC = """\
title: Bench
duration: 10s
output: {resolution: 160x90, fps: 12, quality: draft}
scenes:
  - color: "#336699"
    shots:
      - narration: Hello there.
"""


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class Server:
    """`aifilm serve` on a free port with its own temp dir."""

    def __init__(self, data: Path, url: str, max_streams_per_user: int) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.base = f"http://127.0.0.1:{self.port}"
        self.tmp = data / "tmp"
        self.tmp.mkdir()
        env = {
            **os.environ,
            "TMPDIR": str(self.tmp),
            "AIFILM_SERVER_CONFIG": str(data / "none.toml"),
            "AIFILM_SERVER_DATA_DIR": str(data),
            "AIFILM_SERVER_DATABASE_URL": url,
            "AIFILM_SERVER_SECRET_KEY": secrets.token_urlsafe(32),
            "AIFILM_SERVER_WORKER": "none",
            "AIFILM_SERVER_RATE_LIMIT_PER_MINUTE": "0",
            "AIFILM_SERVER_AUTH_RATE_LIMIT_PER_MINUTE": "0",
            "AIFILM_SERVER_MAX_STREAMS_PER_USER": str(max_streams_per_user),
        }
        command = [str(VENV_BIN / "aifilm"), "serve", "--port", str(self.port)]
        command += ["--log-level", "warning"]
        self.process = subprocess.Popen(command, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)

    def user(self, email: str) -> dict[str, str]:
        password = "correct horse"
        httpx.post(f"{self.base}/api/users/register", json={"email": email, "password": password})
        r = httpx.post(f"{self.base}/api/users/login", json={"email": email, "password": password})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def raw(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)


def head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: bench"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer_status(sock: socket.socket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return 0
        data += chunk
    return int(data.split()[1])


def bench_streams(server: Server, count: int) -> dict[str, Any]:
    ann = server.user("ann@example.com")
    project = httpx.post(f"{server.base}/api/projects", json={"spec": SPEC}, headers=ann).json()
    job = httpx.post(f"{server.base}/api/jobs", json={"project_id": project["id"]}, headers=ann)
    path = f"/api/jobs/{job.json()['id']}/events?interval=1"
    socks = []
    for _ in range(count):
        sock = server.raw()
        sock.sendall(head("GET", path, ann))
        socks.append(sock)
    opened = sum(answer_status(s) == 200 for s in socks)
    bob = server.user("bob@example.com")
    latencies = []
    failures = 0
    with httpx.Client(base_url=server.base, headers=bob, timeout=60) as client:
        for _ in range(20):
            for method, url, body in [
                ("GET", "/api/users/me", None),
                ("GET", "/api/projects", None),
                ("POST", "/api/projects", {"spec": SPEC}),
                ("GET", "/api/credits/balance", None),
            ]:
                started = time.perf_counter()
                r = client.request(method, url, json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += r.status_code >= 500
    for s in socks:
        s.close()
    return {
        "streams_open": opened,
        "other_user_requests": len(latencies),
        "other_user_5xx": failures,
        "other_user_p50_ms": round(statistics.median(latencies), 1),
        "other_user_max_ms": round(max(latencies), 1),
    }


def bench_big_body(server: Server) -> dict[str, Any]:
    before = rss_mib(server.process.pid)
    sock = server.raw()
    sock.sendall(head("POST", "/api/users/login", {"Content-Type": "application/json",
                                                    "Transfer-Encoding": "chunked"}))  # fmt: skip
    chunk = b"x" * MiB
    sent = 0
    try:
        while sent < 100 * MiB:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
    except OSError:
        pass
    status = answer_status(sock)
    sock.close()
    time.sleep(0.5)
    return {
        "status": status,
        "sent_before_answer_mib": round(sent / MiB, 1),
        "rss_before_mib": round(before, 1),
        "rss_after_mib": round(rss_mib(server.process.pid), 1),
    }


def bench_anonymous_upload(server: Server) -> dict[str, Any]:
    tmp_before = dir_bytes(server.tmp)
    sock = server.raw()
    started = time.perf_counter()
    headers = {"Content-Type": "multipart/form-data; boundary=b", "Content-Length": str(1024 * MiB)}
    sock.sendall(head("POST", f"/api/projects/{uuid.uuid4()}/assets", headers))
    sock.settimeout(0.05)
    chunk = b"y" * (256 * 1024)
    sent, status, most_tmp = 0, 0, 0
    while sent < 1024 * MiB:
        try:
            status = answer_status(sock)
            break
        except TimeoutError:
            pass
        try:
            sock.sendall(chunk)
            sent += len(chunk)
        except OSError:
            break
        most_tmp = max(most_tmp, dir_bytes(server.tmp) - tmp_before)
    if not status:
        sock.settimeout(30)
        status = answer_status(sock)
    elapsed = time.perf_counter() - started
    sock.close()
    return {
        "status": status,
        "answer_s": round(elapsed, 3),
        "sent_before_answer_mib": round(sent / MiB, 2),
        "temp_dir_growth_bytes": most_tmp,
    }


def bench_long_password(server: Server) -> dict[str, Any]:
    server.user("long@example.com")
    started = time.perf_counter()
    r = httpx.post(
        f"{server.base}/api/users/login",
        json={"email": "long@example.com", "password": "p" * 100_000},
        timeout=60,
    )
    return {"status": r.status_code, "ms": round((time.perf_counter() - started) * 1000, 1)}


def run(database: str, streams: int) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory(prefix="aifilm-abuse-") as tmp:
        data = Path(tmp)
        drop = None
        if database == "postgresql":
            try:
                import psycopg

                name = f"aifilm_bench_{uuid.uuid4().hex[:12]}"
                with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
            except Exception as exc:
                print(f"no PostgreSQL ({exc}): skipped")
                return None
            base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            url = f"{base}/{name}"

            def drop() -> None:
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            url = f"sqlite:///{data / 'bench.db'}"
        server = Server(data, url, max_streams_per_user=streams)
        try:
            return {
                "streams": bench_streams(server, streams),
                "big_json_body": bench_big_body(server),
                "anonymous_upload": bench_anonymous_upload(server),
                "long_password": bench_long_password(server),
            }
        finally:
            server.stop()
            if drop is not None:
                drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = {db: r for db in databases if (r := run(db, args.streams)) is not None}
    print("| database | measure | value |\n|---|---|---|")
    for db, groups in results.items():
        for group, values in groups.items():
            for key, value in values.items():
                print(f"| {db} | {group}.{key} | {value} |")
    out = ROOT / "benchmarks" / "results" / "abuse.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
