"""Celery, when configured (`worker = "celery"`, a Redis broker): the server sends a wake-up
task per submitted job and `aifilm worker --celery` takes it. The job is claimed from the jobs
table (the table, not the broker, is the truth), so a lost or duplicated message never loses
or doubles a job.

In a worker process the job is rendered by its render thread (`poll_forever`, which also
polls the table every `poll_seconds`: a job queued while the broker was down still runs, and
so does a job whose worker died mid-render), one job at a time; the wake-up task only wakes
that thread. Celery's own (solo) pool is left free for the pieces and segment encodes of
fanned-out jobs (`aifilm.server.pieces`, `aifilm.server.segments`): this worker's, and every
other worker's.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from aifilm.server.config import ServerSettings

TASK = "aifilm.server.run_next_job"


@lru_cache(maxsize=4)
def celery_app(broker_url: str, visibility_seconds: float = 3600.0) -> Any:
    """The Celery app for a broker; a task unacknowledged for `visibility_seconds` (its
    worker died) is given to another worker."""
    from celery import Celery

    from aifilm.server.pieces import PIECE_TASK, make_piece
    from aifilm.server.segments import SEGMENT_TASK, encode_segment_task

    app = Celery("aifilm", broker=broker_url)
    app.conf.update(
        task_acks_late=True,  # a task is done when it has run, not when it was taken
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": visibility_seconds},
    )

    @app.task(name=TASK)  # type: ignore[untyped-decorator]
    def run_next_job() -> str | None:
        settings = ServerSettings()
        if _POLLING.is_set():  # this process renders in its render thread: wake it
            _WAKE.set()
            return "woken"
        return _run_next(settings)

    @app.task(name=PIECE_TASK)  # type: ignore[untyped-decorator]
    def make_piece_task(job_id: str, attempt: int, stage: str, key: str) -> str:
        settings = ServerSettings()
        return make_piece(settings, _state(settings), job_id, attempt, stage, key)

    @app.task(name=SEGMENT_TASK)  # type: ignore[untyped-decorator]
    def encode_segment(job_id: str, attempt: int, payload: dict[str, Any]) -> str:
        settings = ServerSettings()
        return encode_segment_task(settings, _state(settings), job_id, attempt, payload)

    return app


def _state(settings: ServerSettings) -> Any:
    from aifilm.server.state import ServerState

    state = _STATES.get(settings.db_url)
    if state is None:
        state = _STATES[settings.db_url] = ServerState.build(settings)
    return state


def _run_next(settings: ServerSettings, *, wait: bool = True, fan_out: bool = False) -> str | None:
    """Claim and render the next job, unless this process is rendering one and `wait` is
    False; its final status, or None. With `fan_out`, its pieces are Celery tasks."""
    from aifilm.server.worker import new_worker_id, work_once

    if not _RENDERING.acquire(blocking=wait):
        return None
    try:
        state = _state(settings)
        return work_once(state.sessions, state.storage, settings, new_worker_id("celery"), fan_out)
    finally:
        _RENDERING.release()


def poll_forever(settings: ServerSettings, stop: threading.Event) -> None:
    """The render thread of a worker process: render the next job when woken by a wake-up
    task or every `poll_seconds`, fanning its pieces out when `fan_out` is set."""
    import logging

    fan_out = settings.fan_out and bool(settings.broker_url)
    _POLLING.set()
    try:
        while not stop.is_set():
            try:
                status = _run_next(settings, wait=False, fan_out=fan_out)
            except Exception:
                logging.getLogger("aifilm.server.worker").exception("worker poll error")
                status = None
            if status is None:
                _WAKE.wait(settings.poll_seconds)
                _WAKE.clear()
    finally:
        _POLLING.clear()


_STATES: dict[str, Any] = {}
_RENDERING = threading.Lock()  # one render at a time per worker process
_POLLING = threading.Event()  # set while this process has a render thread
_WAKE = threading.Event()  # a wake-up task arrived


def wake(settings: ServerSettings) -> None:
    """Send a wake-up task (best effort: workers poll the table anyway)."""
    if not settings.broker_url:
        return
    try:
        celery_app(settings.broker_url).send_task(TASK)
    except Exception:  # the broker is down: the job waits for a polling worker
        import logging

        logging.getLogger("aifilm.server").warning("could not reach the Celery broker")
