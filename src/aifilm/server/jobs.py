"""The job queue, in the jobs table: submit (charging credits in the same transaction),
claim with a lease, heartbeat, finish, fail, cancel. Refunds happen at most once per job.

A worker holds a job while its lease lasts and renews it as the render reports progress.
A worker that dies stops renewing; once the lease has expired any worker may claim the job
again (up to `max_attempts` tries). Every write a worker makes checks that it still holds
the job (same worker id and attempt), so a late worker cannot overwrite a newer one.
Credits are charged only at submission, so a job taken over is never charged twice.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from aifilm.server import credits
from aifilm.server.assets import missing_assets
from aifilm.server.errors import Conflict, Forbidden, NotFound, Problem
from aifilm.server.lease import lock_if_held, lock_next_free
from aifilm.server.models import IdempotencyKey, Job, JobLog, Project, utcnow
from aifilm.server.plans import PLANS, credits_for
from aifilm.server.policy import AllowedSetting, check_job
from aifilm.server.projectspec import SpecFacts, check_spec, spec_digest
from aifilm.server.schemas import JobCreate
from aifilm.spec.models import MAX_DURATION_S, MIN_DURATION_S

ACTIVE = ("queued", "running")
FINAL = ("completed", "failed", "cancelled")


@dataclass(frozen=True)
class Claim:
    """A job a worker holds: which attempt it is, to check on every write."""

    job_id: uuid.UUID
    worker_id: str
    attempt: int


def _request_hash(body: JobCreate) -> str:
    return hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()


def submit(
    session: Session,
    user_id: uuid.UUID,
    body: JobCreate,
    idempotency_key: str | None,
    max_spec_bytes: int,
    allowed_backends: AllowedSetting | None = None,
    licensed_backends: list[str] | None = None,
    usd_per_credit: float = 0.10,
) -> tuple[Job, bool]:
    """Create a job and charge for it in the caller's transaction; (job, created).

    The user's row is locked first, so a repeated Idempotency-Key sees the first request's
    job (returned, not charged again) however close together the two arrive.
    """
    user = credits.lock_user(session, user_id)
    credits.renew_if_due(session, user)
    if idempotency_key is not None:
        if not 1 <= len(idempotency_key) <= 255:
            raise Problem(422, "Idempotency-Key must be 1 to 255 characters")
        seen = session.scalars(
            select(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == idempotency_key
            )
        ).first()
        if seen is not None:
            if seen.request_hash != _request_hash(body) or seen.job_id is None:
                raise Problem(
                    422,
                    "this Idempotency-Key was used for a different request; use a new key",
                )
            job = session.get(Job, seen.job_id)
            if job is None:
                raise NotFound("job")
            return job, False
    project = session.get(Project, body.project_id)
    if project is None or project.user_id != user_id:
        raise NotFound("project")
    if project.moderation == "blocked":
        raise Forbidden("this project was blocked by a moderator and cannot be rendered")
    facts = check_spec(project.spec, max_spec_bytes)
    plan = PLANS[user.plan]
    length = body.length_seconds if body.length_seconds is not None else facts.duration
    if length is None:
        raise Problem(422, "the project's duration is 'auto': give length_seconds for the job")
    if not MIN_DURATION_S <= length <= MAX_DURATION_S:
        raise Problem(
            422, f"length {length:g} s is outside {MIN_DURATION_S:g} s to {MAX_DURATION_S:g} s"
        )
    # the same checks the worker repeats before rendering (policy.check_job)
    check_job(
        facts,
        plan,
        length,
        allowed_backends if allowed_backends is not None else {},
        licensed_backends or [],
    )
    missing = missing_assets(session, project, facts.files)
    if missing:
        raise Conflict(
            "upload the project's files first: " + ", ".join(missing), missing_assets=missing
        )
    provider = provider_credits(facts, length, usd_per_credit)
    cost = credits_for(length) + provider
    job = Job(
        id=uuid.uuid4(),
        user_id=user_id,
        project_id=project.id,
        status="queued",
        priority=plan.priority,
        length_seconds=float(length),
        parameters={
            "options": body.options.model_dump(),
            "watermark": plan.watermark,
            "plan": plan.name,
            # The worker renders only this exact text (the project cannot change while the
            # job is active, and the worker checks).
            "spec_sha256": spec_digest(project.spec),
        },
    )
    session.add(job)
    session.flush()
    job.credits_charged = credits.spend(
        session, user, cost, job, f"render '{project.title}' ({length:g} s)"
    )
    if idempotency_key is not None:
        session.add(
            IdempotencyKey(
                user_id=user_id,
                key=idempotency_key,
                request_hash=_request_hash(body),
                job_id=job.id,
            )
        )
    project.status = "queued"
    paid = f" ({provider} for the visuals provider)" if provider else ""
    log(session, job.id, "info", f"queued: {cost} credit(s){paid}, priority {plan.priority}")
    return job, True


def log(
    session: Session,
    job_id: uuid.UUID,
    level: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Add a line to the job's log."""
    session.add(JobLog(job_id=job_id, level=level, message=message, data=data))


def claim_next(
    session: Session, worker_id: str, lease_seconds: float, max_attempts: int
) -> Claim | None:
    """Take the next job (highest priority, oldest first) whose lease is free; None if none.

    A running job whose lease expired counts as free. A job already tried `max_attempts`
    times fails (and is refunded) instead.
    """
    now = utcnow()
    while True:
        free = or_(Job.status == "queued", (Job.status == "running") & (Job.lease_expires_at < now))
        job = lock_next_free(session, Job, free, (Job.priority.desc(), Job.created_at))
        if job is None:
            return None
        if job.attempts >= max_attempts:
            job.status, job.completed_at = "failed", now
            job.error_message = f"gave up after {job.attempts} attempts (worker lost)"
            log(session, job.id, "error", job.error_message)
            credits.refund(session, job, "refund: render failed")
            _project_status(session, job, "failed")
            continue
        if job.status == "running":
            log(session, job.id, "warning", f"lease of {job.worker_id} expired; taken over")
        job.status = "running"
        job.attempts += 1
        job.worker_id = worker_id
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.lease_expires_at = now + timedelta(seconds=lease_seconds)
        job.error_message = None
        _project_status(session, job, "processing")
        log(session, job.id, "info", f"started by {worker_id} (attempt {job.attempts})")
        return Claim(job.id, worker_id, job.attempts)


def holding(session: Session, claim: Claim) -> Job | None:
    """The job, locked, if `claim` still holds it (else None: cancelled or taken over)."""
    return lock_if_held(session, Job, claim.job_id, claim.worker_id, claim.attempt, _running)


def _running(job: Job) -> bool:
    return job.status == "running"


def heartbeat(
    factory: sessionmaker[Session],
    claim: Claim,
    lease_seconds: float,
    *,
    progress: float | None = None,
    step: str | None = None,
    message: tuple[str, str, dict[str, Any] | None] | None = None,
) -> bool:
    """Renew the lease and record progress; False when the job is no longer ours."""
    with factory() as session, session.begin():
        job = holding(session, claim)
        if job is None:
            return False
        now = utcnow()
        job.heartbeat_at = now
        job.lease_expires_at = now + timedelta(seconds=lease_seconds)
        if progress is not None:
            job.progress = round(max(job.progress, min(progress, 100.0)), 1)
        if step is not None:
            job.current_step = step
        if message is not None:
            log(session, job.id, *message)
        return True


def finish(session: Session, claim: Claim) -> Job | None:
    """Mark the job completed (None if the claim lost it meanwhile)."""
    job = holding(session, claim)
    if job is None:
        return None
    job.status, job.progress, job.current_step = "completed", 100.0, "done"
    job.completed_at = utcnow()
    job.lease_expires_at = None
    _project_status(session, job, "completed")
    log(session, job.id, "info", "completed")
    return job


def fail(session: Session, claim: Claim, error: str) -> Job | None:
    """Mark the job failed, keep the error, refund its credits."""
    job = holding(session, claim)
    if job is None:
        return None
    job.status, job.error_message = "failed", error
    job.completed_at = utcnow()
    job.lease_expires_at = None
    _project_status(session, job, "failed")
    log(session, job.id, "error", error)
    credits.refund(session, job, "refund: render failed")
    return job


def cancel(session: Session, job: Job, by: str = "the user") -> Job:
    """Cancel a queued or running job and refund it; a running worker stops at its next step."""
    session.refresh(job, with_for_update=True)
    if job.status in FINAL:
        raise Conflict(f"the job is already {job.status}")
    job.status, job.completed_at = "cancelled", utcnow()
    job.lease_expires_at = None
    _project_status(session, job, "draft")
    log(session, job.id, "info", f"cancelled by {by}")
    credits.refund(session, job, "refund: job cancelled")
    return job


def _project_status(session: Session, job: Job, status: str) -> None:
    project = session.get(Project, job.project_id)
    if project is not None:
        project.status = status


def queue_position(session: Session, job: Job) -> int | None:
    """How many jobs are ahead of a queued one."""
    if job.status != "queued":
        return None
    ahead = session.scalars(
        select(Job.id).where(
            Job.status == "queued",
            or_(
                Job.priority > job.priority,
                (Job.priority == job.priority) & (Job.created_at < job.created_at),
            ),
        )
    ).all()
    return len(ahead)


def provider_credits(facts: SpecFacts, length: float, usd_per_credit: float) -> int:
    """Credits for what the project's visuals provider charges the operator: the price
    table's estimate for its shots (an even share of `length` each), rounded up to
    credits of `usd_per_credit` USD. Offline and stock backends cost nothing."""
    from aifilm.errors import AifilmError
    from aifilm.pipeline.registry import registry
    from aifilm.pipeline.visuals.prices import shot_cost

    choice = facts.choices.get("visuals")
    if choice is None or not facts.provider_shots or usd_per_credit <= 0:
        return 0
    try:
        backend = registry.create("visuals", choice)
    except AifilmError:
        return 0  # refused earlier by the policy checks; nothing to price
    seconds = length / max(1, facts.shots)
    usd = shot_cost(backend, "prompt", seconds) * facts.provider_shots
    return math.ceil(round(usd / usd_per_credit, 6))
