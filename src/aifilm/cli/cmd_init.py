"""`aifilm init`: scaffold a project that renders as it is."""

from __future__ import annotations

from pathlib import Path

import typer

from aifilm.cli.console import escape, out
from aifilm.scaffold import create_project


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("init")
    def init_command(
        folder: Path = typer.Argument(..., help="New project folder."),
        title: str | None = typer.Option(
            None, "--title", help="Film title (default: from the folder name)."
        ),
    ) -> None:
        """Create a project folder: project.yaml, script.txt and character pictures."""
        spec = create_project(folder, title=title)
        out.print(
            f"[green]✓[/] created {escape(str(spec.parent))}/\n"
            f"  next: aifilm render {escape(str(spec))}"
        )
