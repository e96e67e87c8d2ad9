"""Event streams hold no database connection and are capped per account and per process
(issue 11): many open streams must not starve other users' requests."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
from tests.server.conftest import TINY_SPEC, serve

from aifilm.server.config import ServerSettings


def signed_in(base: str, email: str) -> dict[str, str]:
    password = "correct horse"
    r = httpx.post(f"{base}/api/users/register", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{base}/api/users/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def queued_job(base: str, headers: dict[str, str]) -> str:
    r = httpx.post(f"{base}/api/projects", json={"spec": TINY_SPEC}, headers=headers)
    assert r.status_code == 201, r.text
    r = httpx.post(f"{base}/api/jobs", json={"project_id": r.json()["id"]}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def open_stream(base: str, path: str, headers: dict[str, str]) -> socket.socket:
    """A raw socket that has sent a GET for an event stream (the answer is read later)."""
    url = urlsplit(base)
    sock = socket.create_connection((url.hostname or "", url.port or 80), timeout=15)
    lines = [f"GET {path} HTTP/1.1", f"Host: {url.netloc}", "Accept: text/event-stream"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def first_bytes(sock: socket.socket) -> bytes:
    """What the server has sent on the socket by the time its first event arrives."""
    received = b""
    while b"retry:" not in received and b"\r\n\r\n{" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


@contextmanager
def streams(base: str, path: str, headers: dict[str, str], count: int) -> Iterator[list[bytes]]:
    socks = [open_stream(base, path, headers) for _ in range(count)]
    try:
        yield [first_bytes(s) for s in socks]
    finally:
        for s in socks:
            s.close()


def test_more_streams_than_pooled_connections_leave_other_users_working(
    settings_for: Callable[..., ServerSettings],
) -> None:
    with serve(settings_for(worker="none", max_streams_per_user=100)) as (base, state):
        pool = state.async_engine.pool
        # Every connection the asyncio pool may open (its size and overflow), and then some.
        count = pool.size() + pool._max_overflow + 5  # type: ignore[attr-defined]
        ann = signed_in(base, "ann@example.com")
        job = queued_job(base, ann)
        with streams(base, f"/api/jobs/{job}/events?interval=1", ann, count) as answers:
            assert all(a.startswith(b"HTTP/1.1 200") for a in answers), answers[-1][:300]
            bob = signed_in(base, "bob@example.com")
            with httpx.Client(base_url=base, headers=bob, timeout=20) as client:
                for _ in range(3):
                    started = time.monotonic()
                    assert client.get("/api/users/me").status_code == 200
                    r = client.post("/api/projects", json={"spec": TINY_SPEC})
                    assert r.status_code == 201, r.text
                    assert client.get("/api/projects").json()["total"] >= 1
                    assert client.get(f"/api/projects/{r.json()['id']}").status_code == 200
                    assert time.monotonic() - started < 10  # a starved pool: 30 s, then 500
            assert state.streams.total == count
        deadline = time.monotonic() + 10
        while state.streams.total and time.monotonic() < deadline:
            time.sleep(0.05)  # the server notices the closed sockets at its next poll
        assert state.streams.total == 0


def test_streams_are_capped_per_account_and_per_process(
    settings_for: Callable[..., ServerSettings],
) -> None:
    settings = settings_for(worker="none", max_streams_per_user=2, max_streams=3)
    with serve(settings) as (base, state):
        ann = signed_in(base, "ann@example.com")
        bob = signed_in(base, "bob@example.com")
        ann_job, bob_job = queued_job(base, ann), queued_job(base, bob)
        path = f"/api/jobs/{ann_job}/events?interval=0.1"
        with streams(base, path, ann, 2) as answers:
            assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
            r = httpx.get(f"{base}{path}", headers=ann)
            assert r.status_code == 429
            assert r.headers["content-type"] == "application/problem+json"
            assert int(r.headers["retry-after"]) > 0
            assert "at most 2" in r.json()["detail"]
            bob_path = f"/api/jobs/{bob_job}/events?interval=0.1"
            with streams(base, bob_path, bob, 1) as (bobs,):
                assert bobs.startswith(b"HTTP/1.1 200")
                r = httpx.get(f"{base}{bob_path}", headers=bob)
                assert r.status_code == 429 and "server has 3" in r.json()["detail"]
        # Closed streams give their slots back.
        deadline = time.monotonic() + 10
        while state.streams.total and time.monotonic() < deadline:
            time.sleep(0.05)
        with streams(base, path, ann, 2) as answers:
            assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
        # Someone else's job is not found, and takes no slot.
        r = httpx.get(f"{base}/api/jobs/{ann_job}/events", headers=bob)
        assert r.status_code == 404
