"""`aifilm validate`: check a project without rendering it."""

from __future__ import annotations

from pathlib import Path

import typer

from aifilm.cli.console import emit_json, out
from aifilm.pipeline.registry import registry
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
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Check the spec, its files and its backends; list every problem with file:line:col."""
        project = load_project(path, language=language, mode=mode)
        for stage, choice in project.backends.items():
            registry.create(stage, choice)  # raises UnknownBackendError with suggestions
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
        }
        if as_json:
            emit_json(summary)
            return
        out.print(
            f"[green]✓[/] {path}: '{project.title}', {len(project.scenes)} scenes, {shots} shots, "
            f"{lines} lines, characters: {', '.join(characters) or 'none'}"
        )
