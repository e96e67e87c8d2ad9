"""Following an upload live (server-sent events), and account deletion revoking the
channel's token at Google."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.publish.fake_youtube import FakeYouTube
from tests.server.youtube.conftest import Creator

from aifilm.server.models import YoutubeConnection
from aifilm.server.youtube.tokens import decrypt


def events_of(creator: Creator, upload_id: str) -> list[tuple[str, dict[str, object]]]:
    with creator.client.stream(
        "GET",
        f"/api/youtube/uploads/{upload_id}/events",
        headers=creator.headers,
        params={"interval": 0.05},
    ) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    blocks = [b.splitlines() for b in text.split("\n\n") if b.startswith("event:")]
    return [(b[0].split(": ", 1)[1], json.loads(b[-1].split(": ", 1)[1])) for b in blocks]


def test_upload_progress_as_server_sent_events(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    ann = creator("ann@example.com")
    ann.upgrade()
    ann.connect()
    job = ann.finished_job(tmp_path / "render")
    upload = ann.post("/api/youtube/upload", json={"job_id": job["id"]}).json()
    events = events_of(ann, upload["id"])
    kinds = [kind for kind, _ in events]
    assert kinds[-2:] == ["progress", "end"] and kinds.count("end") == 1
    progress = [data["progress"] for kind, data in events if kind == "progress"]
    assert progress == sorted(progress)  # never goes back
    end = events[-1][1]
    assert end["status"] == "published" and end["progress"] == 100.0
    assert end["video_id"] in fake.state.videos
    assert end["url"] == f"https://www.youtube.com/watch?v={end['video_id']}"
    # Once it is over, a new stream says so at once.
    assert [kind for kind, _ in events_of(ann, upload["id"])] == ["progress", "end"]
    other = Creator(ann.client, "other@example.com")
    r = other.get(f"/api/youtube/uploads/{upload['id']}/events")
    assert r.status_code == 404


def test_deleting_the_account_revokes_the_channel_token(
    creator: Callable[[str], Creator], fake: FakeYouTube
) -> None:
    kim = creator("kim@example.com")
    kim.upgrade()
    kim.connect()
    with kim.state.sessions() as session:
        stored = session.query(YoutubeConnection).one().refresh_token
    token = decrypt(kim.state.settings, stored)
    assert token in fake.state.refresh_tokens
    assert kim.delete("/api/users/me").status_code == 204
    assert token in fake.state.revoked and token not in fake.state.refresh_tokens
    with kim.state.sessions() as session:
        assert session.query(YoutubeConnection).count() == 0


@pytest.mark.parametrize("failure", ["refused", "unreachable"])
def test_a_failed_revocation_does_not_block_the_deletion(
    creator: Callable[[str], Creator],
    fake: FakeYouTube,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    lee = creator("lee@example.com")
    lee.upgrade()
    channel = lee.connect()["channel_id"]
    if failure == "refused":
        fake.state.refresh_tokens.clear()  # Google no longer knows the token: 400
    else:
        fake.__exit__(None, None, None)  # Google cannot be reached
    with caplog.at_level(logging.WARNING, logger="aifilm.server.youtube"):
        assert lee.delete("/api/users/me").status_code == 204
    assert fake.state.revoked == []
    warned = [r.getMessage() for r in caplog.records if r.name == "aifilm.server.youtube"]
    assert any("did not confirm the revocation" in m and channel in m for m in warned), warned
    with lee.state.sessions() as session:
        assert session.query(YoutubeConnection).count() == 0
    r = lee.post("/api/users/login", json={"email": "lee@example.com", "password": "correct horse"})
    assert r.status_code == 401
