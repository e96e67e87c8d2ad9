"""Render a project: run the stages, then put the film, subtitles, thumbnail and report in place.

Nothing is written at the output folder unless the render succeeds: files are
gathered in a staging folder beside the outputs and moved into place at the end.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from aifilm.about import notices_file
from aifilm.errors import UserError
from aifilm.media.probe import MediaInfo, probe
from aifilm.pipeline.backend import Backend
from aifilm.pipeline.cache import Cache
from aifilm.pipeline.choice import BackendChoice, choose_backends
from aifilm.pipeline.context import ProgressCallback, RenderContext, RenderState
from aifilm.pipeline.fanout import PieceRunner, default_runner
from aifilm.pipeline.preflight import preflight
from aifilm.pipeline.registry import Registry, registry
from aifilm.pipeline.stage_base import Stage
from aifilm.settings import Settings
from aifilm.spec.models import Project

PREVIEW_LONG_SIDE = 640  # a preview's longer side, at most
AUDIO_SKIPS = (
    "direct",
    "visuals",
    "lipsync",
    "compose",
)  # stages an audio-only render does not run


def slugify(text: str) -> str:
    """A file-name-safe slug of a title, in its own script.

    'The Thirsty Crow!' -> 'the-thirsty-crow', 'बारिश कैसे होती है?' -> 'बारिश-कैसे-होती-है':
    letters, combining marks (vowel signs) and digits stay; everything else becomes '-'.
    """
    kept = [
        c if unicodedata.category(c)[0] in "LMN" else "-"
        for c in unicodedata.normalize("NFKC", text).lower()
    ]
    slug = re.sub(r"-+", "-", "".join(kept)).strip("-")
    return slug[:60].rstrip("-") or "film"


@dataclass
class RenderResult:
    """What a render produced: the files, their facts, and the report.

    With `audio_only`, `video` is the episode's audio file (.m4a or .mp3) and there is
    no thumbnail.
    """

    video: Path
    thumbnail: Path | None
    subtitles: dict[str, Path]
    report_path: Path
    info: MediaInfo
    report: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    audio_only: bool = False

    @property
    def duration(self) -> float:
        """Length of the film in seconds."""
        return self.info.duration

    def _repr_html_(self) -> str:
        """In a notebook: the film in a player with its subtitles, and its shots."""
        from aifilm.notebook import result_html

        return result_html(self)


class Pipeline:
    """The stages with their backends, for one project; run all or some of them.

    In a notebook::

        pipe = Pipeline(project, voice="espeak")
        pipe.run(until="plan")
        pipe.state.timeline.shots[0]
    """

    def __init__(
        self,
        project: Project,
        *,
        voice: BackendChoice = None,
        music: BackendChoice = None,
        visuals: BackendChoice = None,
        compose: BackendChoice = None,
        translate: BackendChoice = None,
        lipsync: BackendChoice = None,
        preview: bool = False,
        cache: Cache | bool = True,
        settings: Settings | None = None,
        on_progress: ProgressCallback | None = None,
        backends: Registry | None = None,
        stages: Iterable[Stage] | None = None,
        choices: Mapping[str, BackendChoice] | None = None,
        workers: int | None = None,
        runner: PieceRunner | None = None,
    ) -> None:
        self.project = project
        self.settings = settings or Settings()
        reg = backends or registry
        # Kinds beyond the six named arguments (llm, a plug-in stage's) come in `choices`.
        arguments = {
            **(choices or {}),
            "voice": voice,
            "music": music,
            "visuals": visuals,
            "lipsync": lipsync,
            "translate": translate,
            "compose": compose,
        }
        self.backends: dict[str, Backend] = choose_backends(
            reg,
            arguments={k: v for k, v in arguments.items() if v is not None},
            project_backends=project.backends,
            settings=self.settings,
        )
        self._owns_cache = not isinstance(cache, Cache)
        if isinstance(cache, Cache):
            self.cache = cache
        else:
            use = cache and not self.settings.no_cache
            self.cache = Cache(self.settings.cache_dir if use else None, enabled=use)
        width, height = project.output.size
        fps, quality = project.output.fps, project.output.quality
        if preview:
            scale = min(1.0, PREVIEW_LONG_SIDE / max(width, height))
            width = max(64, int(width * scale) // 2 * 2)
            height = max(64, int(height * scale) // 2 * 2)
            fps, quality = min(fps, 15), "draft"
        self.stages: list[Stage] = (
            list(stages) if stages is not None else [cls() for cls in reg.stage_classes()]
        )
        self._workdir = Path(tempfile.mkdtemp(prefix="aifilm-work-"))
        self.context = RenderContext(
            project=project,
            backends=self.backends,
            cache=self.cache,
            workdir=self._workdir,
            size=(width, height),
            fps=fps,
            quality=quality,
            on_progress=on_progress,
            workers=self.settings.workers,
            fonts_base=self.settings.cache_dir,
            runner=runner or default_runner(workers),
        )

        for warning in project.load_warnings:
            self.context.warn("load", warning)

    @property
    def state(self) -> RenderState:
        """Results of the stages run so far."""
        return self.context.state

    def run(self, *, until: str | None = None) -> RenderState:
        """Run the stages in order, stopping after the one named `until`."""
        names = [stage.name for stage in self.stages]
        if until is not None and until not in names:
            raise ValueError(f"unknown stage '{until}'; stages: {', '.join(names)}")
        # Before any work: a script longer than a film may be stops here, with the ways forward.
        check_fits(self.project, self.backends["voice"])
        ctx = self.context
        ctx.overlap = True
        deferred = {stage.name: set(stage.deferred_writes) for stage in self.stages}
        try:
            for stage in self.stages:
                for name in list(ctx.pending):  # deferred work this stage cannot start without
                    if not deferred.get(name, set()) <= set(stage.late_reads):
                        ctx.settle(name)
                stage.run(ctx)
                if stage.name == until:
                    break
            ctx.settle()
        finally:
            ctx.settle_quietly()  # nothing runs on once the render has failed
            ctx.overlap = False
        return self.state

    def close(self) -> None:
        """Remove the scratch folder (and the throw-away cache of a render without one)."""
        shutil.rmtree(self._workdir, ignore_errors=True)
        if self._owns_cache and not self.cache.enabled:
            shutil.rmtree(self.cache.root, ignore_errors=True)


def keep_cache_in_bounds(pipe: Pipeline) -> None:
    """Prune the cache to `Settings.cache_max_size` (0: no cap), least recently used first.

    Runs after every render, finished or not, so the cache cannot grow without bound.
    """
    cap = int(pipe.settings.cache_max_size)
    if pipe.cache.enabled and cap > 0:
        pipe.cache.prune(cap)


def render_stages(audio_only: bool = False) -> list[Stage]:
    """The stages a render runs (plug-in stages included): all of them, or the sound only."""
    chosen = registry.stage_classes()
    return [cls() for cls in chosen if not (audio_only and cls.name in AUDIO_SKIPS)]


def output_folder(project: Project, out_dir: str | Path | None) -> Path:
    """Where a render writes: `out_dir`, else `renders/` beside the project."""
    return Path(out_dir) if out_dir is not None else project.base_dir / "renders"


def render(
    project: Project | str | Path,
    out_dir: str | Path | None = None,
    *,
    voice: BackendChoice = None,
    music: BackendChoice = None,
    visuals: BackendChoice = None,
    compose: BackendChoice = None,
    translate: BackendChoice = None,
    lipsync: BackendChoice = None,
    preview: bool = False,
    cache: Cache | bool = True,
    settings: Settings | None = None,
    on_progress: ProgressCallback | None = None,
    audio_only: bool = False,
    audio_format: str = "m4a",
    progress: bool = True,
    choices: Mapping[str, BackendChoice] | None = None,
    workers: int | None = None,
    runner: PieceRunner | None = None,
) -> RenderResult:
    """Render a project (or a path to one) into `out_dir` (default: `renders/` beside it).

    Writes `<slug>.mp4`, `<slug>.srt`, `<slug>.vtt`, `<slug>.png` and
    `render-report.json`; with several subtitle languages also `<slug>.<lang>.srt` and
    `.vtt` for each (`RenderResult.subtitles` keys `srt:<lang>`, `vtt:<lang>`). Nothing
    appears in `out_dir` unless the render succeeds.
    `choices` picks backends of other kinds by name, e.g. `{"llm": "openai"}`.
    With `audio_only`, skips the pictures and writes the final mix as an episode,
    `<slug>.m4a` (AAC) or `<slug>.mp3` (`audio_format`), with a chapter per scene.

    Progress goes to `on_progress`; without one it is shown on stderr (bars in a terminal
    or notebook, a line per stage in a log) unless `progress=False`.

    `workers=N` makes the per-line and per-shot pieces (voices, pictures, lip-sync) in N
    processes; by default they run in `Settings.workers` threads. `runner` hands them to
    another `PieceRunner` (the hosted server's Celery one).
    """
    from aifilm.pipeline.episode import AUDIO_FORMATS

    if audio_format not in AUDIO_FORMATS:
        raise UserError(
            f"unknown audio format '{audio_format}'", hint=f"use one of: {', '.join(AUDIO_FORMATS)}"
        )
    started = time.perf_counter()
    cpu_started = os.times()
    if not isinstance(project, Project):
        project = Project.load(project)
    out = output_folder(project, out_dir)
    pipe = Pipeline(
        project,
        voice=voice,
        music=music,
        visuals=visuals,
        compose=compose,
        translate=translate,
        lipsync=lipsync,
        preview=preview,
        cache=cache,
        settings=settings,
        on_progress=on_progress,
        choices=choices,
        stages=render_stages(audio_only),
        workers=workers,
        runner=runner,
    )
    slug = slugify(project.title) + ("-preview" if preview else "")
    display = ExitStack()
    if on_progress is None and progress:
        from aifilm.progress import progress_display

        pipe.context.on_progress = display.enter_context(progress_display())
    try:
        preflight(pipe, out)
        if audio_only:
            return _render_audio(pipe, out, slug, audio_format, started, cpu_started)
        state = pipe.run()
        assert state.film is not None and state.thumbnail is not None and state.timeline is not None
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=out))
        try:
            files = {"video": staging / f"{slug}.mp4", "thumbnail": staging / f"{slug}.png"}
            _place(state.film, files["video"])
            shutil.copyfile(state.thumbnail, files["thumbnail"])
            files.update(_subtitle_files(state.subtitles, staging, slug))
            info = probe(files["video"])
            report = _report(pipe, info, started, cpu_started, preview)
            files["report"] = staging / "render-report.json"
            files["report"].write_text(
                json.dumps(report, indent=2, ensure_ascii=False, default=str)
            )
            final = {kind: out / path.name for kind, path in files.items()}
            for kind, path in files.items():
                os.replace(path, final[kind])
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        display.close()
        pipe.close()
        keep_cache_in_bounds(pipe)
    return RenderResult(
        video=final["video"],
        thumbnail=final["thumbnail"],
        subtitles={k: v for k, v in final.items() if _is_subtitle(k)},
        report_path=final["report"],
        info=probe(final["video"]),
        report=report,
        warnings=list(pipe.context.warnings),
    )


def check_fits(project: Project, voice: Backend) -> None:
    """Refuse, before any work, a script that plans longer than a film may run."""
    from aifilm.pipeline.plan.estimate import estimate_speech_seconds, speech_estimates
    from aifilm.pipeline.plan.length import too_long
    from aifilm.pipeline.plan.timing import plan_timeline
    from aifilm.pipeline.stages import speech_requests
    from aifilm.pipeline.voice.base import VoiceBackend
    from aifilm.spec.models import MAX_DURATION_S

    assert isinstance(voice, VoiceBackend)
    requests = speech_requests(project)
    rough = plan_timeline(
        project,
        lambda key: estimate_speech_seconds(
            requests[key].text, requests[key].language, requests[key].rate, requests[key].preset
        ),
    )
    if rough.duration <= MAX_DURATION_S / 2:
        return  # half the limit by word count: no voice is that much slower; skip the cost
    seconds = speech_estimates(project, voice)
    timeline = plan_timeline(project, lambda key: seconds[key])
    too_long(timeline, project, source=str(project.source or ""), estimated=True)


def _render_audio(
    pipe: Pipeline,
    out: Path,
    slug: str,
    audio_format: str,
    started: float,
    cpu_started: os.times_result,
) -> RenderResult:
    """The episode: the final mix with chapters, subtitles and the report; no pictures."""
    from aifilm.pipeline.episode import export_episode, scene_chapters

    state = pipe.run()
    assert state.audio is not None and state.timeline is not None
    project = pipe.project
    chapters = scene_chapters(project, state.timeline)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=out))
    try:
        files = {"video": staging / f"{slug}.{audio_format}"}
        hosts = sorted({line.speaker for line in state.timeline.lines if line.speaker})
        export_episode(
            state.audio,
            files["video"],
            chapters,
            title=project.title,
            artist=", ".join(hosts) or None,
            fmt="mp3" if audio_format == "mp3" else "m4a",
        )
        files.update(_subtitle_files(state.subtitles, staging, slug))
        info = probe(files["video"])
        report = _report(pipe, info, started, cpu_started, False)
        report["audio_only"] = True
        report["chapters"] = [asdict(c) for c in chapters]
        files["report"] = staging / "render-report.json"
        files["report"].write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
        final = {kind: out / path.name for kind, path in files.items()}
        for kind, path in files.items():
            os.replace(path, final[kind])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RenderResult(
        video=final["video"],
        thumbnail=None,
        subtitles={k: v for k, v in final.items() if _is_subtitle(k)},
        report_path=final["report"],
        info=probe(final["video"]),
        report=report,
        warnings=list(pipe.context.warnings),
        audio_only=True,
    )


def _is_subtitle(kind: str) -> bool:
    return kind.partition(":")[0] in ("srt", "vtt")


def _subtitle_files(subtitles: Mapping[str, Path], folder: Path, slug: str) -> dict[str, Path]:
    """Copy the subtitle files into `folder`: "srt" -> <slug>.srt, "srt:hi" -> <slug>.hi.srt."""
    files = {}
    for kind, source in subtitles.items():
        if _is_subtitle(kind):  # the ASS file is only for burning in
            suffix, _, language = kind.partition(":")
            name = f"{slug}.{language}.{suffix}" if language else f"{slug}.{suffix}"
            files[kind] = folder / name
            shutil.copyfile(source, files[kind])
    return files


def _place(source: Path, target: Path) -> None:
    """Hard-link a cached file into place when possible (instant, no extra space), else copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _scenes(visuals: list[Any] | None) -> list[dict[str, Any] | None]:
    """Each shot's `scene.json` (what an illustrated still shows), read once for the report."""
    from aifilm.pipeline.visuals.stills import read_scene

    return [read_scene(visual.path) for visual in visuals or []]


def _pictures(scenes: list[dict[str, Any] | None], n: int) -> dict[str, Any]:
    """An illustrated shot's words matched and pictures used, if any."""
    scene = scenes[n] if n < len(scenes) else None
    if scene is None:
        return {}
    return {
        "setting": scene["setting"],
        "words_matched": scene["words"],
        "pictures": [
            {
                "name": p["name"],
                "word": p["word"],
                "who": p["who"],
                "license": p.get("license", scene["licence"]["license"]),
            }
            for p in scene["pictures"]
        ],
    }


def _art(scenes: list[dict[str, Any] | None]) -> list[dict[str, str]]:
    """The licences of the shipped art the film shows, with the credit a description can use."""
    seen: dict[str, dict[str, str]] = {}
    for scene in scenes:
        if scene is not None:
            seen.setdefault(scene["licence"]["source"], dict(scene["licence"]))
    if seen:
        from aifilm.draw import assets

        for entry in seen.values():
            entry.setdefault("url", assets.licence().url)
    return list(seen.values())


def _report(
    pipe: Pipeline, info: MediaInfo, started: float, cpu_started: os.times_result, preview: bool
) -> dict[str, Any]:
    ctx = pipe.context
    timeline = ctx.state.timeline
    assert timeline is not None
    scenes = _scenes(ctx.state.visuals)
    cpu_now = os.times()
    cpu = (cpu_now.user - cpu_started.user) + (cpu_now.system - cpu_started.system)
    cpu += (cpu_now.children_user - cpu_started.children_user) + (
        cpu_now.children_system - cpu_started.children_system
    )
    wall = time.perf_counter() - started
    from aifilm import __version__
    from aifilm.cast.report import cast_report
    from aifilm.media.ffmpeg import ffmpeg_version

    return {
        "aifilm": __version__,
        "project": {
            "title": ctx.project.title,
            "source": str(ctx.project.source or ""),
            "language": ctx.project.language,
            "mode": ctx.project.mode,
        },
        "preview": preview,
        "audio_only": False,
        "cast": cast_report(ctx.project),  # who each character is and the voice they got
        "wall_seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "realtime_factor": round(info.duration / wall, 2) if wall else None,
        "cache": {
            "dir": str(ctx.cache.root) if ctx.cache.enabled else None,
            "hits": ctx.cache.hits,
            "misses": ctx.cache.misses,
        },
        "stages": [asdict(r) for r in ctx.reports],
        "third_party_notices": str(notices_file()),  # what aifilm ships that others wrote
        "backends": {
            stage: {
                "name": b.name,
                "license": b.license,
                "weights_license": b.weights_license,
                "commercial_use": b.commercial_use,
                "terms": b.terms,
            }
            for stage, b in ctx.backends.items()
        },
        "timeline": {
            "target_seconds": timeline.target,
            "duration_seconds": round(timeline.duration, 3),
            "shots": [
                {
                    "id": s.id,
                    "start": round(s.start, 3),
                    "duration": round(s.duration, 3),
                    "visual": s.visual.kind,
                    "camera": s.camera,
                    "transition": s.transition,
                    "lines": len(s.lines),
                    "source": s.source,
                    **_pictures(scenes, n),
                }
                for n, s in enumerate(timeline.shots)
            ],
        },
        # Stock pictures and clips: provider, author, page and licence per shot (for a video
        # description); generated ones: provider, model, terms and estimated cost per shot.
        "stock": [c for c in ctx.state.credits if c.get("kind") != "generated"],
        "generated": [c for c in ctx.state.credits if c.get("kind") == "generated"],
        "provider_cost_usd": round(
            sum(float(c.get("cost_usd") or 0) for c in ctx.state.credits), 4
        ),
        "art": (art := _art(scenes)),
        # One line per art source, ready to paste into a video description.
        "credits": "\n".join(f"Pictures: {a['attribution']} ({a['url']})" for a in art),
        "audio": ctx.state.audio_facts,
        "output": info.to_dict(),
        "composer": ctx.state.film_facts,
        "warnings": ctx.warnings,
        "environment": {
            "python": platform.python_version(),
            "ffmpeg": ffmpeg_version(),
            "platform": platform.platform(),
        },
    }
