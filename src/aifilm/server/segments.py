"""A fanned-out job's segment encodes as Celery tasks, across workers.

At the compose stage the coordinator (the worker holding the job) plans the film's segments
as usual (`FFmpegComposer.plan_segments`), looks each up in the shared cache, and sends one
`encode_segment` task per missing segment to the composition's queue (`aifilm.compose`, or
where `piece_queues` sends "compose" or the composer's name). It then joins and muxes them
itself. A task carries the `SegmentJob` (plain data) and, for every file the job reads, where
the worker finds that file in the shared cache:

- a file inside a shared cache entry (a picture, a clip, a lip-sync list and its sprites)
  is named by that entry, which is put in the storage first if only this worker had it;
- any other (the segment's cut of the subtitles, the watermark's text, the fonts folder)
  becomes a `segment-input` entry keyed by its content's digest, put once.

The worker fetches them, rewrites the job's paths to its own copies, checks that the job's
key (which hashes every file's content) is unchanged, encodes with the thread count the
coordinator would have used itself (x264's output depends on it, so a segment is the same
bytes wherever it is encoded), and stores the segment in the shared cache under that key.

Like piece tasks (`aifilm.server.pieces`), segment tasks are acknowledged late: a worker
that dies mid-segment loses only that segment, which the broker gives to another worker
after `piece_visibility_seconds`. The coordinator holds the job's lease and advances its
progress and log as segments land; a failed segment leaves its error in the storage.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from aifilm.errors import InternalError, StageError
from aifilm.media.ffmpeg import ffmpeg_version
from aifilm.pipeline.cache import META, Cache, cache_key
from aifilm.pipeline.compose.base import Progress
from aifilm.pipeline.compose.ffmpeg import segment_complete
from aifilm.pipeline.compose.graph import escape_value
from aifilm.pipeline.compose.job import SegmentJob, content_digest, encode_segment, tail_path
from aifilm.pipeline.compose.segments import concurrency
from aifilm.server.config import ServerSettings
from aifilm.server.lease import LeaseHeartbeat
from aifilm.server.pieces import leave_error, left_error, queue_for
from aifilm.server.shared_cache import LOCAL_ONLY, SharedCache
from aifilm.server.storage import Storage

SEGMENT_TASK = "aifilm.server.encode_segment"
INPUT_STAGE = "segment-input"  # files a segment reads that are in no other entry
Note = Callable[[str, dict[str, Any]], None]  # a line for the job's log, with data


def worker_name() -> str:
    """Who encoded a segment: host and process (as in worker ids)."""
    return f"{socket.gethostname()}-{os.getpid()}"


class CelerySegments:
    """A `SegmentEncoder` that sends each missing segment to the workers as a task."""

    def __init__(
        self,
        settings: ServerSettings,
        cache: SharedCache,
        job_id: uuid.UUID,
        attempt: int,
        lease: LeaseHeartbeat,
        composer: str,
        note: Note | None = None,
        poll_seconds: float = 0.1,
    ) -> None:
        self.settings = settings
        self.shared = cache
        self.job_id = job_id
        self.attempt = attempt
        self.lease = lease
        self.queue = queue_for(settings, "compose", composer)
        self.note = note
        self.poll_seconds = poll_seconds

    def __call__(
        self,
        jobs: Sequence[SegmentJob],
        costs: Sequence[int],
        cache: Cache,
        *,
        width: int,
        height: int,
        cores: int,
        budget: int,
        progress: Progress | None = None,
    ) -> tuple[list[Path], dict[str, Any]]:
        """Each job's segment file, the missing ones encoded by segment tasks; and counts."""
        from aifilm.server.celery_app import celery_app

        assert cache is self.shared, "segment tasks meet in the shared cache"
        keys = [job.key() for job in jobs]
        paths: dict[str, Path] = {}
        for key in dict.fromkeys(keys):
            found = cache.lookup("segment", key)
            if found is not None and segment_complete(found, jobs[keys.index(key)]):
                cache.count(hit=True)
                paths[key] = found.file(found.meta["file"])
        first: dict[str, int] = {}  # one task per key: a repeated shot is one segment
        for n, key in enumerate(keys):
            if key not in paths:
                first.setdefault(key, n)
        # the longest first, so the last to finish is a short one
        todo = dict(sorted(first.items(), key=lambda item: -jobs[item[1]].frames))
        _, threads = concurrency([costs[n] for n in todo.values()], width, height, cores, budget)
        tasks: dict[str, Any] = {"queue": self.queue, "sent": len(todo), "by": {}}
        if todo:
            assert self.settings.broker_url
            app = celery_app(self.settings.broker_url, self.settings.piece_visibility_seconds)
            version = ffmpeg_version()

            def send(key: str, n: int) -> None:
                payload = {
                    "job": dataclasses.asdict(jobs[n]),
                    "key": key,
                    "files": share_inputs(self.shared, jobs[n]),
                    "threads": threads,
                    "ffmpeg": version,
                }
                app.send_task(
                    SEGMENT_TASK,
                    args=[str(self.job_id), self.attempt, payload],
                    queue=self.queue,
                )

            self._wait(jobs, todo, paths, tasks["by"], progress, send)
        run = {
            "encoded": len(todo),
            "reused": len(jobs) - len(todo),
            "frames_encoded": sum(jobs[n].frames for n in todo.values()),
            "jobs": len(tasks["by"]),  # at once: one on each worker that took a segment
            "threads": threads,
            "tasks": tasks,
        }
        return [paths[k] for k in keys], run

    def _wait(
        self,
        jobs: Sequence[SegmentJob],
        todo: dict[str, int],
        paths: dict[str, Path],
        by: dict[str, int],
        progress: Progress | None,
        send: Callable[[str, int], None],
    ) -> None:
        """Send each segment once the tails it reads have landed (a transition after its
        body), and wait until every one is in the shared cache, advancing progress."""
        waiting = dict(todo)
        unsent = dict(todo)
        total = sum(jobs[n].frames for n in todo.values()) or 1
        done_frames = 0
        sent = time.monotonic()
        while waiting:
            for key, n in list(unsent.items()):
                if all(body in paths for _, body in jobs[n].needs):
                    send(key, n)
                    del unsent[key]
            if self.lease.lost:
                from aifilm.server.worker import JobLost

                raise JobLost
            for key, n in list(waiting.items()):
                failure = left_error(self.shared.storage, self.job_id, self.attempt, key)
                if failure is not None:
                    raise StageError(
                        f"segment {n + 1} of {len(jobs)}: {failure['message']}",
                        stage="compose",
                        hint=failure.get("hint"),
                    )
                if not self.shared.shared("segment", key):
                    continue
                entry = self.shared.lookup("segment", key)
                if entry is None or not segment_complete(entry, jobs[n]):
                    continue
                self.shared.count(hit=False)  # made for this render, by some worker
                paths[key] = entry.file(entry.meta["file"])
                del waiting[key]
                worker = str(entry.meta.get("encoded_by", "?"))
                by[worker] = by.get(worker, 0) + 1
                done_frames += jobs[n].frames
                if progress is not None:
                    progress(0.98 * done_frames / total)
                if self.note is not None:
                    self.note(
                        f"compose: segment {n + 1} of {len(jobs)} encoded by {worker}",
                        {"segment": n + 1, "key": key, "worker": worker},
                    )
            if waiting and time.monotonic() - sent > self.settings.piece_timeout_seconds:
                raise StageError(
                    f"{len(waiting)} segment(s) not encoded within "
                    f"{self.settings.piece_timeout_seconds:g} s",
                    stage="compose",
                    hint=f"start a worker that consumes the queue '{self.queue}' "
                    "(aifilm worker --celery --queues ...)",
                )
            if waiting:
                time.sleep(self.poll_seconds)


def share_inputs(cache: SharedCache, job: SegmentJob) -> dict[str, dict[str, str]]:
    """Where a worker finds each file `job` reads: {path: {stage, key, name, digest}}."""
    files: dict[str, dict[str, str]] = {}
    made_elsewhere = {path for path, _ in job.needs}  # kept tails: from their body's entry
    for path in job.files():
        if path in made_elsewhere:
            continue
        local = Path(path)
        if not local.exists():
            continue  # not a file (FFmpeg reads it some other way): left as it is
        digest = content_digest(local)
        place = _entry_of(cache, local)
        if place is None:
            stage, key = INPUT_STAGE, cache_key(INPUT_STAGE, digest, local.name)
            name = local.name
            if not cache.shared(stage, key):
                entry = cache.fetch(stage, key, partial(_copy_input, local))
                if entry.hit:  # made here before, but not (or no longer) in the storage
                    cache.share(stage, key)
        else:
            stage, key, name = place
            if not cache.shared(stage, key):
                cache.share(stage, key)
        kind = "folder" if local.is_dir() else "file"
        files[path] = {"stage": stage, "key": key, "name": name, "digest": digest, "kind": kind}
    return files


def _entry_of(cache: Cache, path: Path) -> tuple[str, str, str] | None:
    """(stage, key, name in the entry) when `path` is inside a finished shareable entry."""
    try:
        parts = path.resolve().relative_to(cache.root.resolve()).parts
    except ValueError:
        return None
    if len(parts) < 4 or parts[0] in LOCAL_ONLY or parts[0].startswith("."):
        return None
    stage, key = parts[0], parts[2]
    if parts[1] != key[:2] or not (cache.root / stage / parts[1] / key / META).is_file():
        return None
    return stage, key, "/".join(parts[3:])


def _copy_input(path: Path, folder: Path) -> dict[str, Any]:
    """A segment input as a cache entry: a file (with the files an `.ffconcat` list names
    beside it), or a folder's files, under its own name."""
    if path.is_dir():
        shutil.copytree(path, folder / path.name)
        return {"name": path.name}
    shutil.copy2(path, folder / path.name)
    if path.suffix == ".ffconcat":
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip().startswith("file "):
                name = line.strip()[5:].strip().strip("'\"")
                if not Path(name).is_absolute() and (path.parent / name).is_file():
                    (folder / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path.parent / name, folder / name)
    return {"name": path.name}


def localise(job: SegmentJob, places: dict[str, Path]) -> SegmentJob:
    """`job` reading each file from its place on this machine (its paths replaced in the
    inputs, the reads and the graph, escaped as the graph holds them)."""
    if not places:
        return job
    plain = {old: str(new) for old, new in places.items()}  # arguments: as they are
    # in the graph, a path is escaped (where the two forms are the same, escaped wins)
    escaped = {escape_value(old): escape_value(str(new)) for old, new in places.items()}
    in_graph = {**plain, **escaped}
    # one pass, longest first: a path that contains another is replaced whole, and a
    # replacement is never replaced again
    pattern = re.compile("|".join(re.escape(k) for k in sorted(in_graph, key=len, reverse=True)))
    return dataclasses.replace(
        job,
        inputs=tuple(plain.get(a, a) for a in job.inputs),
        graph=pattern.sub(lambda m: in_graph[m.group(0)], job.graph),
        reads=tuple(plain.get(r, r) for r in job.reads),
        needs=tuple((plain.get(path, path), body) for path, body in job.needs),
    )


def encode_segment_task(
    settings: ServerSettings, state: Any, job_id: str, attempt: int, payload: dict[str, Any]
) -> str:
    """Encode one segment of a job into the shared cache (the task's body): what happened.

    "cached" (encoded already), "skipped" (the job is no longer running), "made", or
    "failed" (its error left in the storage for the job's coordinator).
    """
    from aifilm.server.models import Job

    key = str(payload["key"])
    with state.sessions() as session:
        job_row = session.get(Job, uuid.UUID(job_id))
        if job_row is None or job_row.status != "running":
            return "skipped"
    storage: Storage = state.storage
    cache = SharedCache(settings.cache_dir, storage)
    try:
        if cache.shared("segment", key):
            return "cached"
        if payload["ffmpeg"] != ffmpeg_version():
            raise InternalError(
                f"this worker's FFmpeg {ffmpeg_version()} is not the coordinator's "
                f"{payload['ffmpeg']}: its segment would differ from its key",
                hint="run the same FFmpeg on every worker (the one aifilm installs)",
            )
        job = _job_from(payload["job"])
        places = {
            path: _fetch_input(cache, settings, ref) for path, ref in payload["files"].items()
        }
        for path, body in job.needs:  # a transition reads the tail its body kept
            places[path] = _kept_tail(cache, body)
        local = localise(job, places)
        if local.key() != key:
            raise InternalError("a segment's input files did not arrive intact (its key changed)")
        threads = int(payload["threads"])
        by = worker_name()

        def make(folder: Path) -> dict[str, Any]:
            out = encode_segment(local, folder / "segment.ts", threads=threads)
            meta = {"file": out.name, "frames": job.frames, "fps": job.fps, "encoded_by": by}
            if local.tail_output is not None:
                meta["tail"] = tail_path(out).name
            return meta

        cache.fetch("segment", key, make)
        return "made"
    except Exception as error:
        import logging

        logging.getLogger("aifilm.server.segments").exception(
            "segment failed", extra={"job_id": job_id}
        )
        leave_error(storage, job_id, attempt, key, error)
        return "failed"


def _job_from(fields: dict[str, Any]) -> SegmentJob:
    """A `SegmentJob` from its JSON form (lists back to tuples)."""
    return SegmentJob(
        inputs=tuple(fields["inputs"]),
        graph=str(fields["graph"]),
        output=str(fields["output"]),
        encoder=tuple(fields["encoder"]),
        frames=int(fields["frames"]),
        fps=int(fields["fps"]),
        reads=tuple(fields.get("reads", ())),
        tail_output=fields.get("tail_output"),
        tail_frames=int(fields.get("tail_frames", 0)),
        needs=tuple((str(path), str(body)) for path, body in fields.get("needs", ())),
    )


def _kept_tail(cache: SharedCache, body: str) -> Path:
    """The tail a body segment kept (in its shared cache entry), for the transition after it."""
    entry = cache.lookup("segment", body)
    if entry is None or not isinstance(entry.meta.get("tail"), str):
        raise InternalError(
            f"the tail of segment {body[:12]} is not in the shared storage",
            hint="every worker must reach the same storage (docs/server.md, Fan-out)",
        )
    return entry.file(entry.meta["tail"])


def _fetch_input(cache: SharedCache, settings: ServerSettings, ref: dict[str, str]) -> Path:
    """A segment input on this machine: this worker's own fonts when they are the same
    (nothing fetched), else from the shared cache."""
    if ref.get("kind") == "folder":  # the fonts folder (libass' fontsdir)
        from aifilm.media.fonts import fonts_dir

        try:
            own = fonts_dir(settings.cache_dir)
        except Exception:  # no fonts here: fetched below
            own = None
        if own is not None and content_digest(own) == ref["digest"]:
            return own
    entry = cache.lookup(ref["stage"], ref["key"])
    if entry is None:
        raise InternalError(
            f"a segment's input ({ref['stage']} {ref['key'][:12]}) is not in the shared storage",
            hint="every worker must reach the same storage (docs/server.md, Fan-out)",
        )
    return entry.path / ref["name"]
