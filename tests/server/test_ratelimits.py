"""Rate limits that a made-up token per request cannot skip, and a per-account lockout after
wrong passwords that no number of addresses gets around (issue 11)."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings

PASSWORD = "correct horse"


def address() -> str:
    """A client address of its own (the limits count per address, in Redis across runs)."""
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def client_at(app: FastAPI, host: str | None = None) -> TestClient:
    return TestClient(app, client=(host or address(), 50000))


@pytest.fixture(params=["memory", "redis"])
def limited_app(
    request: pytest.FixtureRequest, settings_for: Callable[..., ServerSettings]
) -> Iterator[Callable[..., FastAPI]]:
    """Makes apps with the given limits, counting in memory or in Redis."""
    extra = {}
    if request.param == "redis":
        if "postgresql" in request.getfixturevalue("db_url"):
            pytest.skip("the limits do not depend on the database: Redis once, on SQLite")
        redis = pytest.importorskip("redis")
        url = "redis://127.0.0.1:6379/12"  # keys are per test address and account
        try:
            redis.Redis.from_url(url).ping()
        except Exception:
            pytest.skip("no Redis on 127.0.0.1:6379")
        extra["redis_url"] = url
    apps: list[TestClient] = []

    def make(**limits: object) -> FastAPI:
        app = create_app(settings_for(worker="none", **extra, **limits))
        apps.append(TestClient(app).__enter__())
        return app

    yield make
    for started in apps:
        started.__exit__(None, None, None)


def register(app: FastAPI, email: str) -> dict[str, str]:
    client = client_at(app)
    r = client.post("/api/users/register", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    r = client.post("/api/users/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def made_up_authorization() -> str:
    kind = secrets.randbelow(3)
    if kind == 0:
        return "Bearer afk_" + secrets.token_urlsafe(32)  # an API key that does not exist
    if kind == 1:  # a JWT-shaped token with a wrong signature
        return "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0." + secrets.token_urlsafe(32)
    return "Basic " + secrets.token_urlsafe(16)


def test_a_made_up_token_per_request_does_not_skip_the_address_limit(
    limited_app: Callable[..., FastAPI],
) -> None:
    app = limited_app(rate_limit_per_minute=50, auth_rate_limit_per_minute=10)
    good = register(app, f"{uuid.uuid4().hex}@example.com")
    home = address()
    attacker = client_at(app, home)
    codes = [
        attacker.get("/api/users/me", headers={"Authorization": made_up_authorization()})
        for _ in range(30)
    ]
    statuses = [r.status_code for r in codes]
    # Fixed one-minute windows: the 30 tries may straddle two, so up to 20 get through.
    assert set(statuses[:10]) == {401}
    assert statuses.count(429) >= 10
    limited = next(r for r in codes if r.status_code == 429)
    assert limited.headers["content-type"] == "application/problem+json"
    assert int(limited.headers["retry-after"]) >= 1
    assert "failed to authenticate" in limited.json()["detail"]
    # A real user behind the same address is known by the token and goes on working.
    neighbour = client_at(app, home)
    assert neighbour.get("/api/users/me", headers=good).status_code == 200
    # So does anyone elsewhere, even with no token at all.
    assert client_at(app).get("/api/users/me").status_code == 401


def test_requests_without_a_token_count_per_address(limited_app: Callable[..., FastAPI]) -> None:
    app = limited_app(rate_limit_per_minute=8, auth_rate_limit_per_minute=100)
    client = client_at(app)
    statuses = [client.get("/api/projects").status_code for _ in range(20)]
    assert statuses[:8] == [401] * 8 and statuses.count(429) >= 4  # 2 windows at most


def test_a_made_up_api_key_per_request_counts_against_the_address(
    limited_app: Callable[..., FastAPI],
) -> None:
    """On a route that never checks keys (here an unknown one), a fresh made-up key per
    request is no fresh allowance; a real key, once it has authenticated, gets its own."""
    app = limited_app(rate_limit_per_minute=8, auth_rate_limit_per_minute=100)
    attacker = client_at(app)
    made_up = [{"Authorization": "Bearer afk_" + secrets.token_urlsafe(32)} for _ in range(20)]
    statuses = [attacker.get("/api/no-such-page", headers=h).status_code for h in made_up]
    assert statuses[:8] == [404] * 8 and statuses.count(429) >= 4  # 2 windows at most

    good = register(app, f"{uuid.uuid4().hex}@example.com")
    owner = client_at(app)
    r = owner.post("/api/users/me/api-keys", json={"name": "ci"}, headers=good)
    assert r.status_code == 201, r.text
    key = {"Authorization": f"Bearer {r.json()['key']}"}
    home = address()
    assert client_at(app, home).get("/api/users/me", headers=key).status_code == 200
    # The address is spent by others; the proven key still has its own allowance.
    for _ in range(10):
        client_at(app, home).get("/api/no-such-page")
    assert client_at(app, home).get("/api/no-such-page").status_code == 429
    assert client_at(app, home).get("/api/users/me", headers=key).status_code == 200


def wrong_then_right(app: FastAPI, email: str, addresses: int, tries: int) -> list[int]:
    """`tries` wrong passwords spread over `addresses` addresses, then the right one."""
    clients = [client_at(app) for _ in range(addresses)]
    statuses = []
    for n in range(tries):
        body = {"email": email, "password": f"wrong guess {n}"}
        statuses.append(clients[n % addresses].post("/api/users/login", json=body).status_code)
    right = client_at(app).post("/api/users/login", json={"email": email, "password": PASSWORD})
    statuses.append(right.status_code)
    return statuses


def test_wrong_passwords_from_many_addresses_lock_the_account(
    limited_app: Callable[..., FastAPI],
) -> None:
    # Each address stays within its own limit (20 tries a minute): only the account's
    # failures can stop this.
    app = limited_app(auth_rate_limit_per_minute=20, login_free_failures=5)
    email = f"{uuid.uuid4().hex}@example.com"
    register(app, email)
    statuses = wrong_then_right(app, email, addresses=5, tries=100)
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}  # the right password too, while locked
    r = client_at(app).post("/api/users/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert "too many wrong passwords" in r.json()["detail"]


def test_an_unknown_account_is_answered_exactly_as_a_real_one(
    limited_app: Callable[..., FastAPI],
) -> None:
    app = limited_app(login_free_failures=3)
    real = f"{uuid.uuid4().hex}@example.com"
    register(app, real)
    answers = {}
    for email in (real, f"{uuid.uuid4().hex}@example.com"):
        client = client_at(app)
        responses = [
            client.post("/api/users/login", json={"email": email, "password": "wrong guess"})
            for _ in range(5)
        ]
        answers[email] = [
            (r.status_code, r.json()["title"], r.json()["detail"].split(" in ")[0])
            for r in responses
        ]
    first, second = answers.values()
    assert first == second
    assert [status for status, _, _ in first] == [401, 401, 401, 429, 429]


class Clock:
    """`time.time` for the lockout, moved by hand (a slow password check under load must not
    let a one-second lockout run out while the test looks)."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


def test_the_lockout_ends_and_doubles_with_each_further_failure(
    limited_app: Callable[..., FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aifilm.server import lockout

    clock = Clock()
    monkeypatch.setattr(lockout, "time", clock)
    app = limited_app(login_free_failures=2, login_lockout_seconds=60)
    email = f"{uuid.uuid4().hex}@example.com"
    register(app, email)
    client = client_at(app)

    def login(password: str) -> tuple[int, str | None]:
        r = client.post("/api/users/login", json={"email": email, "password": password})
        return r.status_code, r.headers.get("retry-after")

    assert [login("nope nope"), login("nope nope")] == [(401, None), (401, None)]
    assert login(PASSWORD) == (429, "60")
    clock.now += 59
    assert login(PASSWORD) == (429, "1")
    clock.now += 1.5
    assert login("nope nope") == (401, None)  # the third failure: locked for 120 s now
    assert login(PASSWORD) == (429, "120")
    clock.now += 121
    assert login(PASSWORD)[0] == 200  # and the count starts again
    assert [login("nope nope")[0], login("nope nope")[0], login("nope nope")[0]] == [401, 401, 429]
