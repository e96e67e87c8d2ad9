"""Celery mode: submitting a job puts a wake-up task on the Redis broker, and the task claims
and renders the next job from the table. Skipped without Redis on 127.0.0.1:6379."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api, flushed_redis

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings

BROKER = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_client():  # type: ignore[no-untyped-def]
    with flushed_redis(BROKER) as client:
        yield client


def test_celery_wakeup_and_task(
    redis_client: object, settings_for: Callable[..., ServerSettings], db_url: str
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the broker path does not depend on the database")
    settings = settings_for(worker="celery", redis_url=BROKER, rate_limit_per_minute=1000)
    with TestClient(create_app(settings)) as client:
        kim = Api(client, "kim@example.com")
        job = kim.post("/api/jobs", json={"project_id": kim.project()["id"]}).json()
        assert redis_client.llen("celery") == 1  # type: ignore[attr-defined]
        # What `aifilm worker --celery` runs for that message:
        from aifilm.server import celery_app

        assert celery_app._run_next(settings) == "completed"
        assert kim.get(f"/api/jobs/{job['id']}").json()["status"] == "completed"
        # Rate limits are shared through the same Redis.
        assert redis_client.keys("aifilm:rl:*")  # type: ignore[attr-defined]
