"""Schemathesis against a live server's /api/openapi.json: fails on any 5xx, on a response
that breaks the documented schema (status, content type, headers, body), on an operation
that ignores its authentication, or on an unhandled error in the server's log.

Usage: .venv/bin/python .ci/fuzz_api.py [--database sqlite|postgresql] [--max-time S]

Each database gets three passes (no token, a user's token, an admin's token), each bounded
by --max-time seconds. The server runs as `aifilm serve` with its renders off (jobs stay
queued) and rate limits off (Schemathesis would otherwise test mostly the 429).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

VENV_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake Stripe of the tests
PG_ADMIN = os.environ.get("AIFILM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
SPEC = """\
title: Fuzzed Film
duration: 10s
output: {resolution: 160x90, fps: 12, quality: draft}
scenes:
  - color: "#336699"
    shots:
      - narration: Hello there.
"""
# All checks but three. Two need links between operations that the document does not
# declare. positive_data_acceptance expects every schema-valid request to succeed, and
# here many cannot by design: text with NUL characters (PostgreSQL cannot store them), an
# email the schema cannot describe, YouTube on a free plan, an unknown OAuth state.
CHECKS = "all"
EXCLUDED = "use_after_free,ensure_resource_availability,positive_data_acceptance"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_database() -> tuple[str, str] | None:
    """A fresh database's URL and name, or None without PostgreSQL."""
    try:
        import psycopg

        name = f"aifilm_fuzz_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        print(f"fuzz_api: no PostgreSQL ({exc}); skipped")
        return None
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}", name


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server(
    data: Path, database_url: str, port: int, log: Path, stripe: str
) -> subprocess.Popen[bytes]:
    """`aifilm serve` on `port`, billing through the fake Stripe at `stripe`."""
    from tests.server.fake_stripe import SECRET_KEY, WEBHOOK_SECRET

    env = {
        **os.environ,
        "AIFILM_SERVER_CONFIG": str(data / "none.toml"),
        "AIFILM_SERVER_DATA_DIR": str(data),
        "AIFILM_SERVER_DATABASE_URL": database_url,
        "AIFILM_SERVER_SECRET_KEY": secrets.token_urlsafe(32),
        "AIFILM_SERVER_WORKER": "none",
        "AIFILM_SERVER_RATE_LIMIT_PER_MINUTE": "0",
        "AIFILM_SERVER_AUTH_RATE_LIMIT_PER_MINUTE": "0",
        "AIFILM_SERVER_ADMIN_EMAILS": '["admin@example.com"]',
        "AIFILM_SERVER_BILLING_SWEEP_SECONDS": "0",
        "AIFILM_STRIPE_SECRET_KEY": SECRET_KEY,
        "AIFILM_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "AIFILM_STRIPE_API_BASE": stripe,
    }
    env.pop("AIFILM_SERVER_REDIS_URL", None)
    command = [str(VENV_BIN / "aifilm"), "serve", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.3)
    server.kill()
    raise SystemExit(f"fuzz_api: the server did not start:\n{log.read_text()}")


def token_of(base: str, email: str) -> str:
    password = secrets.token_urlsafe(16)
    r = httpx.post(f"{base}/api/users/register", json={"email": email, "password": password})
    r.raise_for_status()
    r = httpx.post(f"{base}/api/users/login", json={"email": email, "password": password})
    r.raise_for_status()
    token = str(r.json()["access_token"])
    headers = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{base}/api/projects", json={"spec": SPEC}, headers=headers)
    r.raise_for_status()  # something of theirs for the fuzzer to find
    return token


def schemathesis(
    base: str, token: str | None, max_time: int, report: Path, seed: int | None
) -> int:
    command = [
        str(VENV_BIN / "st"), "run", f"{base}/api/openapi.json",
        "--checks", CHECKS, "--exclude-checks", EXCLUDED,
        "--max-time", str(max_time), "--max-examples", "25",
        "--request-timeout", "20", "--workers", "1",
        "--seed", str(secrets.randbelow(2**31) if seed is None else seed),
        "--suppress-health-check", "all", "--warnings", "off",
        "--report", "junit", "--report-dir", str(report),
    ]  # fmt: skip
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    print(
        "fuzz_api:",
        " ".join(c if "Bearer" not in c else "Authorization: Bearer ..." for c in command),
        flush=True,
    )
    return subprocess.call(command, cwd=report.parent)  # its example database stays there


def run(database: str, max_time: int, seed: int | None) -> int:
    from tests.server.fake_stripe import running

    with tempfile.TemporaryDirectory(prefix="aifilm-fuzz-") as tmp, running() as stripe:
        data = Path(tmp)
        pg = None
        if database == "postgresql":
            pg = postgres_database()
            if pg is None:
                return 0
            url = pg[0]
        else:
            url = f"sqlite:///{data / 'fuzz.db'}"
        port = free_port()
        log = data / "server.log"
        server = start_server(data, url, port, log, stripe.url)
        base = f"http://127.0.0.1:{port}"
        failed = 0
        try:
            tokens = [None, token_of(base, "user@example.com"), token_of(base, "admin@example.com")]
            for n, token in enumerate(tokens):
                failed |= schemathesis(base, token, max_time, data / f"report-{n}", seed) != 0
        finally:
            server.terminate()
            server.wait(20)
            if pg is not None:
                drop_postgres(pg[1])
        text = log.read_text(errors="replace")
        if "Traceback" in text or "unhandled error" in text:
            print(f"fuzz_api: the server logged unhandled errors ({database}):\n{text[-20000:]}")
            failed = 1
        return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--max-time", type=int, default=30, help="seconds per pass")
    parser.add_argument(
        "--seed", type=int, default=None, help="the fuzzer's seed (default: a new one each run)"
    )
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    failed = 0
    for database in databases:
        print(f"fuzz_api: {database}", flush=True)
        failed |= run(database, args.max_time, args.seed)
    print("fuzz_api:", "FAILED" if failed else "passed")
    return failed


if __name__ == "__main__":
    sys.exit(main())
