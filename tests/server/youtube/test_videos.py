"""Changing a video published through aifilm: only the parts asked about are sent, whole
(YouTube resets what a part leaves out), with the upload rules, the quota counted; another
account's video does not exist."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.publish.fake_youtube import CLIENT_ID, FakeYouTube
from tests.server.youtube.conftest import Creator, fable_upload

from aifilm.publish.youtube.quota import pacific_day
from aifilm.server.models import YoutubeQuota


def published(creator: Creator, folder: Path) -> dict[str, Any]:
    job = creator.finished_job(folder)
    r = creator.post("/api/youtube/upload", json=fable_upload(job["id"]))
    done = creator.wait_upload(r.json()["id"])
    assert done["status"] == "published", done
    return done


def units(creator: Creator) -> int:
    with creator.state.sessions() as session:
        row = session.get(YoutubeQuota, (CLIENT_ID, pacific_day(), "units"))
        return row.used if row else 0


def test_update_title_tags_then_privacy(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    alice = creator("alice@example.com")
    alice.upgrade()
    alice.connect()
    done = published(alice, tmp_path / "render")
    video_id = done["video_id"]
    footer = fake.state.videos[video_id]["snippet"]["description"].split("\n\n")[-1]
    spent = units(alice)

    r = alice.post(
        f"/api/youtube/videos/{video_id}/update",
        json={"title": "The Clever Crow", "tags": ["fable"]},
    )
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["title"] == "The Clever Crow" and answer["tags"] == ["fable"]
    assert answer["description"] == "A fable." and answer["privacy"] == "private"
    assert answer["url"] == f"https://www.youtube.com/watch?v={video_id}"
    [update] = fake.state.video_updates
    assert update["part"] == "snippet"  # the status was not touched
    snippet = fake.state.videos[video_id]["snippet"]
    assert snippet["title"] == "The Clever Crow" and snippet["tags"] == ["fable"]
    assert snippet["categoryId"] == "27" and snippet["defaultLanguage"] == "en"  # kept
    assert snippet["description"] == f"A fable.\n\n{footer}"  # the film's mark stays
    status = fake.state.videos[video_id]["status"]
    assert status["publishAt"] == "2031-01-31T18:00:00.000Z"
    assert status["selfDeclaredMadeForKids"] is True
    assert units(alice) == spent + 1 + 50  # videos.list + videos.update
    upload = alice.get(f"/api/youtube/uploads/{done['id']}").json()
    assert upload["request"]["title"] == "The Clever Crow"

    # Public while a schedule stands: refused, saying how to drop the schedule.
    r = alice.post(f"/api/youtube/videos/{video_id}/update", json={"privacy": "public"})
    assert r.status_code == 422 and r.json()["field"] == "publish_at"
    assert '"publish_at": null to drop the schedule' in r.json()["detail"]
    assert len(fake.state.video_updates) == 1
    r = alice.post(
        f"/api/youtube/videos/{video_id}/update",
        json={"privacy": "public", "publish_at": None, "made_for_kids": False},
    )
    assert r.status_code == 200, r.text
    assert fake.state.video_updates[-1]["part"] == "status"
    status = fake.state.videos[video_id]["status"]
    assert status["privacyStatus"] == "public" and "publishAt" not in status
    assert status["selfDeclaredMadeForKids"] is False
    assert fake.state.videos[video_id]["snippet"]["title"] == "The Clever Crow"
    assert r.json()["publish_at"] is None and r.json()["made_for_kids"] is False


def test_bad_updates_and_other_accounts_videos(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    bob = creator("bob@example.com")
    bob.upgrade()
    bob.connect()
    video_id = published(bob, tmp_path / "render")["video_id"]
    url = f"/api/youtube/videos/{video_id}/update"
    calls = len(fake.state.requests)
    r = bob.post(url, json={"title": "x" * 101})
    assert r.status_code == 422 and r.json()["field"] == "title"
    assert "101 characters; YouTube allows 100" in r.json()["detail"]
    r = bob.post(url, json={"description": "a <b> c"})
    assert r.status_code == 422 and r.json()["field"] == "description"
    r = bob.post(url, json={"category_id": "film"})
    assert r.status_code == 422 and "use a number such as 1" in r.json()["detail"]
    r = bob.post(url, json={})
    assert r.status_code == 422 and "nothing to update" in r.json()["detail"]
    r = bob.post(url, json={"privacy": "secret"})
    assert r.status_code == 422
    r = bob.post(url, json={"publish_at": "2001-01-01T00:00:00Z"})
    assert r.status_code == 422 and "is not in the future" in r.json()["detail"]
    assert len(fake.state.requests) == calls  # none of it reached YouTube

    eve = creator("eve@example.com")
    eve.upgrade()
    eve.connect()  # the same fake channel, even
    r = eve.post(url, json={"title": "Mine now"})
    assert r.status_code == 404 and video_id in r.json()["detail"]
    r = bob.post("/api/youtube/videos/nosuchvideo/update", json={"title": "T"})
    assert r.status_code == 404
    # Deleted on YouTube since: a clear 404, nothing updated.
    del fake.state.videos[video_id]
    r = bob.post(url, json={"title": "Gone"})
    assert r.status_code == 404 and "no longer on the channel" in r.json()["detail"]
    assert fake.state.video_updates == []
