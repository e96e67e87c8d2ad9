"""Admin endpoints and the `aifilm crm` CLI (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api
from tests.server.crm.webhook_receiver import Receiver, receiver

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.crm.dispatch import drain
from aifilm.server.crm.sinks import build_sinks
from aifilm.server.models import User
from aifilm.server.state import ServerState

SECRET = "whsec_admin_" + "s" * 24


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver(SECRET) as running:
        yield running


@pytest.fixture
def setup(
    settings_for: Callable[..., ServerSettings], hook: Receiver
) -> Iterator[tuple[TestClient, ServerState]]:
    settings = settings_for(
        worker="none",
        crm_sinks=["webhook"],
        crm_webhook_url=hook.url,
        crm_webhook_secret=SECRET,
        crm_backoff_seconds=0.05,
    )
    with TestClient(create_app(settings)) as client:
        yield client, client.app.state.aifilm  # type: ignore[attr-defined]


def deliver(state: ServerState) -> None:
    drain(state.sessions, build_sinks(state.settings), state.settings, "w")


def test_crm_endpoints_are_for_admins_only(setup: tuple[TestClient, ServerState]) -> None:
    client, _ = setup
    user = Api(client, "user@example.com")
    for method, url, body in [
        ("post", "/api/crm/sync-user", {"user_id": user.user["id"]}),
        ("post", "/api/crm/log-project", {"project_id": str(uuid.uuid4())}),
        ("post", "/api/crm/log-purchase", {"purchase_id": "evt_1"}),
        ("get", "/api/crm/outbox", None),
    ]:
        r = getattr(user, method)(url, **({"json": body} if body else {}))
        assert r.status_code == 403, (url, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 403
    assert client.get("/api/crm/outbox").status_code == 401


def test_requeue_and_status_view(setup: tuple[TestClient, ServerState], hook: Receiver) -> None:
    from aifilm.server import credits

    client, state = setup
    admin = Api(client, "admin@example.com")
    alice = Api(client, "alice@example.com")
    project = alice.project()
    with state.sessions() as session, session.begin():
        user = session.get(User, uuid.UUID(alice.user["id"]))
        assert user is not None
        credits.record(session, user, "purchase", 25, "bought pack-25", event_id="evt_25")
    hook.refuse = lambda event: 400 if event["type"] == "project.created" else None
    deliver(state)
    view = admin.get("/api/crm/outbox", params={"status": "failed"}).json()
    assert view["counts"]["failed"] == 1 and view["counts"]["delivered"] == 3
    (dead,) = view["items"]
    assert dead["type"] == "project.created" and "400" in dead["last_error"]
    assert "payload" not in dead

    hook.refuse = lambda event: None
    r = admin.post(f"/api/crm/outbox/{dead['event_id']}/retry")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    for url, body in [
        ("/api/crm/sync-user", {"user_id": alice.user["id"]}),
        ("/api/crm/log-project", {"project_id": project["id"]}),
        ("/api/crm/log-purchase", {"purchase_id": "evt_25"}),
    ]:
        r = admin.post(url, json=body)
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "pending"
    deliver(state)
    assert hook.types_for(alice.user["id"]) == [
        "user.registered",
        "purchase.completed",
        "project.created",  # the dead letter, retried: oldest first
        "user.updated",
        "project.created",
        "purchase.completed",
    ]
    counts = admin.get("/api/crm/outbox").json()["counts"]
    assert counts["pending"] == 0 and counts["failed"] == 0 and counts["delivered"] == 7
    assert admin.post("/api/crm/log-purchase", json={"purchase_id": "nope"}).status_code == 404
    r = admin.post("/api/crm/sync-user", json={"user_id": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json()["title"]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aifilm", "crm", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_status_and_resync(setup: tuple[TestClient, ServerState], hook: Receiver) -> None:
    client, state = setup
    Api(client, "bob@example.com").project()
    hook.status = 503
    deliver(state)
    env = {
        **os.environ,
        "AIFILM_SERVER_DATABASE_URL": state.settings.db_url,
        "AIFILM_SERVER_CONFIG": str(state.settings.data_dir / "none.toml"),
        "AIFILM_SERVER_CRM_SINKS": '["webhook"]',
    }
    r = _cli(env, "status", "--json")
    assert r.returncode == 0, r.stderr
    view = json.loads(r.stdout)
    assert view["counts"]["pending"] == 2
    assert any("503" in (item["last_error"] or "") for item in view["items"])
    r = _cli(env, "resync", "--since", "2000-01-01")
    assert r.returncode == 0, r.stderr
    assert "queued 1 accounts, 1 projects, 0 purchases" in r.stdout
    r = _cli(env, "resync", "--since", "last tuesday")
    assert r.returncode != 0
    said = r.stdout + r.stderr
    assert "not a date" in said and "Traceback" not in said
    hook.status = 200
    for _ in range(50):
        deliver(state)
        if json.loads(_cli(env, "status", "--json").stdout)["counts"]["pending"] == 0:
            break
    assert json.loads(_cli(env, "status", "--json").stdout)["counts"]["delivered"] == 4
