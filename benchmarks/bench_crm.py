"""What CRM sync costs: the request that writes an event, and how fast the outbox drains.

    python benchmarks/bench_crm.py [--db sqlite|postgresql] [--requests 300] [--events 500]

1. `POST /api/projects` (in process, FastAPI's TestClient, no render worker), --requests
   times with CRM sync off and then on (the webhook sink: each creation also writes its
   outbox row in the same transaction): p50 and p95 per request. Nothing is sent during
   the request, so the difference is the cost of one more INSERT.
2. The dispatcher (one thread, as in the server) delivering --events events to a signed
   webhook receiver on 127.0.0.1 that verifies each signature: events per second.

PostgreSQL: a fresh database on 127.0.0.1:5432 (`AIFILM_BENCH_POSTGRES`), dropped at the
end. Prints a Markdown table; JSON in benchmarks/results/crm.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.crm.dispatch import drain
from aifilm.server.crm.sinks import build_sinks
from aifilm.server.crm.sinks.webhook import verify
from aifilm.server.db import upgrade

SECRET = "bench-" + "s" * 32
SPEC = """\
title: Bench
duration: 10s
scenes:
  - color: "#123456"
    shots:
      - narration: Hi.
"""


@contextmanager
def database(kind: str, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
        upgrade(url)
        yield url
        return
    import psycopg

    admin = os.environ.get("AIFILM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"aifilm_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def receiver() -> Iterator[tuple[str, list[int]]]:
    received: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            verify(body, self.headers.get("Aifilm-Signature"), SECRET)
            received.append(1)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", received
    finally:
        server.shutdown()


def settings(url: str, tmp: Path, hook: str | None) -> ServerSettings:
    crm: dict[str, Any] = {}
    if hook:
        crm = {"crm_sinks": ["webhook"], "crm_webhook_url": hook, "crm_webhook_secret": SECRET}
    return ServerSettings(
        data_dir=tmp / "data",
        database_url=url,
        secret_key="bench-secret-" + "x" * 32,
        worker="none",
        rate_limit_per_minute=0,
        auth_rate_limit_per_minute=0,
        **crm,
    )


def project_latency(client: TestClient, email: str, n: int) -> list[float]:
    password = "correct horse battery"
    client.post("/api/users/register", json={"email": email, "password": password})
    token = client.post("/api/users/login", json={"email": email, "password": password})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    times = []
    for _ in range(n):
        start = time.perf_counter()
        r = client.post("/api/projects", json={"spec": SPEC}, headers=headers)
        times.append(time.perf_counter() - start)
        assert r.status_code == 201, r.text
    return times


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--events", type=int, default=500)
    args = parser.parse_args()
    result: dict[str, Any] = {"db": args.db, "requests": args.requests, "events": args.events}
    with tempfile.TemporaryDirectory() as tmpdir, receiver() as (hook, received):
        tmp = Path(tmpdir)
        with database(args.db, tmp) as url:
            for label, sink in (("off", None), ("on", hook)):
                with TestClient(create_app(settings(url, tmp, sink))) as client:
                    project_latency(client, f"warm-{label}@example.com", 20)
                    times = project_latency(client, f"{label}@example.com", args.requests)
                result[f"create_project_crm_{label}_ms"] = {
                    "p50": round(pct(times, 50), 2),
                    "p95": round(pct(times, 95), 2),
                }
            s = settings(url, tmp, hook)
            with TestClient(create_app(s)) as client:
                state = client.app.state.aifilm  # type: ignore[attr-defined]
                sinks = build_sinks(s)
                drain(state.sessions, sinks, s, "bench")  # what the latency runs wrote
                received.clear()
                project_latency(client, "events@example.com", args.events - 1)
                start = time.perf_counter()
                delivered = drain(state.sessions, sinks, s, "bench")
                seconds = time.perf_counter() - start
            assert len(received) == delivered == args.events, (len(received), delivered)
            result["dispatch_events_per_second"] = round(delivered / seconds, 1)
    off, on = result["create_project_crm_off_ms"], result["create_project_crm_on_ms"]
    print(f"| {args.db} | POST /api/projects p50/p95, CRM off | {off['p50']} / {off['p95']} ms |")
    print(f"| {args.db} | POST /api/projects p50/p95, CRM on | {on['p50']} / {on['p95']} ms |")
    print(f"| {args.db} | webhook deliveries | {result['dispatch_events_per_second']} events/s |")
    out = Path(__file__).parent / "results" / "crm.json"
    data = json.loads(out.read_text()) if out.exists() else {}
    data[args.db] = result
    out.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
