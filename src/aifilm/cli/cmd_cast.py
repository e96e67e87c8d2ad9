"""`aifilm cast`: who each character is, the evidence, the voice they get and how to change it."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from aifilm.cast.report import cast_report
from aifilm.cli.console import emit_json, out
from aifilm.spec.loader import load_project

OVERRIDE_HELP = (
    "to change a character, list it in project.yaml (a bare script: write a project.yaml with "
    "'title: ...' and 'script_file: SCRIPT'):\n"
    "  characters:\n"
    "    - {name: NAME, sex: female, age: mature}   # who they are: voice and picture follow\n"
    "    - {name: NAME, voice: adult-male}          # or the voice preset itself"
)


def cast_table(rows: list[dict[str, object]], *, evidence: bool = True) -> Table:
    """The cast as a rich table (also printed by `aifilm plan`)."""
    table = Table(title="cast")
    for col in ("character", "lines", "who", "voice", *(["evidence"] if evidence else [])):
        table.add_column(col)
    for row in rows:
        who = f"{row['sex']}, {row['age']}"
        if row["species"] != "human":
            who += f", {row['species']}"
        if row["role"]:
            who += f", {row['role']}"
        voice = str(row["voice"]) + (f" (variant {row['variant']})" if row["variant"] else "")
        if row["voice_set"]:
            voice += " [set]"
        cells: list[Text | str] = [Text(str(row["name"])), str(row["lines"]), who, Text(voice)]
        if evidence:
            reasons = row["evidence"]
            assert isinstance(reasons, list)
            cells.append(Text("\n".join(str(r) for r in reasons) or "nothing found: defaults"))
        table.add_row(*cells)
    return table


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("cast")
    def cast_command(
        path: Path = typer.Argument(..., help="project.yaml or a script file."),
        language: str | None = typer.Option(
            None, "--language", "-l", help="Language of a bare script file."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the cast as JSON."),
    ) -> None:
        """Show each character: lines, inferred sex/age/species with the evidence, and voice."""
        project = load_project(path, language=language)
        rows = cast_report(project)
        if as_json:
            emit_json({"event": "cast", "title": project.title, "characters": rows})
            return
        out.print(cast_table(rows))
        out.print(OVERRIDE_HELP)
