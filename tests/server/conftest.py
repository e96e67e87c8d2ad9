"""Server fixtures: a migrated database per test (SQLite, and PostgreSQL when one answers on
127.0.0.1:5432: a uniquely named database, dropped afterwards), an app, helpers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")

import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.fakes import sleepy

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.db import make_engine, make_sessionmaker, upgrade
from aifilm.server.models import CreditTransaction, Job
from aifilm.server.state import ServerState

PG_ADMIN = os.environ.get("AIFILM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

TINY_SPEC = """\
title: Tiny Film
duration: 10s
output: {resolution: 160x90, fps: 12, quality: draft}
scenes:
  - color: "#336699"
    shots:
      - narration: Hello there.
        camera: static
"""


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except Exception:
        return False


PG = _pg_available()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    if not PG:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    return PG_ADMIN


def make_pg_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the server and a function that drops it."""
    import psycopg

    name = f"aifilm_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}", drop


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
        upgrade(url)
        yield url
        return
    admin = request.getfixturevalue("postgres_server")
    url, drop = make_pg_database(admin)
    try:
        upgrade(url)
        yield url
    finally:
        drop()


@pytest.fixture
def settings_for(tmp_path: Path, db_url: str) -> Callable[..., ServerSettings]:
    def make(**overrides: Any) -> ServerSettings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "database_url": db_url,
            "secret_key": "test-secret-" + "x" * 32,
            "poll_seconds": 0.1,
            "lease_seconds": 5.0,
            "rate_limit_per_minute": 0,
            "auth_rate_limit_per_minute": 0,
            "render_cache_dir": tmp_path / "cache",
            "admin_emails": ["admin@example.com"],
        }
        values.update(overrides)
        return ServerSettings(**values)

    return make


@pytest.fixture
def app_client(settings_for: Callable[..., ServerSettings]) -> Iterator[TestClient]:
    """A client of an app with its in-process worker running."""
    with TestClient(create_app(settings_for())) as client:
        yield client


@pytest.fixture
def idle_client(settings_for: Callable[..., ServerSettings]) -> Iterator[TestClient]:
    """A client of an app with no worker: jobs stay queued."""
    with TestClient(create_app(settings_for(worker="none"))) as client:
        yield client


@contextmanager
def serve(settings: ServerSettings) -> Iterator[tuple[str, ServerState]]:
    """The app served by uvicorn on a loopback port."""
    app = create_app(settings)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app.state.aifilm
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live(settings_for: Callable[..., ServerSettings]) -> Iterator[tuple[str, ServerState]]:
    """A live server with its worker."""
    with serve(settings_for()) as running:
        yield running


@pytest.fixture
def live_idle(settings_for: Callable[..., ServerSettings]) -> Iterator[tuple[str, ServerState]]:
    """A live server with no worker: jobs stay queued."""
    with serve(settings_for(worker="none")) as running:
        yield running


class Api:
    """A signed-in user of a test client, with small helpers."""

    def __init__(self, client: TestClient, email: str, password: str = "correct horse") -> None:
        self.client = client
        self.email = email
        r = client.post("/api/users/register", json={"email": email, "password": password})
        assert r.status_code == 201, r.text
        self.user = r.json()
        r = client.post("/api/users/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        self.tokens = r.json()
        self.headers = {"Authorization": f"Bearer {self.tokens['access_token']}"}

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.headers, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.client.patch(url, headers=self.headers, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers=self.headers, **kw)

    def project(self, spec: str = TINY_SPEC) -> dict[str, Any]:
        r = self.post("/api/projects", json={"spec": spec})
        assert r.status_code == 201, r.text
        return dict(r.json())

    def balance(self) -> int:
        return int(self.get("/api/credits/balance").json()["balance"])

    def wait(self, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(f"/api/jobs/{job_id}").json()
            if job["status"] in ("completed", "failed", "cancelled"):
                return dict(job)
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.fixture
def api(app_client: TestClient) -> Callable[[str], Api]:
    return lambda email: Api(app_client, email)


def png_bytes(size: tuple[int, int] = (64, 64), color: str = "#884422") -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


@contextmanager
def flushed_redis(url: str) -> Iterator[Any]:
    """A client of the Redis database at `url`, emptied before and after (skips the test
    when no Redis answers on 127.0.0.1:6379)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except Exception:
        pytest.skip("no Redis on 127.0.0.1:6379")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()


# --- real `aifilm worker --celery` processes (fan-out tests) -------------------------------

FANOUT_BROKER = "redis://127.0.0.1:6379/12"  # flushed before and after
ROOT = Path(__file__).resolve().parents[2]


def framemd5(path: Path) -> list[str]:
    """A film's decoded frames' MD5s (FFmpeg's framemd5), without its header: equal lists
    are the same pictures, frame for frame."""
    from aifilm.media.ffmpeg import ffmpeg_exe

    out = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:v", "-f", "framemd5", "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line for line in out.splitlines() if not line.startswith("#")]


def _die_with_parent() -> None:
    """In the child: SIGKILL when the test process dies, so no worker outlives a killed
    pytest and takes the next run's tasks from the shared Redis queue (Linux)."""
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class CeleryWorker:
    """`aifilm worker --celery` in its own process group, its output in a file; `module`
    `tests.fakes.sleepy` is aifilm's CLI with the toy backend registered."""

    def __init__(
        self, tmp: Path, name: str, env: dict[str, str], module: str = "tests.fakes.sleepy"
    ) -> None:
        self.log = tmp / f"{name}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module, "worker", "--celery"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while "ready." not in self.log.read_text(errors="replace"):
            assert self.process.poll() is None, self.log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.2)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def fanout_workers(tmp_path: Path, db_url: str) -> Iterator[Callable[..., CeleryWorker]]:
    """Starts `aifilm worker --celery` processes (toy backend loaded) sharing `tmp_path/data`
    as storage, on PostgreSQL and Redis database 12; all killed afterwards."""
    if db_url.startswith("sqlite"):
        pytest.skip("worker processes with Celery are the PostgreSQL setup")
    started: list[CeleryWorker] = []
    sleepy.register()  # the server checks the project's backends too

    def start(name: str, **extra: str) -> CeleryWorker:
        """A worker named `name` (its log `name.log`, its own cache), `extra` in its env."""
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            "AIFILM_SERVER_CONFIG": str(tmp_path / "no-server.toml"),
            "AIFILM_SERVER_DATABASE_URL": db_url,
            "AIFILM_SERVER_DATA_DIR": str(tmp_path / "data"),  # the shared storage
            "AIFILM_SERVER_RENDER_CACHE_DIR": str(tmp_path / f"cache-{name}"),  # its own
            "AIFILM_SERVER_REDIS_URL": FANOUT_BROKER,
            "AIFILM_SERVER_LEASE_SECONDS": "3",
            "AIFILM_SERVER_POLL_SECONDS": "0.3",
            "AIFILM_SERVER_PIECE_VISIBILITY_SECONDS": "4",
            "AIFILM_SERVER_ALLOWED_BACKENDS": '{"visuals": ["sleepy"]}',
            "AIFILM_SLEEPY_LOG": str(tmp_path / "shots.log"),
            **extra,
        }
        worker = CeleryWorker(tmp_path, name, env)
        started.append(worker)
        return worker

    with flushed_redis(FANOUT_BROKER):
        yield start
        for worker in started:
            worker.kill()
    sleepy.unregister()


def job_row(db_url: str, job_id: str) -> Job:
    """The job's row, read in a connection of its own."""
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            job = session.get(Job, uuid.UUID(job_id))
            assert job is not None
            return job
    finally:
        engine.dispose()


def ledger(db_url: str, job_id: str) -> list[tuple[str, int]]:
    """The job's credit transactions: (type, amount)."""
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.scalars(
                select(CreditTransaction).where(CreditTransaction.job_id == uuid.UUID(job_id))
            ).all()
            return [(r.type, r.amount) for r in rows]
    finally:
        engine.dispose()
