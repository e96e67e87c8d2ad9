"""A job's per-shot pieces as Celery tasks, across workers (a group per stage).

The worker holding a job (its coordinator) runs the render as usual; at the voice, visuals
and lip-sync stages its `CeleryRunner` sends one `make_piece` task per missing piece to
the queue of the piece's kind, waits until each entry appears in the shared cache (the
storage: `aifilm.server.shared_cache`), advancing the job's progress per piece, then goes
on; it mixes and encodes the film itself. The jobs table stays the truth: the coordinator
holds the job's lease, and a piece task only makes a cache entry.

A piece task rebuilds the job's render up to its stage (everything before it is in the
shared cache, so that is look-ups), lists the stage's pieces the same way, and makes the
one it was sent for. Tasks are acknowledged late: a worker that dies mid-piece loses only
that piece, which the broker hands to another worker once `piece_visibility_seconds` have
passed. A piece that fails leaves its error in the storage, where the coordinator reads it
and fails the job naming the shot.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aifilm.errors import AifilmError, InternalError, StageError
from aifilm.pipeline.blame import blame
from aifilm.pipeline.cache import Entry
from aifilm.pipeline.fanout import Done, Piece, PieceRunner
from aifilm.server.config import ServerSettings
from aifilm.server.shared_cache import SharedCache
from aifilm.server.storage import Storage

if TYPE_CHECKING:
    from aifilm.pipeline.compose.base import SegmentEncoder
    from aifilm.pipeline.context import RenderContext
    from aifilm.pipeline.stage_base import Stage
    from aifilm.server.jobs import Claim
    from aifilm.server.lease import LeaseHeartbeat

log = logging.getLogger("aifilm.server.pieces")
PIECE_TASK = "aifilm.server.make_piece"
JOBS_QUEUE = "celery"  # Celery's default: the wake-up tasks that start jobs
DEFAULT_QUEUES = {
    "voice": "aifilm.voice",
    "visuals": "aifilm.visuals",
    "lipsync": "aifilm.lipsync",
    "compose": "aifilm.compose",  # segment encodes (aifilm.server.segments): CPU
}


def queue_for(settings: ServerSettings, kind: str, backend: str) -> str:
    """The queue of a piece: `piece_queues` by backend name, else by kind, else the kind's."""
    queues = settings.piece_queues
    return queues.get(backend) or queues.get(kind) or DEFAULT_QUEUES.get(kind, f"aifilm.{kind}")


def all_queues(settings: ServerSettings) -> list[str]:
    """Every queue a worker that does everything consumes: jobs, then each kind's pieces."""
    names = [JOBS_QUEUE, *DEFAULT_QUEUES.values(), *settings.piece_queues.values()]
    return list(dict.fromkeys(names))


def _error_key(job_id: uuid.UUID | str, attempt: int, key: str) -> str:
    return f"render-errors/{job_id}/{attempt}/{key}.json"


class CeleryRunner(PieceRunner):
    """Pieces as Celery tasks on the workers; this process waits for their entries."""

    def __init__(
        self,
        settings: ServerSettings,
        storage: Storage,
        claim: Claim,
        lease: LeaseHeartbeat,
        poll_seconds: float = 0.1,
        note: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.claim = claim
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.note = note  # a line for the job's log (segments say who encoded them)

    def run(
        self, ctx: RenderContext, stage: str, pieces: Sequence[Piece], done: Done, threads: int
    ) -> list[Entry]:
        from aifilm.server.celery_app import celery_app

        cache = ctx.cache
        assert isinstance(cache, SharedCache), "fanned-out renders use the shared cache"
        entries: dict[int, Entry] = {}
        waiting: dict[int, Piece] = {}
        for i, piece in enumerate(pieces):
            found = cache.lookup(piece.stage, piece.key)
            if found is None:
                waiting[i] = piece
            else:
                cache.count(hit=True)
                entries[i] = found
                done(i, found)
        assert self.settings.broker_url
        app = celery_app(self.settings.broker_url, self.settings.piece_visibility_seconds)
        sent = time.monotonic()
        for piece in waiting.values():
            backend = ctx.backends[piece.kind].name if piece.kind in ctx.backends else ""
            app.send_task(
                PIECE_TASK,
                args=[str(self.claim.job_id), self.claim.attempt, stage, piece.key],
                queue=queue_for(self.settings, piece.kind, backend),
            )
        log.info("pieces sent", extra={"stage": stage, "count": len(waiting)})
        while waiting:
            if self.lease.lost:
                from aifilm.server.worker import JobLost

                raise JobLost
            for i, piece in list(waiting.items()):
                self._raise_if_failed(stage, piece)
                if cache.shared(piece.stage, piece.key):
                    entry = cache.lookup(piece.stage, piece.key)
                    if entry is not None:
                        cache.count(hit=False)  # made for this render, by some worker
                        entries[i] = entry
                        del waiting[i]
                        done(i, entry)
            if waiting and time.monotonic() - sent > self.settings.piece_timeout_seconds:
                first = next(iter(waiting.values()))
                kind = first.kind
                raise StageError(
                    f"{len(waiting)} piece(s) not made within "
                    f"{self.settings.piece_timeout_seconds:g} s",
                    stage=stage,
                    shot=first.shot,
                    hint=f"start a worker that consumes the queue "
                    f"'{queue_for(self.settings, kind, ctx.backends[kind].name)}' "
                    "(aifilm worker --celery --queues ...)",
                )
            if waiting:
                time.sleep(self.poll_seconds)
        return [entries[i] for i in range(len(pieces))]

    def segment_encoder(self, ctx: RenderContext) -> SegmentEncoder | None:
        """The film's segments as tasks too (`aifilm.server.segments`), on the compose queue."""
        from aifilm.server.segments import CelerySegments

        assert isinstance(ctx.cache, SharedCache), "fanned-out renders use the shared cache"
        composer = ctx.backends.get("compose")
        name = getattr(composer, "inner", composer).name if composer is not None else ""
        return CelerySegments(
            self.settings,
            ctx.cache,
            self.claim.job_id,
            self.claim.attempt,
            self.lease,
            name,
            note=self.note,
            poll_seconds=self.poll_seconds,
        )

    def _raise_if_failed(self, stage: str, piece: Piece) -> None:
        """Raise the error a piece task left, naming the piece's shot."""
        failure = left_error(self.storage, self.claim.job_id, self.claim.attempt, piece.key)
        if failure is None:
            return
        if not failure.get("aifilm"):  # as `blame` words an unexpected error, here
            where = f" ({piece.source})" if piece.source else ""
            raise StageError(f"{failure['message']}{where}", stage=stage, shot=piece.shot)
        from aifilm.errors import UserError

        kind = UserError if failure.get("user") else InternalError
        with blame(stage, shot=piece.shot, source=piece.source):
            raise kind(failure["message"], hint=failure.get("hint"))


def make_piece(
    settings: ServerSettings, state: Any, job_id: str, attempt: int, stage_name: str, key: str
) -> str:
    """Make one piece of a job's stage (the `make_piece` task's body): what happened.

    "cached" (it was made already), "skipped" (the job is no longer running), "made",
    or "failed" (its error left in the storage for the job's coordinator).
    """
    import aifilm
    from aifilm.pipeline.render import Pipeline, render_stages
    from aifilm.server.worker import _prepare, job_inputs, render_arguments

    storage: Storage = state.storage
    cache = SharedCache(settings.cache_dir, storage)
    found = job_inputs(state.sessions, uuid.UUID(job_id))
    if found is None or found[0].status != "running":
        return "skipped"
    job, spec, files = found
    stages = render_stages()
    target = next((s for s in stages if s.name == stage_name), None)
    if target is None:
        return "skipped"
    with tempfile.TemporaryDirectory(prefix="aifilm-piece-") as tmp:
        base = Path(tmp) / "project"
        base.mkdir()
        pipe = None
        try:
            params = dict(job.parameters)
            project = _prepare(spec, files, job.length_seconds, params, base, storage, settings)
            pipe = Pipeline(
                project,
                **render_arguments(project, params),
                cache=cache,
                settings=aifilm.Settings(cache_dir=settings.cache_dir),
                stages=stages,
            )
            for stage in stages_before(stages, target):
                stage.run(pipe.context)
            from aifilm.pipeline.stage_base import FanOutStage

            assert isinstance(target, FanOutStage)
            piece = next((p for p in target.pieces(pipe.context) if p.key == key), None)
            if piece is None:
                return "skipped"  # not a piece of this job (any more)
            if cache.shared(piece.stage, piece.key):
                return "cached"
            cache.fetch(piece.stage, piece.key, piece.make)  # its errors: named by the coordinator
            return "made"
        except Exception as error:
            log.exception("piece failed", extra={"job_id": job_id, "stage": stage_name})
            leave_error(storage, job_id, attempt, key, error)
            return "failed"
        finally:
            if pipe is not None:
                pipe.close()


def stages_before(stages: Sequence[Stage], target: Stage) -> list[Stage]:
    """The stages before `target` whose results it needs, directly or through another."""
    before = list(stages[: list(stages).index(target)])
    need = set(target.reads)
    chosen: list[Stage] = []
    for stage in reversed(before):
        if need & set(stage.writes):
            chosen.append(stage)
            need |= set(stage.reads)
    return chosen[::-1]


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def left_error(
    storage: Storage, job_id: uuid.UUID | str, attempt: int, key: str
) -> dict[str, Any] | None:
    """The error a task left for one of a job's pieces or segments, if any."""
    where = _error_key(job_id, attempt, key)
    local = storage.local_path(where)
    if local is not None and not local.is_file():
        return None
    try:
        found = json.loads(b"".join(storage.open_stream(where)))
    except Exception:  # no error left (S3's 404), or unreadable: still waiting
        return None
    return found if isinstance(found, dict) else None


def leave_error(storage: Storage, job_id: str, attempt: int, key: str, error: Exception) -> None:
    """Leave a task's error in the storage, where the job's coordinator reads it."""
    failure = {
        "message": error.message if isinstance(error, AifilmError) else _describe(error),
        "hint": getattr(error, "hint", None),
        "aifilm": isinstance(error, AifilmError),
        "user": getattr(error, "exit_code", 1) != 1,
    }
    body = json.dumps(failure, ensure_ascii=False).encode()
    storage.put_stream(_error_key(job_id, attempt, key), io.BytesIO(body), "application/json")
