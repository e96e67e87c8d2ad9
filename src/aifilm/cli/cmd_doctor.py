"""`aifilm doctor`: what is installed, what is missing, and how to get it."""

from __future__ import annotations

import typer
from rich.table import Table

from aifilm.cli.console import EXIT_MISSING_DEPENDENCY, emit_json, escape, out
from aifilm.doctor import run_checks


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("doctor")
    def doctor_command(
        as_json: bool = typer.Option(False, "--json", help="Print as JSON lines."),
    ) -> None:
        """Check FFmpeg and its filters, voices, fonts, backends (with licences), GPU and cache."""
        groups = run_checks()
        failed = [c for checks in groups.values() for c in checks if not c.ok]
        if as_json:
            for group, checks in groups.items():
                for c in checks:
                    emit_json(
                        {
                            "group": group,
                            "name": c.name,
                            "ok": c.ok,
                            "detail": c.detail,
                            "fix": c.fix,
                        }
                    )
        else:
            table = Table(title="aifilm doctor", show_lines=False)
            for col in ("", "check", "detail", "fix"):
                table.add_column(col)
            for checks in groups.values():
                for c in checks:
                    table.add_row(
                        "[green]✓[/]" if c.ok else "[red]✗[/]",
                        escape(c.name),
                        escape(c.detail),
                        escape(c.fix or ""),
                    )
            out.print(table)
            out.print(
                "[green]all good[/]"
                if not failed
                else f"[red]{len(failed)} problem(s)[/]: see the fix column"
            )
        if failed:
            raise typer.Exit(EXIT_MISSING_DEPENDENCY)
