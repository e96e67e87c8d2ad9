"""A second user can neither see nor use the first user's channel, uploads, jobs or projects:
every such request answers 404 and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.publish.fake_youtube import FakeYouTube
from tests.server.youtube.conftest import Creator


def test_other_users_see_nothing(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    owner = creator("owner@example.com")
    owner.upgrade()
    owner.connect()
    job = owner.finished_job(tmp_path / "render")
    pid = job["project"]["id"]
    upload = owner.post("/api/youtube/upload", json={"job_id": job["id"]}).json()
    assert owner.wait_upload(upload["id"])["status"] == "published"
    other = creator("other@example.com")
    other.upgrade()

    attempts = [
        ("GET", "/api/youtube/connection", {}),
        ("DELETE", "/api/youtube/connection", {}),
        ("GET", f"/api/youtube/uploads/{upload['id']}", {}),
        ("POST", "/api/youtube/upload", {"json": {"job_id": job["id"]}}),
        ("GET", f"/api/youtube/autopublish/{pid}", {}),
        ("PUT", f"/api/youtube/autopublish/{pid}", {"json": {}}),
        ("DELETE", f"/api/youtube/autopublish/{pid}", {}),
    ]
    for method, url, kw in attempts:
        r = other.client.request(method, url, headers=other.headers, **kw)
        assert r.status_code == 404, (method, url, r.status_code, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    assert other.get("/api/youtube/uploads").json()["total"] == 0
    # Without a channel of their own, the owner's is not theirs to use.
    r = other.get("/api/youtube/playlists")
    assert r.status_code == 409 and "no YouTube channel is connected" in r.json()["detail"]
    own = other.finished_job(tmp_path / "other")
    r = other.post("/api/youtube/upload", json={"job_id": own["id"]})
    assert r.status_code == 409
    # The owner's channel and upload are as they were.
    assert owner.get("/api/youtube/connection").json()["status"] == "active"
    assert owner.get("/api/youtube/uploads").json()["total"] == 1
    assert fake.state.revoked == [] and len(fake.state.videos) == 1
