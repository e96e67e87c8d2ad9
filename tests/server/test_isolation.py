"""A second user can neither read, change, download nor delete the first user's projects,
jobs, assets or files: every such endpoint answers 404, and nothing changes."""

from __future__ import annotations

from collections.abc import Callable

from tests.server.conftest import Api, png_bytes


def test_other_users_see_nothing(api: Callable[[str], Api]) -> None:
    owner = api("owner@example.com")
    other = api("other@example.com")
    project = owner.project()
    pid = project["id"]
    asset = owner.post(f"/api/projects/{pid}/assets", files={"file": ("a.png", png_bytes())}).json()
    job = owner.post("/api/jobs", json={"project_id": pid}).json()
    done = owner.wait(job["id"])
    assert done["status"] == "completed"
    jid, aid = job["id"], asset["id"]
    film = next(f["name"] for f in done["files"] if f["name"].endswith(".mp4"))
    key = owner.post("/api/users/me/api-keys", json={"name": "k"}).json()

    attempts = [
        ("GET", f"/api/projects/{pid}", {}),
        ("PATCH", f"/api/projects/{pid}", {"json": {"spec": project["spec"]}}),
        ("DELETE", f"/api/projects/{pid}", {}),
        ("GET", f"/api/projects/{pid}/assets", {}),
        ("POST", f"/api/projects/{pid}/assets", {"files": {"file": ("b.png", png_bytes())}}),
        ("GET", f"/api/projects/{pid}/assets/{aid}", {}),
        ("DELETE", f"/api/projects/{pid}/assets/{aid}", {}),
        ("POST", "/api/jobs", {"json": {"project_id": pid}}),
        ("GET", f"/api/jobs/{jid}", {}),
        ("GET", f"/api/jobs/{jid}/status", {}),
        ("GET", f"/api/jobs/{jid}/logs", {}),
        ("GET", f"/api/jobs/{jid}/events", {}),
        ("POST", f"/api/jobs/{jid}/cancel", {}),
        ("GET", f"/api/jobs/{jid}/files/{film}", {}),
        ("DELETE", f"/api/users/me/api-keys/{key['id']}", {}),
    ]
    for method, url, kw in attempts:
        r = other.client.request(method, url, headers=other.headers, **kw)
        assert r.status_code == 404, (method, url, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    # Lists show only one's own things.
    assert other.get("/api/projects").json()["total"] == 0
    assert other.get("/api/jobs").json()["total"] == 0
    assert other.get("/api/users/me/api-keys").json() == []
    assert other.balance() == 3
    # Admin routes are closed to creators.
    for url in ("/api/admin/users", "/api/admin/projects"):
        assert other.get(url).status_code == 403
    r = other.post(
        "/api/admin/credits/adjust",
        json={"user_id": other.user["id"], "amount": 100, "reason": "free money"},
    )
    assert r.status_code == 403
    # The owner still has everything, unchanged.
    assert owner.get(f"/api/projects/{pid}").status_code == 200
    assert owner.get(f"/api/projects/{pid}/assets/{aid}").content == png_bytes()
    assert owner.get(f"/api/jobs/{jid}/files/{film}").status_code == 200
    assert len(owner.get("/api/users/me/api-keys").json()) == 1
    # Deleting the other account leaves the owner's data alone.
    assert other.delete("/api/users/me").status_code == 204
    assert owner.get(f"/api/jobs/{jid}").json()["status"] == "completed"


def test_uploads_are_checked_by_content_and_size(api: Callable[[str], Api]) -> None:
    owner = api("up@example.com")
    pid = owner.project()["id"]
    r = owner.post(
        f"/api/projects/{pid}/assets", files={"file": ("evil.png", b"<?php echo 1; ?>" * 4)}
    )
    assert r.status_code == 415 and "not a supported file" in r.json()["detail"]
    r = owner.post(
        f"/api/projects/{pid}/assets",
        files={"file": ("a.png", png_bytes())},
        data={"name": "../../etc/passwd"},
    )
    assert r.status_code == 422
    spec = "title: X\nduration: 10s\nscenes:\n  - background: /etc/hostname\n    shots:\n"
    spec += "      - narration: hi\n"
    r = owner.post("/api/projects", json={"spec": spec})
    assert r.status_code == 422 and "/etc/hostname" in r.json()["detail"]
    r = owner.post("/api/projects", json={"spec": "title: X\nscenes: 3\n"})
    assert r.status_code == 422 and r.json()["issues"][0]["line"] == 2
