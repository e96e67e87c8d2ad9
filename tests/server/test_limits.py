"""Bodies are bounded before they are read, uploads need a token before their body is read,
passwords are capped (issue 11). Spoken over real sockets: the point is what the server
answers before the client has sent its body."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import TINY_SPEC, Api, png_bytes, serve

from aifilm.server.config import ServerSettings

GiB = 1024**3
MiB = 1024**2


@pytest.fixture
def live_small(settings_for: Callable[..., ServerSettings]) -> Iterator[tuple[str, object]]:
    """A live server whose uploads may be 1 MiB and other bodies 64 KiB."""
    settings = settings_for(worker="none", max_upload_bytes=MiB, max_request_bytes=64 * 1024)
    with serve(settings) as running:
        yield running


def connect(base: str) -> socket.socket:
    url = urlsplit(base)
    return socket.create_connection((url.hostname or "", url.port or 80), timeout=10)


def send_head(
    sock: socket.socket, base: str, method: str, path: str, headers: dict[str, str]
) -> None:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {urlsplit(base).netloc}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, object]]:
    """Status, headers and JSON body of the (small, non-chunked) response on `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    while len(body) < int(headers.get("content-length", 0)):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, json.loads(body)


def signed_in(base: str, email: str) -> tuple[dict[str, str], str]:
    """Headers of a new account and the id of a project of it."""
    password = "correct horse"
    httpx.post(f"{base}/api/users/register", json={"email": email, "password": password})
    token = httpx.post(f"{base}/api/users/login", json={"email": email, "password": password})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    project = httpx.post(f"{base}/api/projects", json={"spec": TINY_SPEC}, headers=headers)
    assert project.status_code == 201, project.text
    return headers, str(project.json()["id"])


MULTIPART = {"Content-Type": "multipart/form-data; boundary=xyz"}


@pytest.mark.parametrize("token", [None, "Bearer not-a-token", "Bearer afk_made_up_key"])
def test_an_upload_without_a_valid_token_is_refused_before_its_body_is_sent(
    live_small: tuple[str, object], token: str | None
) -> None:
    base, _ = live_small
    headers = {**MULTIPART, "Content-Length": str(GiB)}
    if token:
        headers["Authorization"] = token
    path = "/api/projects/0b5e9c4e-6a51-4a8e-9d2b-7c3f4b1a2d3e/assets"
    with connect(base) as sock:
        send_head(sock, base, "POST", path, headers)
        sock.sendall(b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\n')
        status, response_headers, body = read_response(sock)  # not one byte of the GiB sent
    assert status == 401
    assert response_headers["content-type"] == "application/problem+json"
    assert response_headers["www-authenticate"] == "Bearer"
    assert response_headers["connection"] == "close"  # the unread body is not read after
    assert body["status"] == 401 and body["instance"] == path


def test_an_unauthenticated_chunked_upload_is_refused_before_its_body_is_read(
    live_small: tuple[str, object],
) -> None:
    base, _ = live_small
    headers = {**MULTIPART, "Transfer-Encoding": "chunked"}
    with connect(base) as sock:
        send_head(sock, base, "POST", "/api/projects/x/assets", headers)
        status, _, body = read_response(sock)
    assert status == 401 and body["title"] == "Unauthorized"


def test_a_body_declared_over_the_limit_is_refused_before_it_is_sent(
    live_small: tuple[str, object],
) -> None:
    base, _ = live_small
    headers, project = signed_in(base, "ann@example.com")
    cases = [
        ("/api/users/login", {"Content-Type": "application/json"}, 100 * MiB, 64 * 1024),
        (f"/api/projects/{project}/assets", {**headers, **MULTIPART}, GiB, MiB + 64 * 1024),
        ("/api/projects", {**headers, "Content-Type": "application/json"}, 65 * 1024, 64 * 1024),
    ]
    for path, extra, size, limit in cases:
        with connect(base) as sock:
            send_head(sock, base, "POST", path, {**extra, "Content-Length": str(size)})
            status, response_headers, body = read_response(sock)
        assert status == 413, (path, body)
        assert response_headers["content-type"] == "application/problem+json"
        assert body["detail"] == f"the request body is over the {limit}-byte limit"


@pytest.mark.parametrize("what", ["json", "upload"])
def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(
    live_small: tuple[str, object], what: str
) -> None:
    base, _ = live_small
    headers, project = signed_in(base, "bob@example.com")
    if what == "json":
        path, extra, limit = "/api/users/login", {"Content-Type": "application/json"}, 64 * 1024
    else:
        path, extra, limit = f"/api/projects/{project}/assets", {**headers, **MULTIPART}, MiB
    chunk = b"x" * 16 * 1024
    sent = 0
    with connect(base) as sock:
        send_head(sock, base, "POST", path, {**extra, "Transfer-Encoding": "chunked"})
        if what == "upload":
            part = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
            sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        try:
            while sent < 256 * MiB:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except OSError:
            pass  # the server answered and closed the connection
        status, _, body = read_response(sock)
    assert status == 413, body
    assert str(limit + (64 * 1024 if what == "upload" else 0)) in str(body["detail"])
    # What the client got into the socket before the server hung up: the limit, and at
    # most what the two ends' socket buffers hold, never the whole 256 MiB.
    assert sent < 64 * MiB


def test_bodies_within_the_limits_still_work(live_small: tuple[str, object]) -> None:
    base, _ = live_small
    headers, project = signed_in(base, "cy@example.com")
    r = httpx.post(
        f"{base}/api/projects/{project}/assets",
        headers=headers,
        files={"file": ("bg.png", png_bytes((400, 300)), "image/png")},
        data={"name": "images/bg.png"},
    )
    assert r.status_code == 201, r.text


def test_passwords_are_capped_before_any_hashing(app_client: TestClient) -> None:
    longest = "p" * 1024
    r = app_client.post(
        "/api/users/register", json={"email": "long@example.com", "password": longest + "p"}
    )
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["loc"] == ["body", "password"]
    r = app_client.post(
        "/api/users/register", json={"email": "long@example.com", "password": longest}
    )
    assert r.status_code == 201
    started = time.perf_counter()
    r = app_client.post(
        "/api/users/login", json={"email": "long@example.com", "password": "p" * 60_000}
    )
    assert r.status_code == 422, r.text  # refused by length: no argon2 run on it
    assert r.json()["errors"][0]["loc"] == ["body", "password"]
    assert time.perf_counter() - started < 5
    r = app_client.post("/api/users/login", json={"email": "long@example.com", "password": longest})
    assert r.status_code == 200
    user = Api.__new__(Api)
    user.client, user.headers = app_client, {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = user.patch("/api/users/me", json={"current_password": "p" * 1025, "full_name": "x"})
    assert r.status_code == 422
