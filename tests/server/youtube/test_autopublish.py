"""A project that publishes automatically: its render finishes and the film goes to the
channel by itself, titled as the project, with a caption track per subtitle language."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.publish.fake_youtube import FakeYouTube
from tests.server.conftest import TINY_SPEC
from tests.server.youtube.conftest import Creator

SPEC = TINY_SPEC.replace(
    "output: {resolution: 160x90, fps: 12, quality: draft}",
    "output: {resolution: 160x90, fps: 12, quality: draft, subtitles: {languages: [en, hi]}}",
).replace(
    "      - narration: Hello there.\n",
    "      - narration: Hello there.\n        translations: {hi: नमस्ते।}\n",
)


def test_every_finished_film_is_published(
    creator: Callable[[str], Creator], fake: FakeYouTube
) -> None:
    alice = creator("alice@example.com")
    alice.upgrade("standard")
    project = alice.project(SPEC)
    pid = project["id"]
    options = {"privacy": "unlisted", "tags": ["tiny"], "playlist": "Tiny", "create_playlist": True}
    r = alice.client.put(f"/api/youtube/autopublish/{pid}", headers=alice.headers, json=options)
    assert r.status_code == 409 and "connect one" in r.json()["detail"]
    alice.connect()
    r = alice.client.put(f"/api/youtube/autopublish/{pid}", headers=alice.headers, json=options)
    assert r.status_code == 200, r.text
    assert alice.get(f"/api/youtube/autopublish/{pid}").json()["enabled"] is True

    job = alice.post("/api/jobs", json={"project_id": pid}).json()
    assert alice.wait(job["id"])["status"] == "completed"
    deadline = time.monotonic() + 60
    while not (uploads := alice.get("/api/youtube/uploads").json()["items"]):
        assert time.monotonic() < deadline, "no upload was queued"
        time.sleep(0.1)
    done = alice.wait_upload(uploads[0]["id"])
    assert done["status"] == "published", done
    assert done["automatic"] is True and done["job_id"] == job["id"]
    video = fake.state.videos[done["video_id"]]
    assert video["snippet"]["title"] == "Tiny Film" and video["snippet"]["tags"] == ["tiny"]
    assert video["status"]["privacyStatus"] == "unlisted"
    film = alice.get(f"/api/jobs/{job['id']}/files/tiny-film.mp4").content
    assert fake.state.video_bytes[done["video_id"]] == film
    assert {c["snippet"]["language"] for c in fake.state.captions} == {"en", "hi"}
    assert done["video_id"] in fake.state.thumbnails
    assert [p["snippet"]["title"] for p in fake.state.playlists] == ["Tiny"]
    logs = alice.get(f"/api/jobs/{job['id']}/logs", params={"limit": 100}).json()["items"]
    assert any("auto-publish to YouTube queued" in line["message"] for line in logs)

    # Turned off: the next film stays home.
    r = alice.client.delete(f"/api/youtube/autopublish/{pid}", headers=alice.headers)
    assert r.status_code == 200 and r.json() == {"enabled": False, "options": None}
    job = alice.post("/api/jobs", json={"project_id": pid, "length_seconds": 11}).json()
    assert alice.wait(job["id"])["status"] == "completed"
    assert alice.get("/api/youtube/uploads").json()["total"] == 1


def test_auto_publish_without_a_channel_says_why_in_the_job_log(
    creator: Callable[[str], Creator], fake: FakeYouTube
) -> None:
    bob = creator("bob@example.com")
    bob.upgrade()
    bob.connect()
    pid = bob.project()["id"]
    r = bob.client.put(f"/api/youtube/autopublish/{pid}", headers=bob.headers, json={})
    assert r.status_code == 200
    assert bob.delete("/api/youtube/connection").status_code == 200
    job = bob.post("/api/jobs", json={"project_id": pid}).json()
    assert bob.wait(job["id"])["status"] == "completed"  # the render itself is unaffected
    logs = bob.get(f"/api/jobs/{job['id']}/logs", params={"limit": 100}).json()["items"]
    skipped = [line for line in logs if "auto-publish" in line["message"]]
    assert skipped and skipped[0]["level"] == "warning"
    assert "skipped: no YouTube channel is connected" in skipped[0]["message"]
    assert bob.get("/api/youtube/uploads").json()["total"] == 0 and fake.state.videos == {}
