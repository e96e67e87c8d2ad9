"""`aifilm schema`: the JSON Schema of project.yaml, for editor autocompletion."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from aifilm.spec.schema import project_schema


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("schema")
    def schema_command(
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Write to this file instead of stdout."
        ),
    ) -> None:
        """Print the JSON Schema of project.yaml (point your editor's YAML plug-in at it)."""
        text = json.dumps(project_schema(), indent=2, ensure_ascii=False) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            typer.echo(text, nl=False)
