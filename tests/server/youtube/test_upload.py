"""Publishing a finished job's film from the server: in the background, with every piece of
metadata, the thumbnail, a caption track per subtitle language and a playlist; once per film
per channel; errors that end an upload, and a dropped connection that does not."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.publish.fake_youtube import CHANNEL_ID, QUOTA_BODY, FakeYouTube
from tests.publish.films import CHUNK
from tests.server.youtube.conftest import SCHEDULED, Creator, fable_upload

from aifilm.server.models import Asset, Job


def test_publish_a_finished_film(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    alice = creator("alice@example.com")
    alice.upgrade("pro")
    alice.connect()
    folder = tmp_path / "render"
    job = alice.finished_job(folder)
    request = fable_upload(job["id"], playlist="Fables", create_playlist=True)
    r = alice.post("/api/youtube/upload", json=request)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending" and r.json()["channel_id"] == CHANNEL_ID
    done = alice.wait_upload(r.json()["id"])
    assert done["status"] == "published", done
    assert done["progress"] == 100.0 and done["error_message"] is None
    video_id = done["video_id"]
    assert done["url"] == f"https://www.youtube.com/watch?v={video_id}"
    assert done["uploaded_at"] and done["completed_at"] and done["attempts"] == 1
    assert done["result"]["captions"] == ["en", "hi"] and done["result"]["thumbnail"] is True

    video = fake.state.videos[video_id]
    snippet, status = video["snippet"], video["status"]
    assert snippet["title"] == "The Thirsty Crow" and snippet["tags"] == ["fable", "crow"]
    assert snippet["categoryId"] == "27" and snippet["defaultLanguage"] == "en"
    assert re.fullmatch(r"A fable\.\n\naifilm:sha256=[0-9a-f]{64}", snippet["description"])
    assert status["privacyStatus"] == "private" and status["selfDeclaredMadeForKids"] is True
    assert status["publishAt"] == "2031-01-31T18:00:00.000Z"
    assert fake.state.video_bytes[video_id] == (folder / "the-crow.mp4").read_bytes()
    assert fake.state.thumbnails[video_id][0] == "image/png"
    captions = {c["snippet"]["language"]: c["data"] for c in fake.state.captions}
    assert captions["hi"] == (folder / "the-crow.hi.srt").read_bytes()
    assert set(captions) == {"en", "hi"}
    [playlist] = fake.state.playlists
    assert playlist["snippet"]["title"] == "Fables" and done["playlist_id"] == playlist["id"]
    assert any(
        i["snippet"]["playlistId"] == playlist["id"]
        and i["snippet"]["resourceId"]["videoId"] == video_id
        for i in fake.state.playlist_items
    )

    # The same film again, from the same job or another one: the same upload, nothing sent.
    r = alice.post("/api/youtube/upload", json=request)
    assert r.status_code == 200 and r.json()["id"] == done["id"]
    twin = alice.finished_job(tmp_path / "twin", film=(folder / "the-crow.mp4").read_bytes())
    r = alice.post("/api/youtube/upload", json={**request, "job_id": twin["id"]})
    assert r.status_code == 200 and r.json()["id"] == done["id"]
    assert len(fake.state.videos) == 1 and len(fake.state.sessions) == 1
    listed = alice.get("/api/youtube/uploads").json()
    assert listed["total"] == 1 and listed["items"][0]["video_id"] == video_id
    assert alice.get("/api/youtube/uploads", params={"status": "failed"}).json()["total"] == 0


def test_metadata_and_jobs_are_checked_before_anything_is_queued(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    bob = creator("bob@example.com")
    bob.upgrade()
    job = bob.finished_job(tmp_path / "render")
    r = bob.post("/api/youtube/upload", json={"job_id": job["id"]})
    assert r.status_code == 409 and "no YouTube channel is connected" in r.json()["detail"]
    bob.connect()
    r = bob.post("/api/youtube/upload", json={"job_id": job["id"], "title": "x" * 101})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["field"] == "title" and problem["title"] == "Invalid video metadata"
    assert "101 characters; YouTube allows 100" in problem["detail"]
    r = bob.post("/api/youtube/upload", json={"job_id": job["id"], "title": "Crow <3>"})
    assert r.status_code == 422 and "'<' and '>'" in r.json()["detail"]
    r = bob.post(
        "/api/youtube/upload",
        json={"job_id": job["id"], "privacy": "public", "publish_at": SCHEDULED},
    )
    assert r.status_code == 422 and r.json()["field"] == "publish_at"
    r = bob.post("/api/youtube/upload", json={"job_id": job["id"], "thumbnail": "cover.png"})
    assert r.status_code == 422 and "no uploaded image 'cover.png'" in r.json()["detail"]
    r = bob.post("/api/youtube/upload", json={"job_id": str(uuid.uuid4())})
    assert r.status_code == 404 and r.json()["detail"] == "job not found"
    with bob.state.sessions() as session, session.begin():
        session.get(Job, uuid.UUID(job["id"])).status = "running"  # type: ignore[union-attr]
    r = bob.post("/api/youtube/upload", json={"job_id": job["id"]})
    assert r.status_code == 409 and "once its render has completed" in r.json()["detail"]
    assert bob.get("/api/youtube/uploads").json()["total"] == 0
    assert fake.api_calls("/upload/") == []


def test_a_refused_token_fails_the_upload_and_asks_to_connect_again(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    carol = creator("carol@example.com")
    carol.upgrade()
    carol.connect()
    job = carol.finished_job(tmp_path / "render")
    fake.state.reject_next_tokens = 2  # 401, and 401 again after refreshing: revoked
    r = carol.post("/api/youtube/upload", json={"job_id": job["id"]})
    done = carol.wait_upload(r.json()["id"])
    assert done["status"] == "failed" and done["video_id"] is None
    assert "YouTube answered 401" in done["error_message"]
    assert "connected again (GET /api/youtube/auth)" in done["error_message"]
    connection = carol.get("/api/youtube/connection").json()
    assert connection["status"] == "reauth" and "401" in connection["last_error"]
    r = carol.post("/api/youtube/upload", json={"job_id": job["id"]})
    assert r.status_code == 409 and r.json()["needs_reauth"] is True
    # Connecting again clears it, and asking again retries the failed upload.
    carol.connect()
    r = carol.post("/api/youtube/upload", json={"job_id": job["id"]})
    assert r.status_code == 202 and r.json()["id"] == done["id"]
    assert carol.wait_upload(done["id"])["status"] == "published"


def test_quota_exceeded_fails_with_a_clear_message(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    dana = creator("dana@example.com")
    dana.upgrade()
    dana.connect()
    job = dana.finished_job(tmp_path / "render")
    fake.fail("/upload/youtube/v3/videos", 403, QUOTA_BODY)
    r = dana.post("/api/youtube/upload", json={"job_id": job["id"]})
    done = dana.wait_upload(r.json()["id"])
    assert done["status"] == "failed"
    assert (
        "quotaExceeded" in done["error_message"] and "daily YouTube quota" in done["error_message"]
    )
    assert "midnight Pacific time" in done["error_message"]
    assert dana.get("/api/youtube/connection").json()["status"] == "active"
    # Asked again the same day: refused before anything is sent.
    sent = len(fake.api_calls("/upload/"))
    dana.post("/api/youtube/upload", json={"job_id": job["id"]})
    again = dana.wait_upload(done["id"])
    assert again["status"] == "failed" and "videos.insert" in again["error_message"]
    assert len(fake.api_calls("/upload/")) == sent


def test_a_dropped_connection_resumes_from_the_right_byte_in_a_later_attempt(
    creator: Callable[[str], Creator],
    fake: FakeYouTube,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AIFILM_YOUTUBE_MAX_RETRIES", "0")  # a lost connection ends the attempt
    erin = creator("erin@example.com")
    erin.upgrade()
    erin.connect()
    folder = tmp_path / "render"
    job = erin.finished_job(folder)
    size = (folder / "the-crow.mp4").stat().st_size
    fake.state.granule = 1024
    partial = CHUNK // 2 + 300
    fake.state.drop_put_after = partial  # the first chunk is cut off mid-way
    r = erin.post("/api/youtube/upload", json={"job_id": job["id"]})
    done = erin.wait_upload(r.json()["id"])
    assert done["status"] == "published", done
    assert done["attempts"] == 2  # the first attempt lost the connection, the second resumed
    kept = partial // 1024 * 1024
    ranges = [p["range"] for p in fake.state.puts]
    assert ranges[0] == f"bytes 0-{CHUNK - 1}/{size}" and fake.state.puts[0]["dropped"]
    assert ranges[1] == f"bytes */{size}"  # where does it stand?
    assert ranges[2] == f"bytes {kept}-{kept + CHUNK - 1}/{size}"
    assert len(fake.state.sessions) == 1  # the same upload session, continued
    assert fake.state.video_bytes[done["video_id"]] == (folder / "the-crow.mp4").read_bytes()
    assert fake.state.upload_bytes_received == size + partial - kept
    assert done["result"]["upload"]["resumed_from"] == [kept]


def test_an_upload_whose_worker_died_is_taken_over(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    from datetime import timedelta

    from aifilm.server.models import YoutubeUpload, utcnow

    gus = creator("gus@example.com")
    gus.upgrade()
    gus.connect()
    job = gus.finished_job(tmp_path / "render")
    with gus.state.sessions() as session, session.begin():
        # What a worker that died mid-upload leaves: its lease ran out a while ago.
        film_sha = session.scalars(
            select(Asset.sha256).where(Asset.job_id == uuid.UUID(job["id"]), Asset.kind == "video")
        ).one()
        session.add(
            YoutubeUpload(
                user_id=uuid.UUID(gus.user["id"]),
                project_id=uuid.UUID(job["project"]["id"]),
                job_id=uuid.UUID(job["id"]),
                channel_id=CHANNEL_ID,
                sha256=film_sha,
                request={"title": "Taken Over"},
                record={},
                upload_status="uploading",
                attempts=1,
                worker_id="thread-dead-worker",
                lease_expires_at=utcnow() - timedelta(seconds=1),
            )
        )
    [upload] = gus.get("/api/youtube/uploads").json()["items"]
    done = gus.wait_upload(upload["id"])
    assert done["status"] == "published" and done["attempts"] == 2
    assert fake.state.videos[done["video_id"]]["snippet"]["title"] == "Taken Over"
