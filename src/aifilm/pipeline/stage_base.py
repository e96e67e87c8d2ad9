"""The base of every stage, and the backend kinds stages use.

Kept apart from the built-in stages (`aifilm.pipeline.stages`) so stages in their own
folders and plug-ins can subclass `Stage` without importing all of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from aifilm.errors import StageError
from aifilm.pipeline.cache import Entry
from aifilm.pipeline.context import RenderContext, StageReport, StageTimer
from aifilm.pipeline.fanout import Piece
from aifilm.pipeline.timeline import Timeline


@dataclass(frozen=True)
class BackendKind:
    """A kind of backend a stage uses: its name (a registry stage, a `backends:` key, an
    `AIFILM_<NAME>_BACKEND` variable) and its default backend (None: the stage works
    without one, and uses one only when chosen)."""

    name: str
    default: str | None


# Kokoro-82M where it speaks the language, espeak-ng elsewhere (and as its fallback).
VOICE = BackendKind("voice", "kokoro")
MUSIC = BackendKind("music", "midi")
VISUALS = BackendKind("visuals", "stills")
LIPSYNC = BackendKind("lipsync", "visemes")
TRANSLATE = BackendKind("translate", "spec")
COMPOSE = BackendKind("compose", "ffmpeg")
LLM = BackendKind("llm", None)


class Stage(ABC):
    """One step of the pipeline, declaring what it reads, writes and uses."""

    name: ClassVar[str]
    reads: ClassVar[tuple[str, ...]] = ()  # RenderState fields it needs filled
    writes: ClassVar[tuple[str, ...]] = ()  # RenderState fields it fills
    # fields of `writes` filled only when its work deferred with `RenderContext.defer` is done
    deferred_writes: ClassVar[tuple[str, ...]] = ()
    # fields of `reads` it uses only after `ctx.settle(<the stage writing them>)`: it may
    # start while that stage's deferred work still runs (others start once it is done)
    late_reads: ClassVar[tuple[str, ...]] = ()
    backends: ClassVar[tuple[BackendKind, ...]] = ()  # kinds it takes from ctx.backends
    after: ClassVar[str | None] = None  # a plug-in stage: the stage it runs after

    @abstractmethod
    def run(self, ctx: RenderContext) -> None:
        """Do the stage's work, reading and writing `ctx.state`."""

    def _timer(self, ctx: RenderContext, backend: str | None = None) -> StageTimer:
        return StageTimer(ctx, StageReport(self.name, backend))


class FanOutStage(Stage):
    """A stage whose work is independent pieces (one per line, shot or face).

    `pieces` lists them from what earlier stages left in `ctx.state` (it makes nothing but
    cheap cached look-ups), so any process that has run the earlier stages, here or on
    another machine, can list the same pieces and make one of them (`aifilm.server.pieces`).
    """

    @abstractmethod
    def pieces(self, ctx: RenderContext) -> list[Piece]:
        """The stage's pieces, in the order `run` uses their entries."""

    def make_all(self, ctx: RenderContext, pieces: list[Piece], threads: int) -> list[Entry]:
        """Every piece's entry through the render's runner, progress advancing per piece."""
        count = 0

        def done(i: int, entry: Entry) -> None:
            nonlocal count
            count += 1
            ctx.progress(self.name, count, len(pieces), pieces[i].label)

        return ctx.runner.run(ctx, self.name, pieces, done, threads)


def needs_timeline(ctx: RenderContext) -> Timeline:
    """The plan stage's timeline, or a `StageError` saying the plan must run first."""
    if ctx.state.timeline is None:
        raise StageError("needs the plan stage to have run first", stage="plan")
    return ctx.state.timeline
