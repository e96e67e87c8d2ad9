"""The queue: plan limits, credits, idempotency, cancel and failure refunds, lost workers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.server.conftest import TINY_SPEC, Api
from tests.server.test_confinement import wav_bytes

from aifilm.server import jobs
from aifilm.server.config import ServerSettings
from aifilm.server.credits import ledger_sum
from aifilm.server.models import Asset, CreditTransaction, Job, User, utcnow
from aifilm.server.state import ServerState
from aifilm.server.worker import run_claimed, work_once


def _state(client: TestClient) -> ServerState:
    state: ServerState = client.app.state.aifilm  # type: ignore[attr-defined]
    return state


def _check_ledger(client: TestClient, user_id: str) -> int:
    with _state(client).sessions() as session:
        user = session.get(User, uuid.UUID(user_id))
        assert user is not None
        assert user.credit_balance == ledger_sum(session, user.id)
        return user.credit_balance


def test_plan_limits_and_credits(idle_client: TestClient) -> None:
    amy = Api(idle_client, "amy@example.com")
    long_film = amy.project(TINY_SPEC.replace("10s", "2m"))
    r = amy.post("/api/jobs", json={"project_id": long_film["id"]})
    assert r.status_code == 403 and "up to 1 min" in r.json()["detail"]
    big = amy.project(TINY_SPEC.replace("160x90", "1920x1080"))
    r = amy.post("/api/jobs", json={"project_id": big["id"]})
    assert r.status_code == 403 and "1280 px" in r.json()["detail"]
    tiny = amy.project()
    for _ in range(3):
        assert amy.post("/api/jobs", json={"project_id": tiny["id"]}).status_code == 201
    r = amy.post("/api/jobs", json={"project_id": tiny["id"]})
    assert r.status_code == 402 and r.json()["balance"] == 0 and r.json()["needed"] == 1
    assert amy.balance() == 0
    assert _check_ledger(idle_client, amy.user["id"]) == 0
    r = amy.post("/api/jobs", json={"project_id": tiny["id"], "length_seconds": 5})
    assert r.status_code == 422
    r = amy.post("/api/jobs", json={"project_id": str(uuid.uuid4())})
    assert r.status_code == 404


def test_minutes_round_up_and_pro_jobs_go_first(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    bea = Api(idle_client, "bea@example.com")
    pro = Api(idle_client, "pro@example.com")
    admin.post(f"/api/admin/users/{pro.user['id']}/plan", json={"plan": "pro"})
    free_job = bea.post("/api/jobs", json={"project_id": bea.project()["id"]}).json()
    spec = TINY_SPEC.replace("10s", "auto")
    r = pro.post("/api/jobs", json={"project_id": pro.project(spec)["id"]})
    assert r.status_code == 422 and "length_seconds" in r.json()["detail"]
    r = pro.post("/api/jobs", json={"project_id": pro.project(spec)["id"], "length_seconds": 121})
    assert r.status_code == 201 and r.json()["credits_charged"] == 3
    assert r.json()["parameters"]["watermark"] is False
    assert pro.balance() == 57
    with _state(idle_client).sessions() as session, session.begin():
        claim = jobs.claim_next(session, "w1", 30, 3)
    assert claim is not None and str(claim.job_id) == r.json()["id"]
    with _state(idle_client).sessions() as session, session.begin():
        claim = jobs.claim_next(session, "w1", 30, 3)
    assert claim is not None and str(claim.job_id) == free_job["id"]


def test_idempotency_key_charges_once(idle_client: TestClient) -> None:
    cat = Api(idle_client, "cat@example.com")
    project = cat.project()
    body = {"project_id": project["id"]}
    first = cat.post("/api/jobs", json=body, headers={"Idempotency-Key": "k-1"})
    again = cat.post("/api/jobs", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert cat.balance() == 2
    other = cat.post(
        "/api/jobs", json={**body, "length_seconds": 20}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 422
    assert cat.get("/api/jobs").json()["total"] == 1


def test_cancel_refunds_once(idle_client: TestClient) -> None:
    dee = Api(idle_client, "dee@example.com")
    job = dee.post("/api/jobs", json={"project_id": dee.project()["id"]}).json()
    assert dee.balance() == 2
    r = dee.post(f"/api/jobs/{job['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["refunded"]
    assert dee.balance() == 3
    assert dee.post(f"/api/jobs/{job['id']}/cancel").status_code == 409
    assert dee.balance() == 3
    ledger = dee.get("/api/credits/transactions").json()["items"]
    assert [e["type"] for e in ledger] == ["refund", "deduction", "grant"]
    assert _check_ledger(idle_client, dee.user["id"]) == 3


def test_cancel_stops_a_running_render(
    idle_client: TestClient, settings_for: Callable[..., ServerSettings]
) -> None:
    eli = Api(idle_client, "eli@example.com")
    job = eli.post("/api/jobs", json={"project_id": eli.project()["id"]}).json()
    state = _state(idle_client)
    with state.sessions() as session, session.begin():
        claim = jobs.claim_next(session, "w1", 30, 3)
    assert claim is not None
    assert eli.post(f"/api/jobs/{job['id']}/cancel").status_code == 200
    # The worker notices at its first progress report and stops without touching the job.
    assert run_claimed(state.sessions, state.storage, state.settings, claim) == "lost"
    final = eli.get(f"/api/jobs/{job['id']}").json()
    assert final["status"] == "cancelled" and final["files"] == []
    assert eli.balance() == 3


def test_failed_render_refunds_and_keeps_the_error(app_client: TestClient) -> None:
    fin = Api(app_client, "fin@example.com")
    spec = TINY_SPEC + "music: {file: audio/theme.wav}\n"
    project = fin.project(spec)
    broken = b"RIFF\x24\x00\x00\x00WAVEjunkjunkjunk" + b"\x00" * 64  # a WAV header, no audio
    r = fin.post(
        f"/api/projects/{project['id']}/assets",
        files={"file": ("theme.wav", broken)},
        data={"name": "audio/theme.wav"},
    )
    assert r.status_code == 415  # uploads are parsed, so a damaged file is stored only by
    r = fin.post(  # damage after the upload: a good file, then its stored bytes broken
        f"/api/projects/{project['id']}/assets",
        files={"file": ("theme.wav", wav_bytes())},
        data={"name": "audio/theme.wav"},
    )
    assert r.status_code == 201 and r.json()["kind"] == "audio"
    state = _state(app_client)
    with state.sessions() as session:
        stored = session.get(Asset, uuid.UUID(r.json()["id"]))
        assert stored is not None
        path = state.storage.local_path(stored.storage_key)
    assert path is not None
    path.write_bytes(broken)
    job = fin.post("/api/jobs", json={"project_id": project["id"]}).json()
    done = fin.wait(job["id"])
    assert done["status"] == "failed" and done["error_message"]
    assert done["refunded"] is True
    assert fin.balance() == 3
    assert fin.get(f"/api/projects/{project['id']}").json()["status"] == "failed"
    assert _check_ledger(app_client, fin.user["id"]) == 3


def test_worker_dies_and_another_completes_the_job(idle_client: TestClient) -> None:
    gil = Api(idle_client, "gil@example.com")
    job = gil.post("/api/jobs", json={"project_id": gil.project()["id"]}).json()
    state = _state(idle_client)
    with state.sessions() as session, session.begin():
        dead = jobs.claim_next(session, "dying-worker", 30, 3)
    assert dead is not None
    # It dies: no more heartbeats. Nobody else may take the job while the lease lasts.
    with state.sessions() as session, session.begin():
        assert jobs.claim_next(session, "other", 30, 3) is None
    with state.sessions() as session, session.begin():
        row = session.get(Job, dead.job_id)
        assert row is not None
        row.lease_expires_at = utcnow() - timedelta(seconds=1)
    assert work_once(state.sessions, state.storage, state.settings, "rescuer") == "completed"
    done = gil.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "completed" and done["attempts"] == 2, done
    assert any(f["name"].endswith(".mp4") for f in done["files"])
    # The dead worker coming back cannot touch the job, and nobody paid twice.
    with state.sessions() as session, session.begin():
        assert jobs.finish(session, dead) is None
        assert jobs.fail(session, dead, "late") is None
    assert gil.balance() == 2
    with state.sessions() as session:
        rows = session.scalars(
            select(CreditTransaction).where(CreditTransaction.job_id == dead.job_id)
        ).all()
        assert [r.type for r in rows] == ["deduction"]
    assert _check_ledger(idle_client, gil.user["id"]) == 2


def test_a_job_that_keeps_losing_workers_fails_and_refunds(idle_client: TestClient) -> None:
    hub = Api(idle_client, "hub@example.com")
    job = hub.post("/api/jobs", json={"project_id": hub.project()["id"]}).json()
    state = _state(idle_client)
    for n in range(2):
        with state.sessions() as session, session.begin():
            claim = jobs.claim_next(session, f"w{n}", 30, 2)
            assert claim is not None
            row = session.get(Job, claim.job_id)
            assert row is not None
            row.lease_expires_at = utcnow() - timedelta(seconds=1)
    with state.sessions() as session, session.begin():
        assert jobs.claim_next(session, "w9", 30, 2) is None
    done = hub.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "failed" and "gave up after 2 attempts" in done["error_message"]
    assert hub.balance() == 3


def test_blocked_projects_do_not_render(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    ivy = Api(idle_client, "ivy@example.com")
    project = ivy.project()
    listed = admin.get("/api/admin/projects").json()
    assert [p["id"] for p in listed["items"]] == [project["id"]]
    r = admin.post(
        f"/api/admin/projects/{project['id']}/moderate",
        json={"moderation": "blocked", "note": "spam"},
    )
    assert r.status_code == 200 and r.json()["moderation"] == "blocked"
    assert ivy.post("/api/jobs", json={"project_id": project["id"]}).status_code == 403
    assert ivy.get("/api/admin/projects").status_code == 403


def test_projects_may_only_pick_the_servers_backends(idle_client: TestClient) -> None:
    jay = Api(idle_client, "jay@example.com")
    spec = TINY_SPEC + "backends: {voice: elevenlabs}\n"
    r = jay.post("/api/projects", json={"spec": spec})  # refused when saved (test_backends.py)
    assert r.status_code == 403 and "voice backend 'elevenlabs'" in r.json()["detail"]
    assert jay.balance() == 3
    ok = TINY_SPEC + "backends: {voice: espeak}\n"
    assert jay.post("/api/jobs", json={"project_id": jay.project(ok)["id"]}).status_code == 201
