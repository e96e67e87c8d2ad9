"""Accounts: register, sign in, token rotation, the user's record, API keys, errors."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api

from aifilm.server.config import ServerSettings
from aifilm.server.state import ServerState


def test_register_gives_three_free_credits(api: Callable[[str], Api]) -> None:
    alice = api("Alice@Example.com")
    assert alice.user["email"] == "alice@example.com"
    assert alice.user["plan"] == "creator" and alice.user["role"] == "creator"
    assert "password_hash" not in alice.user
    assert alice.balance() == 3
    ledger = alice.get("/api/credits/transactions").json()
    assert ledger["total"] == 1 and ledger["items"][0]["type"] == "grant"


def test_duplicate_email_and_bad_login_are_problems(
    app_client: TestClient, api: Callable[[str], Api]
) -> None:
    api("bob@example.com")
    r = app_client.post(
        "/api/users/register", json={"email": "BOB@example.com", "password": "another pass"}
    )
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 409 and "already exists" in body["detail"]
    assert body["request_id"] == r.headers["x-request-id"]
    r = app_client.post("/api/users/login", json={"email": "bob@example.com", "password": "nope"})
    assert r.status_code == 401 and r.json()["detail"] == "wrong email or password"
    r = app_client.post("/api/users/login", json={"email": "who@example.com", "password": "x"})
    assert r.status_code == 401 and r.json()["detail"] == "wrong email or password"
    r = app_client.post("/api/users/register", json={"email": "not-an-email", "password": "x"})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert {tuple(e["loc"]) for e in r.json()["errors"]} >= {("body", "email")}


def test_no_or_bad_token_is_401(app_client: TestClient) -> None:
    assert app_client.get("/api/users/me").status_code == 401
    r = app_client.get("/api/users/me", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = app_client.get("/api/users/me", headers={"Authorization": "Bearer afk_nonsense"})
    assert r.status_code == 401


def test_refresh_rotates_and_reuse_revokes_the_chain(
    app_client: TestClient, api: Callable[[str], Api]
) -> None:
    carol = api("carol@example.com")
    first = carol.tokens["refresh_token"]
    r = app_client.post("/api/users/refresh", json={"refresh_token": first})
    assert r.status_code == 200
    second = r.json()["refresh_token"]
    assert second != first
    me = app_client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"}
    )
    assert me.json()["email"] == "carol@example.com"
    # The used token again: someone copied it; the whole chain stops working.
    assert app_client.post("/api/users/refresh", json={"refresh_token": first}).status_code == 401
    assert app_client.post("/api/users/refresh", json={"refresh_token": second}).status_code == 401


def test_logout_revokes_the_refresh_token(
    app_client: TestClient, api: Callable[[str], Api]
) -> None:
    dan = api("dan@example.com")
    token = dan.tokens["refresh_token"]
    assert app_client.post("/api/users/logout", json={"refresh_token": token}).status_code == 204
    assert app_client.post("/api/users/refresh", json={"refresh_token": token}).status_code == 401


def test_update_me_needs_current_password_for_email_and_password(
    app_client: TestClient, api: Callable[[str], Api]
) -> None:
    eve = api("eve@example.com")
    assert eve.patch("/api/users/me", json={"full_name": "Eve"}).json()["full_name"] == "Eve"
    assert eve.patch("/api/users/me", json={"password": "new password 1"}).status_code == 403
    r = eve.patch(
        "/api/users/me",
        json={"password": "new password 1", "current_password": "correct horse"},
    )
    assert r.status_code == 200
    ok = app_client.post(
        "/api/users/login", json={"email": "eve@example.com", "password": "new password 1"}
    )
    assert ok.status_code == 200
    # Changing the password ends other sessions' refresh tokens.
    old = eve.tokens["refresh_token"]
    assert app_client.post("/api/users/refresh", json={"refresh_token": old}).status_code == 401
    assert eve.patch("/api/users/me", json={"role": "admin"}).status_code == 422


def test_api_keys_are_shown_once_and_work_until_deleted(
    app_client: TestClient, api: Callable[[str], Api]
) -> None:
    fay = api("fay@example.com")
    r = fay.post("/api/users/me/api-keys", json={"name": "laptop"})
    assert r.status_code == 201
    key = r.json()["key"]
    assert key.startswith("afk_") and r.json()["prefix"] == key[:10]
    listed = fay.get("/api/users/me/api-keys").json()
    assert [k["name"] for k in listed] == ["laptop"] and "key" not in listed[0]
    by_key = {"Authorization": f"Bearer {key}"}
    assert app_client.get("/api/users/me", headers=by_key).json()["email"] == "fay@example.com"
    assert fay.delete(f"/api/users/me/api-keys/{listed[0]['id']}").status_code == 204
    assert app_client.get("/api/users/me", headers=by_key).status_code == 401


def test_delete_me_removes_the_account_and_files(
    app_client: TestClient, api: Callable[[str], Api], settings_for: Callable[..., ServerSettings]
) -> None:
    from tests.server.conftest import png_bytes

    gus = api("gus@example.com")
    project = gus.project()
    r = gus.post(
        f"/api/projects/{project['id']}/assets",
        files={"file": ("a.png", png_bytes(), "image/png")},
    )
    assert r.status_code == 201
    folder = settings_for().files_dir / "projects" / project["id"]
    assert folder.is_dir()
    assert gus.delete("/api/users/me").status_code == 204
    assert not folder.exists()
    assert gus.get("/api/users/me").status_code == 401
    r = app_client.post(
        "/api/users/login", json={"email": "gus@example.com", "password": "correct horse"}
    )
    assert r.status_code == 401


def test_health_readiness_request_ids(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    r = app_client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"] == {"database": "ok", "storage": "ok"}
    r = app_client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"
    assert app_client.get("/api/nothing-here").headers["content-type"] == "application/problem+json"


def test_rate_limit_answers_429(settings_for: Callable[..., ServerSettings]) -> None:
    from aifilm.server.app import create_app

    with TestClient(create_app(settings_for(auth_rate_limit_per_minute=3))) as client:
        codes = [
            client.post("/api/users/login", json={"email": "x@example.com", "password": "y"})
            for _ in range(7)
        ]
    assert [c.status_code for c in codes][:3] == [401, 401, 401]
    # Windows are fixed minutes: 7 tries span at most two, so one of them goes over 3.
    limited = [c for c in codes if c.status_code == 429]
    assert limited and int(limited[0].headers["retry-after"]) >= 1


def test_production_refuses_the_default_secret(tmp_path: object) -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        ServerSettings(environment="production")
    ServerSettings(environment="production", secret_key="s" * 40)


def test_admin_lists_searches_and_adjusts(
    app_client: TestClient, api: Callable[[str], Api]
) -> None:
    admin = api("admin@example.com")
    assert admin.user["role"] == "admin"
    hal = api("hal@example.com")
    assert hal.get("/api/admin/users").status_code == 403
    found = admin.get("/api/admin/users", params={"q": "HAL"}).json()
    assert [u["email"] for u in found["items"]] == ["hal@example.com"]
    page = admin.get("/api/admin/users", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    r = admin.post(
        "/api/admin/credits/adjust",
        json={"user_id": hal.user["id"], "amount": 7, "reason": "support ticket 42"},
    )
    assert r.status_code == 201 and r.json()["balance_after"] == 10
    r = admin.post(
        "/api/admin/credits/adjust",
        json={"user_id": hal.user["id"], "amount": -11, "reason": "too much"},
    )
    assert r.status_code == 402
    assert hal.balance() == 10
    entry = hal.get("/api/credits/transactions").json()["items"][0]
    assert entry["type"] == "adjustment" and entry["description"] == "support ticket 42"
    r = admin.post(f"/api/admin/users/{hal.user['id']}/plan", json={"plan": "pro"})
    assert r.status_code == 200 and r.json()["plan"] == "pro"
    assert hal.balance() == 10 - 3 + 60  # the unused monthly 3 expire, 60 granted


def test_an_api_key_in_use_is_noted_once_not_by_every_concurrent_request(
    live_idle: tuple[str, ServerState],
) -> None:
    """`last_used_at` shows in the key list; 30 requests at once with an unused key write it
    once, rather than queueing 30 writers on the key's row."""
    from sqlalchemy import event

    url, state = live_idle
    with httpx.Client(base_url=url, timeout=30) as http:
        account = {"email": "hal@example.com", "password": "correct horse"}
        assert http.post("/api/users/register", json=account).status_code == 201
        token = http.post("/api/users/login", json=account).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        key = http.post("/api/users/me/api-keys", json={"name": "ci"}, headers=auth).json()["key"]
        assert http.get("/api/users/me/api-keys", headers=auth).json()[0]["last_used_at"] is None

        writes: list[str] = []

        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if statement.lstrip().upper().startswith("UPDATE API_KEYS"):
                writes.append(statement)

        event.listen(state.engine, "before_cursor_execute", count)
        try:
            by_key = {"Authorization": f"Bearer {key}"}
            with ThreadPoolExecutor(30) as pool:
                codes = list(
                    pool.map(lambda _: http.get("/api/projects", headers=by_key).status_code,
                             range(30))
                )  # fmt: skip
        finally:
            event.remove(state.engine, "before_cursor_execute", count)
        assert codes == [200] * 30
        assert len(writes) == 1, writes
        listed = http.get("/api/users/me/api-keys", headers=auth).json()
        assert listed[0]["last_used_at"] is not None


def test_a_missing_asyncio_driver_is_named_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """A server installed before aiosqlite joined the extra says what to install."""
    import importlib.util

    from aifilm.errors import MissingDependencyError
    from aifilm.server.db import make_async_reader_engine

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "aiosqlite" else real(name, *a),
    )
    with pytest.raises(MissingDependencyError) as caught:
        make_async_reader_engine(f"sqlite:///{tmp_path / 'aifilm.db'}")
    assert "aiosqlite" in caught.value.message and "aifilm[server]" in (caught.value.hint or "")
