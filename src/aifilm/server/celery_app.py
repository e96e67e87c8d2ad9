"""Celery, when configured (`worker = "celery"`, a Redis broker): the server sends a wake-up
task per submitted job and `aifilm worker --celery` runs it. The task claims whatever job is
next in the jobs table (the table, not the broker, is the truth), so a lost or duplicated
message never loses or doubles a job; workers also poll, so a job queued while the broker
was down still runs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aifilm.server.config import ServerSettings

TASK = "aifilm.server.run_next_job"


@lru_cache(maxsize=4)
def celery_app(broker_url: str) -> Any:
    """The Celery app for a broker."""
    from celery import Celery

    app = Celery("aifilm", broker=broker_url)
    app.conf.update(
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
    )

    @app.task(name=TASK)  # type: ignore[untyped-decorator]
    def run_next_job() -> str | None:
        return _run_next(ServerSettings())

    return app


def _run_next(settings: ServerSettings) -> str | None:
    from aifilm.server.state import ServerState
    from aifilm.server.worker import new_worker_id, work_once

    state = _STATES.get(settings.db_url)
    if state is None:
        state = _STATES[settings.db_url] = ServerState.build(settings)
    return work_once(state.sessions, state.storage, settings, new_worker_id("celery"))


_STATES: dict[str, Any] = {}


def wake(settings: ServerSettings) -> None:
    """Send a wake-up task (best effort: workers poll the table anyway)."""
    if not settings.broker_url:
        return
    try:
        celery_app(settings.broker_url).send_task(TASK)
    except Exception:  # the broker is down: the job waits for a polling worker
        import logging

        logging.getLogger("aifilm.server").warning("could not reach the Celery broker")
