"""Per-shot work fanned out: the pieces a stage needs, and who makes them.

The voice, visuals and lip-sync stages each need one independent piece of work per line,
shot or face: a cache entry, named by its key and made by a function. A stage lists its
`Piece`s and hands them to the render's `PieceRunner`, which makes the missing ones and
returns every entry in order, calling back as each is done (so progress advances per piece):

- `ThreadRunner` (the default): threads in this process, as many as `Settings.workers`.
- `ProcessRunner` (`aifilm render --workers N`, `render(workers=N)`): N forked processes.
- the server's Celery runner (`aifilm.server.pieces`): one task per piece, across machines.

Whoever makes a piece, it lands in the same content cache under the same key, so a
re-render is unchanged; an error names the piece's shot.
"""

from __future__ import annotations

import pickle
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aifilm.errors import InternalError, UserError
from aifilm.pipeline.blame import blame
from aifilm.pipeline.cache import Entry, in_this_scope

if TYPE_CHECKING:
    from aifilm.pipeline.compose.base import SegmentEncoder
    from aifilm.pipeline.context import RenderContext

Done = Callable[[int, Entry], None]
MAX_PROCESSES = 64


@dataclass(frozen=True)
class Piece:
    """One independent piece of a stage: cache entry `stage`/`key`, made by `make(folder)`.

    `shot` and `source` name it in errors ("shot 2.1 line 1", "project.yaml:12");
    `label` is what progress shows while it is made.
    """

    stage: str
    key: str
    make: Callable[[Path], dict[str, Any]] = field(compare=False, repr=False)
    label: str = ""
    shot: str | None = None
    source: str | None = None
    kind: str = ""  # the backend kind that does the work (voice, visuals, lipsync): its queue


class PieceRunner(ABC):
    """Makes a stage's pieces (cached ones are looked up) and returns their entries in order."""

    @abstractmethod
    def run(
        self, ctx: RenderContext, stage: str, pieces: Sequence[Piece], done: Done, threads: int
    ) -> list[Entry]:
        """Every piece's entry, in order; `done(i, entry)` as each finishes (in any order).

        `threads` is how many threads of one process may work at once (1: a backend that is
        not thread-safe); separate processes and machines are not limited by it.
        """

    def segment_encoder(self, ctx: RenderContext) -> SegmentEncoder | None:
        """Who encodes the film's segments missing from the cache; None: the composer, in
        this process. Its FFmpeg runs already use every core within a memory budget, so
        threads and forked processes add nothing; the server's Celery runner sends them to
        other machines as tasks (`aifilm.server.segments`)."""
        return None


class ThreadRunner(PieceRunner):
    """Threads in this process (today's default): `ctx.workers` at once."""

    def run(
        self, ctx: RenderContext, stage: str, pieces: Sequence[Piece], done: Done, threads: int
    ) -> list[Entry]:
        def one(piece: Piece) -> Entry:
            with blame(stage, shot=piece.shot, source=piece.source):
                return ctx.cache.fetch(piece.stage, piece.key, piece.make)

        entries: list[Entry | None] = [None] * len(pieces)
        with ThreadPoolExecutor(max_workers=max(1, min(threads, ctx.workers))) as pool:
            futures = {pool.submit(in_this_scope(one), piece): i for i, piece in enumerate(pieces)}
            for future in _in_completion_order(futures):
                i = futures[future]
                entry = entries[i] = future.result()
                done(i, entry)
        return [e for e in entries if e is not None]


def _in_completion_order(futures: dict[Future[Any], int]) -> list[Future[Any]]:
    """The futures as they finish; the first error stops waiting (and is raised by the caller)."""
    pending, ordered = set(futures), []
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=futures.__getitem__):
            ordered.append(future)
            if future.exception() is not None:
                for other in pending:
                    other.cancel()
                return ordered
    return ordered


# The pieces of the stage being fanned out to forked processes: the children inherit them,
# so backends and closures need not be pickled; only entries (and errors) travel back.
_FORKED: list[tuple[Any, Piece]] = []


@dataclass(frozen=True)
class _Failed:
    """An error raised in a child process, in a form that survives pickling."""

    error: BaseException | None
    text: str


def _make_forked(index: int) -> Entry | _Failed:
    cache, piece = _FORKED[index]
    try:
        return cache.fetch(piece.stage, piece.key, piece.make)  # type: ignore[no-any-return]
    except Exception as error:  # sent back, raised in the parent with the shot named
        try:
            again = pickle.loads(pickle.dumps(error))
            return _Failed(again if type(again) is type(error) else None, _describe(error))
        except Exception:
            return _Failed(None, _describe(error))


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class ProcessRunner(PieceRunner):
    """`processes` forked processes: per-shot work on every core, whatever the backend's GIL use.

    Pieces are made in children forked from this process, so the backends need not be
    picklable; a piece's entry is written to the cache by the child and read here. Where
    `fork` does not exist (Windows) the pieces run in threads instead.
    """

    def __init__(self, processes: int) -> None:
        if processes < 1:
            raise ValueError("processes must be at least 1")
        self.processes = processes

    def run(
        self, ctx: RenderContext, stage: str, pieces: Sequence[Piece], done: Done, threads: int
    ) -> list[Entry]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        entries: list[Entry | None] = [None] * len(pieces)
        todo = []
        for i, piece in enumerate(pieces):  # cached pieces cost a lookup here, not a process
            found = ctx.cache.lookup(piece.stage, piece.key)
            if found is None:
                todo.append(i)
                continue
            ctx.cache.count(hit=True)
            entries[i] = found
            done(i, found)
        count = min(self.processes, len(todo))
        if count <= 1 or "fork" not in multiprocessing.get_all_start_methods():
            left = [pieces[i] for i in todo]
            rest = ThreadRunner().run(ctx, stage, left, _shift(done, todo), threads)
            for i, entry in zip(todo, rest, strict=True):
                entries[i] = entry
            return [e for e in entries if e is not None]
        _FORKED[:] = [(ctx.cache, piece) for piece in pieces]
        try:
            with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = {pool.submit(_make_forked, i): i for i in todo}
                for future in _in_completion_order(futures):
                    i = futures[future]
                    piece = pieces[i]
                    with blame(stage, shot=piece.shot, source=piece.source):
                        result = future.result()
                        if isinstance(result, _Failed):
                            if result.error is not None:
                                raise result.error
                            raise InternalError(result.text)
                    ctx.cache.count(hit=result.hit)
                    entries[i] = result
                    done(i, result)
        finally:
            _FORKED.clear()
        return [e for e in entries if e is not None]


def _shift(done: Done, indices: list[int]) -> Done:
    return lambda i, entry: done(indices[i], entry)


def default_runner(processes: int | None) -> PieceRunner:
    """Threads (today's default) unless a number of processes is asked for."""
    if processes is None:
        return ThreadRunner()
    if not 1 <= processes <= MAX_PROCESSES:
        raise UserError(
            f"workers: {processes} processes is out of range",
            hint=f"give 1 to {MAX_PROCESSES} (about one per core), e.g. --workers 4",
        )
    return ProcessRunner(processes)
