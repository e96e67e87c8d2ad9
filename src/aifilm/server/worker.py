"""Running jobs: claim one from the jobs table, render it with `aifilm.render()`, store the
outputs as assets. `ThreadWorker` does this inside the server process; `aifilm worker` runs the
same loop in its own process (and Celery only wakes it up: the table is the truth).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from aifilm.errors import AifilmError
from aifilm.pipeline.backend import Backend
from aifilm.pipeline.compose.base import (
    ComposeBackend,
    Composition,
    CompositionRequest,
    Progress,
)
from aifilm.pipeline.context import ProgressEvent
from aifilm.server import jobs
from aifilm.server.assets import input_assets, output_asset
from aifilm.server.config import ServerSettings
from aifilm.server.confine import RenderRefusedError, as_user_error, load_confined, materialise
from aifilm.server.errors import Problem
from aifilm.server.lease import LeaseHeartbeat
from aifilm.server.models import Job, Project
from aifilm.server.plans import PLANS, WATERMARK_TEXT
from aifilm.server.policy import check_job, render_choices
from aifilm.server.projectspec import check_spec, spec_digest
from aifilm.server.storage import Storage
from aifilm.spec.models import Project as SpecProject

log = logging.getLogger("aifilm.server.worker")
# Backend kinds render() takes as named arguments; the rest go in its `choices`.
RENDER_ARGUMENTS = ("voice", "music", "visuals", "compose", "translate", "lipsync")


class JobLost(Exception):
    """The job was cancelled or taken over while this worker rendered it."""


def new_worker_id(label: str = "worker") -> str:
    """A worker id unique across machines and restarts."""
    return f"{label}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Watermarked(ComposeBackend):
    """Any composer, with a watermark drawn on the film (free plan)."""

    name = "watermarked"

    def __init__(self, inner: Backend, text: str) -> None:
        super().__init__()
        assert isinstance(inner, ComposeBackend)
        self.inner: ComposeBackend = inner
        self.text = text

    def identity(self) -> dict[str, Any]:
        return {**self.inner.identity(), "watermark": self.text}

    def source_size(self, width: int, height: int, camera: str) -> tuple[int, int]:
        return self.inner.source_size(width, height, camera)

    def waits_for_audio(self) -> bool:
        return self.inner.waits_for_audio()

    def compose(
        self, request: CompositionRequest, out: Path, progress: Progress | None = None
    ) -> Composition:
        marked = dataclasses.replace(request, watermark=self.text)
        return self.inner.compose(marked, out, progress)


def _stage_progress(event: ProgressEvent) -> float:
    from aifilm.pipeline.stages import STAGE_NAMES

    if event.stage not in STAGE_NAMES:
        return 0.0
    index = STAGE_NAMES.index(event.stage)
    if event.event == "finish":
        fraction = 1.0
    elif event.total:
        fraction = max(0.0, min(1.0, event.done / event.total))
    else:
        fraction = 0.0
    return 100.0 * (index + fraction) / len(STAGE_NAMES)


class _Reporter(LeaseHeartbeat):
    """The render's progress callback: records progress and keeps the lease alive.

    Writes at most every `every` seconds (stage starts, finishes and warnings always); the
    heartbeat thread renews the lease between events, and either notices when the job is
    no longer ours, which makes the next callback stop the render.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        claim: jobs.Claim,
        lease_seconds: float,
        every: float = 0.5,
    ) -> None:
        super().__init__(lease_seconds, "aifilm-heartbeat")
        self.sessions = sessions
        self.claim = claim
        self.every = every
        self._last = 0.0
        self._lock = threading.Lock()

    def renew(self) -> bool:
        return jobs.heartbeat(self.sessions, self.claim, self.lease)

    def note(self, message: str, data: dict[str, Any]) -> None:
        """A line in the job's log (a segment encoded by another worker, say)."""
        if not jobs.heartbeat(
            self.sessions, self.claim, self.lease, message=("info", message, data)
        ):
            self.lost = True

    def __call__(self, event: ProgressEvent) -> None:
        if self.lost:
            raise JobLost
        with self._lock:
            now = time.monotonic()
            important = event.event in ("start", "finish", "warning")
            if not important and now - self._last < self.every:
                return
            self._last = now
            message = None
            if event.event == "warning":
                message = ("warning", f"{event.stage}: {event.message}", None)
            elif event.event in ("start", "finish"):
                message = ("info", f"{event.stage} {event.event}", None)
            ok = jobs.heartbeat(
                self.sessions,
                self.claim,
                self.lease,
                progress=_stage_progress(event),
                step=event.stage,
                message=message,
            )
        if not ok:
            self.lost = True
            raise JobLost


def render_arguments(project: SpecProject, params: dict[str, Any]) -> dict[str, Any]:
    """The backends and options `aifilm.render()` gets for a job (its piece tasks too)."""
    from aifilm.pipeline.registry import registry

    choices = render_choices(project.backends)
    if params.get("watermark"):
        inner = registry.create("compose", choices["compose"])
        choices["compose"] = Watermarked(inner, WATERMARK_TEXT)
    named = {k: choices.pop(k) for k in RENDER_ARGUMENTS if k in choices}
    return {
        **named,
        "choices": choices,  # the other kinds (llm): the project's, else none
        "preview": bool(params.get("options", {}).get("preview")),
    }


def job_inputs(
    sessions: sessionmaker[Session], job_id: uuid.UUID
) -> tuple[Job, str, dict[str, str]] | None:
    """A job, its project's spec and its input files' storage keys (None: gone)."""
    with sessions() as session:
        job = session.get(Job, job_id)
        project = session.get(Project, job.project_id) if job else None
        if job is None or project is None:
            return None
        files = {a.name: a.storage_key for a in input_assets(session, project.id)}
        return job, project.spec, files


def run_claimed(
    sessions: sessionmaker[Session],
    storage: Storage,
    settings: ServerSettings,
    claim: jobs.Claim,
    fan_out: bool = False,
) -> str:
    """Render a claimed job to the end; return its final status as this worker saw it.

    With `fan_out`, its per-shot pieces are Celery tasks (`aifilm.server.pieces`) made by
    any worker, through the cache shared in the storage; this worker makes the rest.
    """
    import aifilm

    found = job_inputs(sessions, claim.job_id)
    if found is None:
        return "lost"
    job, spec, files = found
    length, params = job.length_seconds, dict(job.parameters)
    with tempfile.TemporaryDirectory(prefix="aifilm-job-") as tmp:
        base = Path(tmp) / "project"
        base.mkdir()
        out = Path(tmp) / "out"
        try:
            with _Reporter(sessions, claim, settings.lease_seconds) as reporter:
                project_model = _prepare(spec, files, length, params, base, storage, settings)
                extra: dict[str, Any] = {}
                if fan_out:
                    from aifilm.server.pieces import CeleryRunner
                    from aifilm.server.shared_cache import SharedCache

                    extra["cache"] = SharedCache(settings.cache_dir, storage)
                    extra["runner"] = CeleryRunner(
                        settings, storage, claim, reporter, note=reporter.note
                    )
                result = aifilm.render(
                    project_model,
                    out,
                    **render_arguments(project_model, params),
                    settings=aifilm.Settings(cache_dir=settings.cache_dir),
                    on_progress=reporter,
                    **extra,
                )
                if reporter.lost:
                    raise JobLost
        except JobLost:
            return "lost"
        except AifilmError as error:
            return _failed(sessions, claim, str(error))
        except Exception as error:
            log.exception("render crashed", extra={"job_id": str(claim.job_id)})
            return _failed(sessions, claim, f"internal error: {type(error).__name__}: {error}")
        finally:
            if fan_out:
                _tidy_shared(storage, settings, claim)
        return _completed(sessions, storage, settings, claim, job, result)


def _tidy_shared(storage: Storage, settings: ServerSettings, claim: jobs.Claim) -> None:
    """After a fanned-out render: drop its pieces' errors, keep the shared cache in bounds."""
    import aifilm
    from aifilm.server.shared_cache import SharedCache

    try:
        storage.delete_prefix(f"render-errors/{claim.job_id}")
        cap = int(aifilm.Settings(cache_dir=settings.cache_dir).cache_max_size)
        SharedCache(settings.cache_dir, storage).prune_shared(cap)
    except Exception:  # tidying never fails a render
        log.warning("could not tidy the shared cache", exc_info=True)


def _completed(
    sessions: sessionmaker[Session],
    storage: Storage,
    settings: ServerSettings,
    claim: jobs.Claim,
    job: Job,
    result: Any,
) -> str:
    """Store a finished render's outputs and complete the job (one transaction)."""
    outputs = [result.video, result.report_path, *result.subtitles.values()]
    if result.thumbnail is not None:
        outputs.append(result.thumbnail)
    rows = [output_asset(storage, job.project_id, claim.job_id, p) for p in outputs]
    with sessions() as session, session.begin():
        done = jobs.finish(session, claim)
        if done is None:
            return "lost"
        done.parameters = {
            **done.parameters,
            "duration": result.duration,
            "warnings": result.warnings[:50],
        }
        session.add_all(rows)
        session.flush()
        queued = _auto_publish(session, done)
    if queued and settings.worker == "celery":
        # This worker goes back to Celery for its next task: ask for one for the upload.
        from aifilm.server.celery_app import wake

        wake(settings)
    return "completed"


def _prepare(
    spec: str,
    files: dict[str, str],
    length: float,
    params: dict[str, Any],
    base: Path,
    storage: Storage,
    settings: ServerSettings,
) -> SpecProject:
    """The project to render, checked again as at submission (the spec is the text the job
    was submitted with, its files only those it names, confined to `base`, the plan's limits,
    offered and licensed backends); `RenderRefusedError` or `SpecError` otherwise."""
    expected = params.get("spec_sha256")
    if expected is not None and expected != spec_digest(spec):
        raise RenderRefusedError(
            "the project changed after this job was submitted; submit it again"
        )
    try:
        facts = check_spec(spec, settings.max_spec_bytes)
        plan = PLANS.get(str(params.get("plan", "creator")))
        if plan is None:  # a plan renamed or removed since the job was queued
            raise RenderRefusedError(f"the job's plan '{params.get('plan')}' no longer exists")
        check_job(facts, plan, length, settings.allowed_backends, settings.licensed_backends)
    except Problem as problem:
        raise as_user_error(problem) from None
    materialise(storage, {n: files[n] for n in facts.files if n in files}, base)
    project = load_confined(spec, base)
    project.duration = length
    return project


def _auto_publish(session: Session, job: Job) -> bool:
    """Queue the film for YouTube when its project publishes automatically, in the same
    transaction that completes the job (so it is never lost); never fails the render.
    True when an upload was queued."""
    from aifilm.server.youtube.queue import enqueue_automatic

    try:
        with session.begin_nested():
            note = enqueue_automatic(session, job)
    except Exception as error:
        log.exception("auto-publish failed", extra={"job_id": str(job.id)})
        note = f"auto-publish to YouTube failed: {type(error).__name__}: {error}"
    if note:
        level = "warning" if "skipped" in note or "failed" in note else "info"
        jobs.log(session, job.id, level, note)
    return bool(note and note.startswith("auto-publish to YouTube queued"))


def _failed(sessions: sessionmaker[Session], claim: jobs.Claim, error: str) -> str:
    with sessions() as session, session.begin():
        return "failed" if jobs.fail(session, claim, error[:4000]) is not None else "lost"


def work_once(
    sessions: sessionmaker[Session],
    storage: Storage,
    settings: ServerSettings,
    worker_id: str,
    fan_out: bool = False,
) -> str | None:
    """Claim and run one YouTube upload or else one render job; its final status, or None
    when there was nothing to do. Uploads go first: they wait on the network, not the CPU,
    and a finished film's auto-publish should not wait behind the whole render queue."""
    from aifilm.server.youtube.runner import work_once_upload

    uploaded = work_once_upload(sessions, storage, settings, worker_id)
    if uploaded is not None:
        return uploaded
    with sessions() as session, session.begin():
        claim = jobs.claim_next(session, worker_id, settings.lease_seconds, settings.max_attempts)
    if claim is None:
        return None
    log.info("job claimed", extra={"job_id": str(claim.job_id), "worker": worker_id})
    status = run_claimed(sessions, storage, settings, claim, fan_out)
    log.info("job ended", extra={"job_id": str(claim.job_id), "status": status})
    return status


class ThreadWorker:
    """Worker threads inside the server; `notify()` wakes them when a job is submitted."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        storage: Storage,
        settings: ServerSettings,
        threads: int = 1,
    ) -> None:
        self.sessions = sessions
        self.storage = storage
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, name=f"aifilm-worker-{i}", daemon=True)
            for i in range(threads)
        ]
        self.worker_ids = [new_worker_id("thread") for _ in range(threads)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout)

    def _loop(self) -> None:
        worker_id = self.worker_ids[self._threads.index(threading.current_thread())]
        while not self._stop.is_set():
            try:
                status = work_once(self.sessions, self.storage, self.settings, worker_id)
            except Exception:
                log.exception("worker loop error")
                status = None
            if status is None:
                self._wake.wait(self.settings.poll_seconds)
                self._wake.clear()


def run_forever(
    sessions: sessionmaker[Session],
    storage: Storage,
    settings: ServerSettings,
    stop: threading.Event | None = None,
) -> None:
    """The standalone worker's loop (`aifilm worker`): poll the table until stopped."""
    stop = stop or threading.Event()
    worker_id = new_worker_id()
    while not stop.is_set():
        try:
            status = work_once(sessions, storage, settings, worker_id)
        except Exception:
            log.exception("worker loop error")
            status = None
        if status is None:
            stop.wait(settings.poll_seconds)
