"""Celery, when configured (`worker = "celery"`, a Redis broker): the server sends a wake-up
task per submitted job and `aifilm worker --celery` runs it. The task claims whatever job is
next in the jobs table (the table, not the broker, is the truth), so a lost or duplicated
message never loses or doubles a job.

Workers also poll the table (`poll_forever`), one render at a time per process: a job queued
while the broker was down still runs, and so does a job whose worker died mid-render (its
wake-up message was already taken, so only polling finds its expired lease).
"""

from __future__ import annotations

import threading
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


def _state(settings: ServerSettings) -> Any:
    from aifilm.server.state import ServerState

    state = _STATES.get(settings.db_url)
    if state is None:
        state = _STATES[settings.db_url] = ServerState.build(settings)
    return state


def _run_next(settings: ServerSettings, *, wait: bool = True) -> str | None:
    """Claim and render the next job, unless this process is rendering one and `wait` is
    False; its final status, or None."""
    from aifilm.server.worker import new_worker_id, work_once

    if not _RENDERING.acquire(blocking=wait):
        return None
    try:
        state = _state(settings)
        return work_once(state.sessions, state.storage, settings, new_worker_id("celery"))
    finally:
        _RENDERING.release()


def poll_forever(settings: ServerSettings, stop: threading.Event) -> None:
    """Look for jobs every `poll_seconds` when this process is idle (run beside Celery)."""
    import logging

    while not stop.is_set():
        try:
            status = _run_next(settings, wait=False)
        except Exception:
            logging.getLogger("aifilm.server.worker").exception("worker poll error")
            status = None
        if status is None:
            stop.wait(settings.poll_seconds)


_STATES: dict[str, Any] = {}
_RENDERING = threading.Lock()  # one render at a time per worker process


def wake(settings: ServerSettings) -> None:
    """Send a wake-up task (best effort: workers poll the table anyway)."""
    if not settings.broker_url:
        return
    try:
        celery_app(settings.broker_url).send_task(TASK)
    except Exception:  # the broker is down: the job waits for a polling worker
        import logging

        logging.getLogger("aifilm.server").warning("could not reach the Celery broker")
