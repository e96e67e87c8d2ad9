"""Celery mode: an upload asked for, and one queued by auto-publish when a render completes,
each put a wake-up task on the broker, and the task publishes it. Skipped without Redis on
127.0.0.1:6379."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.publish.fake_youtube import FakeYouTube
from tests.server.test_celery import BROKER, redis_client  # noqa: F401 (a fixture)
from tests.server.youtube.conftest import Creator

from aifilm.server import celery_app
from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings


def test_uploads_wake_a_celery_worker(
    redis_client: Any,  # noqa: F811
    yt_settings: Callable[..., ServerSettings],
    fake: FakeYouTube,
    db_url: str,
    tmp_path: Any,
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the broker path does not depend on the database")
    settings = yt_settings(worker="celery", redis_url=BROKER, rate_limit_per_minute=1000)
    with TestClient(create_app(settings)) as client:
        ivy = Creator(client, "ivy@example.com")
        ivy.upgrade()
        ivy.connect()
        job = ivy.finished_job(tmp_path / "render")
        upload = ivy.post("/api/youtube/upload", json={"job_id": job["id"]}).json()
        assert redis_client.llen("celery") == 1
        # What `aifilm worker --celery` runs for that message:
        assert celery_app._run_next(settings) == "published"
        assert ivy.get(f"/api/youtube/uploads/{upload['id']}").json()["status"] == "published"

        project = ivy.project()
        r = ivy.client.put(
            f"/api/youtube/autopublish/{project['id']}", headers=ivy.headers, json={}
        )
        assert r.status_code == 200, r.text
        ivy.post("/api/jobs", json={"project_id": project["id"]})
        assert redis_client.llen("celery") == 2
        assert celery_app._run_next(settings) == "completed"
        # The render queued its film for YouTube and asked for a worker for it.
        assert redis_client.llen("celery") == 3
        assert celery_app._run_next(settings) == "published"
        uploads = ivy.get("/api/youtube/uploads").json()["items"]
        assert [u["status"] for u in uploads] == ["published", "published"]
        assert uploads[0]["automatic"] is True and len(fake.state.videos) == 2
