"""The server counts the YouTube quota in the database: one count for every worker of every
machine, charged under a row lock, so concurrent calls add up exactly and a call that would
pass the daily quota is refused before it is sent."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from tests.publish.fake_youtube import CLIENT_ID, FakeYouTube
from tests.server.youtube.conftest import Creator

from aifilm.publish.youtube import QuotaError, YouTubeSettings
from aifilm.publish.youtube.quota import COSTS, PACIFIC, pacific_day
from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.db import make_engine, make_sessionmaker
from aifilm.server.models import YoutubeQuota
from aifilm.server.youtube.quota import DatabaseQuotaLedger

# What each request the fake received is, in the quota table's terms.
API_METHODS = {
    ("GET", "/youtube/v3/channels"): "channels.list",
    ("GET", "/youtube/v3/playlistItems"): "playlistItems.list",
    ("POST", "/youtube/v3/playlistItems"): "playlistItems.insert",
    ("GET", "/youtube/v3/playlists"): "playlists.list",
    ("POST", "/youtube/v3/playlists"): "playlists.insert",
    ("POST", "/upload/youtube/v3/videos"): "videos.insert",
    ("POST", "/upload/youtube/v3/thumbnails/set"): "thumbnails.set",
    ("POST", "/upload/youtube/v3/captions"): "captions.insert",
    ("GET", "/youtube/v3/videos"): "videos.list",
    ("PUT", "/youtube/v3/videos"): "videos.update",
}


def sent_costs(fake: FakeYouTube) -> dict[str, int]:
    """What the requests YouTube received cost, by bucket (videos.insert has its own)."""
    spent: dict[str, int] = {}
    for method, target in fake.state.requests:
        name = API_METHODS.get((method, urlsplit(target).path))
        if name is None:  # OAuth, and the resumable upload's PUTs (part of videos.insert)
            continue
        bucket, cost = (name, 1) if name == "videos.insert" else ("units", COSTS[name])
        spent[bucket] = spent.get(bucket, 0) + cost
    return spent


def quota_rows(creator: Creator) -> dict[str, int]:
    with creator.state.sessions() as session:
        rows = session.query(YoutubeQuota).filter_by(account=CLIENT_ID, day=pacific_day())
        return {row.bucket: row.used for row in rows}


def test_concurrent_charges_add_up_and_stop_at_the_limit(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    settings = YouTubeSettings(data_dir=tmp_path, youtube_daily_quota=2000)
    ledgers = [DatabaseQuotaLedger(sessions, "client-a", settings) for _ in range(8)]
    refused: list[QuotaError] = []
    start = threading.Barrier(len(ledgers))

    def spend(ledger: DatabaseQuotaLedger) -> None:
        start.wait()
        for _ in range(10):  # 8 x 10 x 50 = 4000 units asked for, 2000 there
            try:
                ledger.charge("playlists.insert")
            except QuotaError as exc:
                refused.append(exc)

    threads = [threading.Thread(target=spend, args=(ledger,)) for ledger in ledgers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledgers[0].used() == {"units": 2000}  # exactly 40 charges of 50, none lost
    assert len(refused) == 40
    assert "playlists.insert costs 50 of today's 2000 units; 2000 are spent, 0 left" in str(
        refused[0]
    )
    assert "midnight Pacific time" in (refused[0].hint or "")
    # Another OAuth client has a budget of its own; tomorrow starts from nothing.
    other = DatabaseQuotaLedger(sessions, "client-b", settings)
    other.charge("videos.insert")
    assert other.used() == {"videos.insert": 1}
    tomorrow = datetime(2099, 1, 1, 12, tzinfo=PACIFIC)
    assert DatabaseQuotaLedger(sessions, "client-a", settings, clock=lambda: tomorrow).used() == {}
    # quotaExceeded from YouTube: nothing more is tried today.
    other.exhaust("channels.list")
    with pytest.raises(QuotaError, match="2000 are spent, 0 left"):
        other.charge("channels.list")
    engine.dispose()


def test_two_concurrent_uploads_are_both_counted(
    yt_settings: Callable[..., ServerSettings], fake: FakeYouTube, tmp_path: Path
) -> None:
    settings = yt_settings(worker_threads=2)
    with TestClient(create_app(settings)) as client:
        ann = Creator(client, "ann@example.com")
        ann.upgrade()
        ann.connect()
        jobs = [ann.finished_job(tmp_path / name) for name in ("one", "two")]
        assert quota_rows(ann) == {"units": 1}  # connecting read the channel
        ids = []
        for job in jobs:
            r = ann.post(
                "/api/youtube/upload",
                json={"job_id": job["id"], "playlist": "Both", "create_playlist": True},
            )
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        done = [ann.wait_upload(upload_id) for upload_id in ids]
        assert [d["status"] for d in done] == ["published", "published"], done
        assert len(fake.state.videos) == 2
        spent = quota_rows(ann)
        assert spent == sent_costs(fake)  # every call YouTube got, counted once
        assert spent["videos.insert"] == 2 and spent["units"] > 2 * (50 + 2 * 400)
    assert not (settings.data_dir / "youtube" / "youtube-quota.json").exists()


def _fill(creator: Creator, bucket: str, used: int) -> None:
    with creator.state.sessions() as session, session.begin():
        session.merge(YoutubeQuota(account=CLIENT_ID, day=pacific_day(), bucket=bucket, used=used))


def test_a_call_that_would_pass_the_quota_is_refused_before_it_is_sent(
    creator: Callable[[str], Creator], fake: FakeYouTube, tmp_path: Path
) -> None:
    bea = creator("bea@example.com")
    bea.upgrade()
    bea.connect()
    job = bea.finished_job(tmp_path / "render")
    _fill(bea, "units", 10_000 - 100)  # a thumbnail and two caption tracks need 852
    before = len(fake.state.requests)
    r = bea.post("/api/youtube/upload", json={"job_id": job["id"]})
    done = bea.wait_upload(r.json()["id"])
    assert done["status"] == "failed" and done["video_id"] is None
    message: str = done["error_message"]
    assert "of today's YouTube quota but 100 of 10000 are left" in message, message
    assert "midnight Pacific time" in message
    assert fake.state.requests[before:] == []  # not one request was made
    # The playlists endpoint: the day's units are spent to the last one.
    _fill(bea, "units", 10_000)
    r = bea.get("/api/youtube/playlists")
    assert r.status_code == 429, r.text
    problem: dict[str, Any] = r.json()
    assert problem["title"] == "YouTube quota exceeded"
    assert (
        "playlists.list costs 1 of today's 10000 units; 10000 are spent, 0 left"
        in (problem["detail"])
    )
    assert fake.api_calls("/youtube/v3/playlists") == []
