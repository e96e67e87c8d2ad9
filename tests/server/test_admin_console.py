"""The admin console's endpoints on SQLite and PostgreSQL: user search and details,
suspension (no sign-in, no keys, no refresh, renders cancelled and refunded), project
moderation and removal, the jobs and failures lists; refused to non-admins."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api

from aifilm.server.models import Job, Project, utcnow
from aifilm.server.state import ServerState


def _state(client: TestClient) -> ServerState:
    return client.app.state.aifilm  # type: ignore[attr-defined,no-any-return]


def test_non_admins_are_refused_everywhere(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    hal = Api(idle_client, "hal@example.com")
    uid = hal.user["id"]
    for method, path, body in (
        ("GET", "/api/admin/users", None),
        ("GET", f"/api/admin/users/{uid}", None),
        ("POST", f"/api/admin/users/{uid}/suspend", {"reason": "spam"}),
        ("POST", f"/api/admin/users/{admin.user['id']}/unsuspend", None),
        ("GET", "/api/admin/jobs", None),
        ("GET", "/api/admin/failures", None),
        ("DELETE", f"/api/admin/projects/{uuid.uuid4()}", None),
    ):
        r = hal.client.request(method, path, headers=hal.headers, json=body)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["detail"] == "this needs an admin account"
    assert admin.get(f"/api/admin/users/{uid}").json()["is_active"] is True


def test_suspension_locks_the_account_out_and_refunds_its_renders(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    eve = Api(idle_client, "eve@example.com")
    key = eve.post("/api/users/me/api-keys", json={"name": "ci"}).json()["key"]
    job = eve.post("/api/jobs", json={"project_id": eve.project()["id"]}).json()
    assert eve.balance() == 2  # 3 granted, 1 charged

    r = admin.post(f"/api/admin/users/{eve.user['id']}/suspend", json={"reason": "chargeback"})
    assert r.status_code == 200, r.text
    assert r.json()["is_active"] is False and r.json()["suspension_reason"] == "chargeback"
    assert r.json()["suspended_at"] is not None

    # no sign-in, no API key, no access token, no refresh
    r = idle_client.post(
        "/api/users/login", json={"email": "eve@example.com", "password": "correct horse"}
    )
    assert r.status_code == 403 and "disabled" in r.json()["detail"]
    r = idle_client.get("/api/projects", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 403
    assert eve.get("/api/users/me").status_code == 403
    r = idle_client.post("/api/users/refresh", json={"refresh_token": eve.tokens["refresh_token"]})
    assert r.status_code == 401

    # the queued render was cancelled and its credit given back
    detail = admin.get(f"/api/admin/users/{eve.user['id']}").json()
    assert (detail["jobs"], detail["projects"]) == (1, 1)
    assert [t["type"] for t in detail["transactions"]][:2] == ["refund", "deduction"]
    assert detail["credit_balance"] == 3
    with _state(idle_client).sessions() as s:
        stored = s.get(Job, uuid.UUID(job["id"]))
        assert stored is not None and stored.status == "cancelled" and stored.refunded

    found = admin.get("/api/admin/users", params={"status": "suspended"}).json()
    assert [u["email"] for u in found["items"]] == ["eve@example.com"]
    assert admin.get("/api/admin/users", params={"status": "active"}).json()["total"] == 1

    # an admin cannot lock themselves out
    r = admin.post(f"/api/admin/users/{admin.user['id']}/suspend", json={"reason": "oops"})
    assert r.status_code == 409
    r = admin.patch(f"/api/admin/users/{admin.user['id']}", json={"is_active": False})
    assert r.status_code == 409

    r = admin.post(f"/api/admin/users/{eve.user['id']}/unsuspend")
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert r.json()["suspended_at"] is None
    again = Api.__new__(Api)
    r = idle_client.post(
        "/api/users/login", json={"email": "eve@example.com", "password": "correct horse"}
    )
    assert r.status_code == 200
    again.client, again.headers = idle_client, {"Authorization": f"Bearer {key}"}
    assert again.get("/api/projects").status_code == 200


def test_patch_is_active_false_suspends_too(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    mal = Api(idle_client, "mal@example.com")
    r = admin.patch(f"/api/admin/users/{mal.user['id']}", json={"is_active": False})
    assert r.status_code == 200 and r.json()["suspended_at"] is not None
    r = idle_client.post("/api/users/refresh", json={"refresh_token": mal.tokens["refresh_token"]})
    assert r.status_code == 401


def test_search_filters_and_adjusts_with_a_reason(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    Api(idle_client, "zoe@example.com")
    bo = Api(idle_client, "bo@example.com")
    admin.post(f"/api/admin/users/{bo.user['id']}/plan", json={"plan": "pro"})
    pro = admin.get("/api/admin/users", params={"plan": "pro"}).json()["items"]
    assert [u["email"] for u in pro] == ["bo@example.com"]
    assert admin.get("/api/admin/users", params={"role": "admin"}).json()["total"] == 1
    assert admin.get("/api/admin/users", params={"q": "ZOE"}).json()["total"] == 1
    r = admin.post(
        "/api/admin/credits/adjust",
        json={"user_id": bo.user["id"], "amount": -5, "reason": "double grant"},
    )
    assert r.status_code == 201
    detail = admin.get(f"/api/admin/users/{bo.user['id']}").json()
    assert detail["transactions"][0]["description"] == "double grant"
    assert detail["credit_balance"] == 60 - 5
    assert admin.get(f"/api/admin/users/{uuid.uuid4()}").status_code == 404


def test_moderation_blocks_renders_and_publishing(idle_client: TestClient) -> None:
    from aifilm.server.youtube.queue import checked_request
    from aifilm.server.youtube.schemas import UploadOptions as Options

    admin = Api(idle_client, "admin@example.com")
    ann = Api(idle_client, "ann@example.com")
    project = ann.project()
    r = admin.post(
        f"/api/admin/projects/{project['id']}/moderate",
        json={"moderation": "blocked", "note": "copyrighted music"},
    )
    assert r.status_code == 200 and r.json()["moderation"] == "blocked"
    r = ann.post("/api/jobs", json={"project_id": project["id"]})
    assert r.status_code == 403 and "blocked" in r.json()["detail"]
    with _state(idle_client).sessions() as s:
        stored = s.get(Project, uuid.UUID(project["id"]))
        from aifilm.server.errors import Problem

        with pytest.raises(Problem, match="copyrighted music") as refused:
            checked_request(s, stored, Options(), "A film")  # type: ignore[arg-type]
        assert refused.value.status == 403
    listed = admin.get("/api/admin/projects", params={"moderation": "blocked"}).json()
    assert [p["id"] for p in listed["items"]] == [project["id"]]
    assert admin.get("/api/admin/projects", params={"q": "tiny"}).json()["total"] == 1


def test_removing_a_project_refunds_its_render_and_deletes_its_files(
    idle_client: TestClient,
) -> None:
    from tests.server.conftest import png_bytes

    admin = Api(idle_client, "admin@example.com")
    ann = Api(idle_client, "ann@example.com")
    project = ann.project()
    r = ann.post(
        f"/api/projects/{project['id']}/assets",
        files={"file": ("a.png", png_bytes(), "image/png")},
    )
    assert r.status_code == 201, r.text
    ann.post("/api/jobs", json={"project_id": project["id"]})
    assert ann.balance() == 2
    root = _state(idle_client).settings.data_dir

    def files() -> list[object]:
        return [p for p in root.rglob("*") if project["id"] in str(p) and p.is_file()]

    assert files()
    assert admin.delete(f"/api/admin/projects/{project['id']}").status_code == 204
    assert ann.get(f"/api/projects/{project['id']}").status_code == 404
    assert ann.balance() == 3
    assert admin.delete(f"/api/admin/projects/{project['id']}").status_code == 404
    assert files() == []


def test_jobs_and_failures(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    ann = Api(idle_client, "ann@example.com")
    admin.post(f"/api/admin/users/{ann.user['id']}/plan", json={"plan": "pro"})
    project = ann.project()
    ids = [
        ann.post(
            "/api/jobs", json={"project_id": project["id"], "length_seconds": 10.0 + i}
        ).json()["id"]
        for i in range(4)
    ]
    with _state(idle_client).sessions() as s:
        for job_id, error in zip(
            ids[:3], ["voice: timed out", "voice: timed out", "<b>x</b>"], strict=True
        ):
            job = s.get(Job, uuid.UUID(job_id))
            assert job is not None
            job.status, job.error_message, job.completed_at = "failed", error, utcnow()
        s.commit()
    failed = admin.get("/api/admin/jobs", params={"status": "failed"}).json()
    assert failed["total"] == 3
    item = failed["items"][0]
    assert item["user_email"] == "ann@example.com" and item["project_title"] == "Tiny Film"
    assert admin.get("/api/admin/jobs", params={"q": "<b>"}).json()["total"] == 1
    assert admin.get("/api/admin/jobs", params={"user_id": ann.user["id"]}).json()["total"] == 4
    groups = admin.get("/api/admin/failures").json()
    assert [(g["error"], g["count"]) for g in groups] == [("voice: timed out", 2), ("<b>x</b>", 1)]
    r = admin.post(f"/api/admin/jobs/{ids[3]}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert admin.post(f"/api/admin/jobs/{ids[3]}/cancel").status_code == 409
