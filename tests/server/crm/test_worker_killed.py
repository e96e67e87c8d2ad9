"""`aifilm worker` delivers the outbox; killed (SIGKILL) while a delivery is in flight, its
event is delivered again by another worker once the lease runs out, and the receiver, which
dedupes by event id, processes it once (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.server.conftest import Api
from tests.server.crm.webhook_receiver import receiver

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.crm.dispatch import drain
from aifilm.server.crm.sinks import build_sinks
from aifilm.server.models import OutboxEvent

SECRET = "whsec_kill_" + "q" * 24


def test_a_worker_killed_mid_delivery(
    settings_for: Callable[..., ServerSettings], tmp_path: Path
) -> None:
    with receiver(SECRET) as hook:
        settings = settings_for(
            worker="none",
            crm_sinks=["webhook"],
            crm_webhook_url=hook.url,
            crm_webhook_secret=SECRET,
            crm_lease_seconds=3.0,
        )
        hook.hold = threading.Event()
        with TestClient(create_app(settings)) as client:
            state = client.app.state.aifilm  # type: ignore[attr-defined]
            ivy = Api(client, "ivy@example.com")
            env = {
                **os.environ,
                "AIFILM_SERVER_CONFIG": str(tmp_path / "absent.toml"),
                "AIFILM_SERVER_DATA_DIR": str(settings.data_dir),
                "AIFILM_SERVER_DATABASE_URL": settings.db_url,
                "AIFILM_SERVER_CRM_SINKS": '["webhook"]',
                "AIFILM_SERVER_CRM_WEBHOOK_URL": hook.url,
                "AIFILM_SERVER_CRM_WEBHOOK_SECRET": SECRET,
                "AIFILM_SERVER_CRM_LEASE_SECONDS": "3",
                "AIFILM_SERVER_CRM_POLL_SECONDS": "0.1",
            }
            log = tmp_path / "worker.log"
            with log.open("wb") as out:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "aifilm", "worker"],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                assert hook.arrived.wait(60), log.read_text(errors="replace")
            finally:
                os.killpg(worker.pid, signal.SIGKILL)  # the delivery is still in flight
                worker.wait(10)
            hook.hold.set()  # the receiver stores it; the worker never hears back
            with state.sessions() as session:
                (row,) = session.scalars(select(OutboxEvent))
                assert row.status == "pending" and (row.worker_id or "").startswith("crm-")
            sinks = build_sinks(settings)
            assert drain(state.sessions, sinks, settings, "survivor") == 0  # leased still
            time.sleep(settings.crm_lease_seconds)
            assert drain(state.sessions, sinks, settings, "survivor") == 1
            with state.sessions() as session:
                (row,) = session.scalars(select(OutboxEvent))
            assert row.status == "delivered" and row.attempts == 2
            assert hook.deliveries == 2  # sent twice ...
            assert hook.types_for(ivy.user["id"]) == ["user.registered"]  # ... stored once
