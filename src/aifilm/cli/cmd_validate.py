"""`aifilm validate`: check a project without rendering it."""

from __future__ import annotations

from pathlib import Path

import typer

from aifilm.cli import backend_options
from aifilm.cli.console import emit_json, escape, out
from aifilm.pipeline.preflight import preflight
from aifilm.pipeline.render import Pipeline, output_folder, render_stages
from aifilm.spec.loader import load_project


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("validate")
    def validate_command(
        path: Path = typer.Argument(..., help="project.yaml or a script file."),
        language: str | None = typer.Option(
            None, "--language", "-l", help="Language of a bare script file."
        ),
        mode: str | None = typer.Option(
            None, "--mode", help="film or podcast (hosts on a split screen); overrides the file."
        ),
        out_dir: Path | None = typer.Option(
            None, "--out", "-o", help="The output folder a render would use (checked too)."
        ),
        audio_only: bool = typer.Option(
            False, "--audio-only", help="Check for an audio-only render (no picture backends)."
        ),
        voice: str | None = backend_options.VOICE,
        music: str | None = backend_options.MUSIC,
        visuals: str | None = backend_options.VISUALS,
        compose: str | None = backend_options.COMPOSE,
        lipsync: str | None = backend_options.LIPSYNC,
        translate: str | None = backend_options.TRANSLATE,
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Check everything a render checks before it starts: the spec with file:line:col for
        every problem, its files, its backends and what they need installed, FFmpeg, and
        the output folder."""
        project = load_project(path, language=language, mode=mode)
        pipe = Pipeline(
            project,
            voice=voice,
            music=music,
            visuals=visuals,
            compose=compose,
            lipsync=lipsync,
            translate=translate,
            cache=False,
            stages=render_stages(audio_only),
        )
        try:
            preflight(pipe, output_folder(project, out_dir))
            backends = {stage: b.name for stage, b in pipe.backends.items()}
        finally:
            pipe.close()
        shots = sum(len(s.shots) for s in project.scenes)
        lines = sum(len(sh.lines) for s in project.scenes for sh in s.shots)
        characters = [c.name for c in project.characters]
        summary = {
            "event": "valid",
            "title": project.title,
            "scenes": len(project.scenes),
            "shots": shots,
            "lines": lines,
            "characters": characters,
            "backends": backends,
        }
        if as_json:
            emit_json(summary)
            return
        out.print(
            f"[green]✓[/] {escape(str(path))}: '{escape(project.title)}', "
            f"{len(project.scenes)} scenes, {shots} shots, {lines} lines, "
            f"characters: {escape(', '.join(characters)) or 'none'}\n"
            f"  backends: {escape(', '.join(f'{k}={v}' for k, v in backends.items()))}"
        )
