"""Locust users for `bench_server.py`: one GET, over and over, with a Bearer token.

Driven by environment variables that the benchmark sets: `AIFILM_BENCH_PATH` (the URL path)
and `AIFILM_BENCH_TOKEN` (an access token or an API key). Users do not wait between
requests unless `AIFILM_BENCH_WAIT` (seconds) is set: then each waits a random think time of
that many seconds on average (uniform from 0 to twice that), as wrk_server.lua does.
"""

from __future__ import annotations

import os

from locust import between, constant
from locust.contrib.fasthttp import FastHttpUser
from locust.user.task import task

PATH = os.environ.get("AIFILM_BENCH_PATH", "/api/projects")
TOKEN = os.environ.get("AIFILM_BENCH_TOKEN", "")
PACING = float(os.environ.get("AIFILM_BENCH_WAIT", "0"))


class ApiClient(FastHttpUser):
    """A client polling one endpoint."""

    wait_time = between(0, 2 * PACING) if PACING > 0 else constant(0)

    @task
    def get(self) -> None:
        with self.client.get(
            PATH, headers={"Authorization": f"Bearer {TOKEN}"}, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}: {response.text[:200]}")
