"""`aifilm render`: make the film, with progress bars (a line per stage in logs; JSON lines
with --json)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from aifilm.cli import backend_options
from aifilm.cli.console import console, emit_json, escape, out, show_error
from aifilm.pipeline.render import render
from aifilm.progress import progress_display
from aifilm.settings import Settings
from aifilm.spec.loader import load_project


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("render")
    def render_command(
        path: Path = typer.Argument(..., help="project.yaml, or a bare script (.fountain, .txt)."),
        out_dir: Path | None = typer.Option(
            None, "--out", "-o", help="Output folder (default: renders/ beside the project)."
        ),
        preview: bool = typer.Option(False, "--preview", help="Fast low-resolution draft."),
        as_json: bool = typer.Option(
            False, "--json", help="Print progress and the result as JSON lines."
        ),
        no_cache: bool = typer.Option(
            False, "--no-cache", help="Redo every stage; read and write no cache."
        ),
        language: str | None = typer.Option(
            None, "--language", "-l", help="Language of a bare script file."
        ),
        mode: str | None = typer.Option(
            None, "--mode", help="film or podcast (hosts on a split screen); overrides the file."
        ),
        audio_only: bool = typer.Option(
            False, "--audio-only", help="Only the sound: an episode file with chapters, no video."
        ),
        audio_format: str = typer.Option(
            "m4a", "--audio-format", help="Episode format with --audio-only: m4a (AAC) or mp3."
        ),
        voice: str | None = backend_options.VOICE,
        music: str | None = backend_options.MUSIC,
        visuals: str | None = backend_options.VISUALS,
        compose: str | None = backend_options.COMPOSE,
        lipsync: str | None = backend_options.LIPSYNC,
        translate: str | None = backend_options.TRANSLATE,
        remote: str | None = typer.Option(
            None, "--remote", help="Render on an aifilm server (URL; see 'aifilm login')."
        ),
        scenes: str | None = typer.Option(
            None,
            "--scenes",
            help="Render only these scenes as a film: 3-7, 2,5-6, 12- or words of a heading.",
        ),
        episodes: str | None = typer.Option(
            None,
            "--episodes",
            help="Split the script into films: 'acts' (one per '# ACT' section) or a length "
            "per episode ('10m'); each gets a title card and a numbered file.",
        ),
        pace: float | None = typer.Option(
            None, "--pace", help="Every voice speaks this much faster (1.1: a tenth faster)."
        ),
        workers: int | None = typer.Option(
            None,
            "--workers",
            "-j",
            help="Make voices, pictures and lip-sync in N processes (default: threads).",
        ),
        watch: bool = typer.Option(
            False,
            "--watch",
            help="Render again on every save of the project or script (Ctrl-C stops), "
            "saying what was redone; with --preview, at preview quality.",
        ),
    ) -> None:
        """Render a film: MP4, SRT and VTT subtitles, thumbnail and render-report.json."""
        if watch and (remote is not None or episodes):
            from aifilm.errors import UserError

            raise UserError(
                "--watch re-renders one film on this machine: not with --remote or --episodes",
                hint="drop --watch, or render one part with --scenes",
            )
        if remote is not None and (scenes or episodes or pace or workers):
            from aifilm.errors import UserError

            raise UserError(
                "--scenes, --episodes, --pace and --workers work here, not with --remote",
                hint="render the part here, or upload a project.yaml with just those scenes; "
                "a server with Celery shares a film's shots out across its workers itself",
            )
        if remote is not None:
            from aifilm.cli.cmd_remote import render_remote

            render_remote(remote, path, out_dir, preview)
            return
        from aifilm.pipeline.parts import cut

        if watch:
            _watch(path, out_dir, as_json, language=language, mode=mode, scenes=scenes,
                   pace=pace, voice=voice, no_cache=no_cache, kwargs=dict(
                       voice=voice, music=music, visuals=visuals, compose=compose,
                       lipsync=lipsync, translate=translate, preview=preview,
                       audio_only=audio_only, audio_format=audio_format,
                       workers=workers))  # fmt: skip
            return
        # A long script: some of its scenes (--scenes), or all of it as episodes (--episodes).
        films = cut(
            load_project(path, language=language, mode=mode),
            scenes=scenes,
            episodes=episodes,
            pace=pace,
            voice=voice,
        )
        project = films[0][1]
        settings = Settings(no_cache=True) if no_cache else Settings()
        kwargs: dict[str, Any] = dict(
            voice=voice,
            music=music,
            visuals=visuals,
            compose=compose,
            lipsync=lipsync,
            translate=translate,
            preview=preview,
            settings=settings,
            audio_only=audio_only,
            audio_format=audio_format,
            workers=workers,
        )
        if episodes:
            from aifilm.cli.parts_view import render_episodes

            render_episodes(films, out_dir, as_json, kwargs)
            return
        if as_json:
            result = render(
                project, out_dir, on_progress=lambda e: emit_json(e.to_dict()), **kwargs
            )
        else:
            console.print(f"[bold]{escape(project.title)}[/] ← {escape(str(path))}")
            with progress_display(console) as show:
                result = render(project, out_dir, on_progress=show, **kwargs)
        facts = {
            "event": "result",
            "video": str(result.video),
            "thumbnail": str(result.thumbnail) if result.thumbnail else None,
            "audio_only": result.audio_only,
            "subtitles": {k: str(v) for k, v in result.subtitles.items()},
            "report": str(result.report_path),
            "duration": round(result.duration, 3),
            "wall_seconds": result.report["wall_seconds"],
            "cache_hits": result.report["cache"]["hits"],
            "cache_misses": result.report["cache"]["misses"],
            "warnings": result.warnings,
        }
        if as_json:
            emit_json(facts)
            return
        video = result.info.first("video")
        size = f"{video.width}x{video.height}" if video else "audio only"
        out.print(
            f"[green]✓[/] {escape(str(result.video))}  [dim]{result.duration:.1f} s, {size}, "
            f"rendered in {facts['wall_seconds']:.1f} s, "
            f"cache {facts['cache_hits']} hit / {facts['cache_misses']} new[/]"
        )
        for kind, file in result.subtitles.items():
            out.print(f"  {kind}: {escape(str(file))}")
        if result.thumbnail is not None:
            out.print(f"  thumbnail: {escape(str(result.thumbnail))}")
        for chapter in result.report.get("chapters", []):
            out.print(f"  chapter {chapter['start']:7.2f} s  {escape(chapter['title'])}")
        out.print(f"  report: {escape(str(result.report_path))}")


def _watch(
    path: Path,
    out_dir: Path | None,
    as_json: bool,
    *,
    language: str | None,
    mode: str | None,
    scenes: str | None,
    pace: float | None,
    voice: str | None,
    no_cache: bool,
    kwargs: dict[str, Any],
) -> None:
    """Render now and on every save of the file, printing what each render redid."""
    from aifilm.errors import AifilmError
    from aifilm.pipeline.parts import cut
    from aifilm.pipeline.watch import redone_summary, watch_renders

    sources: list[Path] = [path]
    settings = Settings(no_cache=True) if no_cache else Settings()

    def render_once() -> Any:
        project = cut(
            load_project(path, language=language, mode=mode), scenes=scenes, pace=pace,
            voice=voice,
        )[0][1]  # fmt: skip
        if project.source is not None:
            sources[1:] = [Path(project.source)]
        if as_json:
            return render(
                project, out_dir, settings=settings,
                on_progress=lambda e: emit_json(e.to_dict()), **kwargs,
            )  # fmt: skip
        with progress_display(console) as show:
            return render(project, out_dir, settings=settings, on_progress=show, **kwargs)

    def on_result(result: Any) -> None:
        summary = redone_summary(result.report)
        if as_json:
            emit_json({"event": "result", "video": str(result.video), "redone": summary,
                       "composer": result.report.get("composer"),
                       "stages": result.report.get("stages")})  # fmt: skip
            return
        out.print(f"[green]✓[/] {escape(str(result.video))}  [dim]{escape(summary)}[/]")

    def on_error(error: AifilmError) -> None:
        show_error(error, as_json=as_json)

    def on_wait(files: list[Path]) -> None:
        if not as_json:
            names = ", ".join(escape(str(f)) for f in files)
            console.print(f"[dim]watching {names}: save to render again, Ctrl-C to stop[/]")

    try:
        watch_renders(render_once, lambda: sources, on_result=on_result, on_error=on_error,
                      on_wait=on_wait)  # fmt: skip
    except KeyboardInterrupt:
        console.print("[dim]stopped watching[/]")
