"""What the stages of one render share: project, backends, cache and results so far."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aifilm.pipeline.backend import Backend
from aifilm.pipeline.cache import Cache
from aifilm.pipeline.compose.base import Overlay
from aifilm.pipeline.direct.base import Direction
from aifilm.pipeline.fanout import PieceRunner, ThreadRunner
from aifilm.pipeline.music.base import MusicTrack
from aifilm.pipeline.plan.timing import LineKey
from aifilm.pipeline.timeline import SpeechClip, Timeline
from aifilm.pipeline.visuals.base import Visual
from aifilm.spec.models import Project


@dataclass(frozen=True)
class ProgressEvent:
    """A step of progress: `done` of `total` items in `stage` (total 0: unknown)."""

    stage: str
    done: float
    total: float
    message: str = ""
    event: str = "progress"  # start | progress | finish | warning

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (for `--json` output and the server's progress events)."""
        return asdict(self)


ProgressCallback = Callable[[ProgressEvent], None]
_SHOT_NOTE = re.compile(r"shot (\S+): (.*)", re.DOTALL)


@dataclass
class StageReport:
    """How one stage went: which backend, how long, what came from the cache."""

    name: str
    backend: str | None = None
    seconds: float = 0.0
    items: int = 0
    cache_hits: int = 0
    cache_misses: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class RenderState:
    """Results of the stages so far, filled in pipeline order."""

    speech: dict[LineKey, SpeechClip] = field(default_factory=dict)
    speech_keys: dict[LineKey, str] = field(default_factory=dict)
    timeline: Timeline | None = None
    directions: list[Direction] = field(default_factory=list)  # per shot (the direct stage)
    music: MusicTrack | None = None
    music_key: str | None = None
    visuals: list[Visual] = field(default_factory=list)
    visual_keys: list[str] = field(default_factory=list)
    credits: list[dict[str, Any]] = field(default_factory=list)  # stock pictures' authors
    overlays: list[tuple[Overlay, ...]] = field(default_factory=list)  # per shot (lip-sync)
    overlay_keys: list[list[str]] = field(default_factory=list)
    # srt, vtt, ass (main language); srt:<lang>, vtt:<lang> when there are several languages
    subtitles: dict[str, Path] = field(default_factory=dict)
    subtitle_tracks: dict[str, Path] = field(default_factory=dict)  # language -> SRT, for the MP4
    audio: Path | None = None
    audio_aac: Path | None = None  # the same mix as the film's AAC track
    audio_key: str | None = None
    audio_facts: dict[str, Any] = field(default_factory=dict)
    film: Path | None = None
    thumbnail: Path | None = None
    film_facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class RenderContext:
    """One render: inputs, backends, cache, scratch folder, progress and report."""

    project: Project
    backends: dict[str, Backend]
    cache: Cache
    workdir: Path
    size: tuple[int, int]
    fps: int
    quality: str
    on_progress: ProgressCallback | None = None
    state: RenderState = field(default_factory=RenderState)
    reports: list[StageReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    workers: int = 2
    fonts_base: Path | None = None  # where the FFmpeg-safe fonts folder is made (the cache dir)
    runner: PieceRunner = field(default_factory=ThreadRunner)  # who makes per-shot pieces
    # whether a stage may finish its work in the background (`defer`): only where something
    # settles it, as `Pipeline.run` does
    overlap: bool = False
    pending: dict[str, Future[None]] = field(default_factory=dict)  # stage -> deferred work

    def defer(self, stage: str, work: Callable[[], None]) -> None:
        """Run `work`, the rest of `stage`, in a thread while later stages go on.

        For work whose results a later stage needs only near its end (the mix, which the
        composer joins to the picture it encodes meanwhile). `settle` waits for it.
        """
        if stage in self.pending:
            raise RuntimeError(f"stage {stage} already has work in the background")
        future: Future[None] = Future()

        def run() -> None:
            try:
                work()
            except BaseException as error:  # handed to whoever settles it
                future.set_exception(error)
            else:
                future.set_result(None)

        threading.Thread(target=run, name=f"aifilm-{stage}", daemon=True).start()
        self.pending[stage] = future

    def settle(self, stage: str | None = None) -> None:
        """Wait for `stage`'s deferred work (every stage's, without one); raise its error."""
        names = [stage] if stage is not None else list(self.pending)
        for name in names:
            future = self.pending.pop(name, None)
            if future is not None:
                future.result()

    def settle_quietly(self) -> None:
        """Wait for all deferred work, ignoring its errors (a render already failing)."""
        for future in list(self.pending.values()):
            with contextlib.suppress(BaseException):
                future.result()
        self.pending.clear()

    def progress(
        self, stage: str, done: float, total: float, message: str = "", event: str = "progress"
    ) -> None:
        """Send a progress event to whoever listens."""
        if self.on_progress is not None:
            self.on_progress(ProgressEvent(stage, done, total, message, event))

    def warn(self, stage: str, message: str) -> None:
        """Record a warning for the report and tell the listener."""
        self.warnings.append(message)
        self.progress(stage, 0, 0, message, event="warning")

    def warn_shots(self, stage: str, notes: list[str]) -> None:
        """Warn once per distinct note of the form "shot ID: text", naming all its shots.

        For what changes the film a viewer sees (a character left as a still, a prompt
        drawn without AI): the person rendering must learn it as it happens, not only
        from the report, and once rather than once per shot.
        """
        shots_of: dict[str, list[str]] = {}
        for note in notes:
            found = _SHOT_NOTE.match(note)
            shot, text = (found.group(1), found.group(2)) if found else ("", note)
            shots_of.setdefault(text, []).append(shot)
        for text, shots in shots_of.items():
            named = list(dict.fromkeys(s for s in shots if s))
            where = f"shot{'s' if len(named) > 1 else ''} {', '.join(named)}: " if named else ""
            self.warn(stage, where + text)


class StageTimer:
    """Times a stage and counts its cache hits into a `StageReport`."""

    def __init__(self, ctx: RenderContext, report: StageReport) -> None:
        self.ctx = ctx
        self.report = report

    def __enter__(self) -> StageReport:
        self._start = time.perf_counter()
        self._scope = contextlib.ExitStack()
        self._tally = self._scope.enter_context(Cache.counting())
        self.ctx.progress(self.report.name, 0, 0, event="start")
        return self.report

    def __exit__(self, *exc: object) -> None:
        self._scope.close()
        self.report.seconds = round(time.perf_counter() - self._start, 3)
        self.report.cache_hits = self._tally.hits
        self.report.cache_misses = self._tally.misses
        self.ctx.reports.append(self.report)
        if exc[0] is None:
            self.ctx.progress(self.report.name, 1, 1, event="finish")
