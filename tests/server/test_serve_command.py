"""`aifilm db upgrade` and `aifilm serve` run as a user runs them: processes, a loopback port,
health checks answering, and a production server refusing the default secret."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aifilm.server.db import head_revision


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A user's environment with the server's data in a temporary folder."""
    return {
        **os.environ,
        "AIFILM_SERVER_CONFIG": str(tmp_path / "no-server.toml"),
        "AIFILM_SERVER_DATA_DIR": str(tmp_path / "data"),
        "AIFILM_SERVER_WORKER": "none",
    }


def aifilm(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aifilm", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _said(result: subprocess.CompletedProcess[str]) -> str:
    """What the command printed, without the panel's frame and line breaks."""
    return " ".join((result.stdout + result.stderr).replace("│", " ").split())


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(url + "/healthz", timeout=2)
        except httpx.TransportError:
            assert time.monotonic() < deadline, "aifilm serve did not answer"
            time.sleep(0.2)


def test_db_upgrade_creates_the_database(env: dict[str, str], tmp_path: Path) -> None:
    result = aifilm("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "database at head"
    with sqlite3.connect(tmp_path / "data" / "aifilm.db") as db:
        (revision,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert revision == head_revision()
    assert {"users", "projects", "jobs", "credit_transactions"} <= tables
    again = aifilm("db", "upgrade", env=env)  # nothing to do the second time
    assert again.returncode == 0 and again.stdout.strip() == "database at head"


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_health_checks_and_stops_cleanly(
    env: dict[str, str],
    tmp_path: Path,
    started: list[subprocess.Popen[bytes]],
    workers: int,
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aifilm",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    started.append(process)
    health = _wait_healthy(url, process, log)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = httpx.get(url + "/readyz", timeout=10)  # it migrated the new database at start
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "storage": "ok"}}
    r = httpx.post(
        url + "/api/users/register",
        json={"email": "new@example.com", "password": "long enough"},
        headers={"X-Request-ID": "cli-test-1"},
        timeout=30,
    )
    assert r.status_code == 201 and r.headers["x-request-id"] == "cli-test-1"
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 0
    lines = log.read_text().splitlines()
    # Structured access logs, one JSON object a line, carrying the request id.
    assert any('"request_id": "cli-test-1"' in line and '"status": 201' in line for line in lines)


def test_serve_refuses_the_default_secret_in_production(env: dict[str, str]) -> None:
    port = _free_port()
    result = aifilm(
        "serve", "--port", str(port), env={**env, "AIFILM_SERVER_ENVIRONMENT": "production"}
    )
    assert result.returncode != 0
    said = _said(result)
    assert "AIFILM_SERVER_SECRET_KEY must be set to a random value of 32+ characters" in said
    assert "Traceback" not in said
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    short = aifilm(
        "db",
        "upgrade",
        env={
            **env,
            "AIFILM_SERVER_ENVIRONMENT": "production",
            "AIFILM_SERVER_SECRET_KEY": "short-secret-123",
        },
    )
    assert short.returncode != 0 and "32+ characters" in _said(short)
    assert "short-secret-123" not in _said(short)  # a secret is never echoed back
