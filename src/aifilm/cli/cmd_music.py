"""`aifilm music`: the genres the music backend plays."""

from __future__ import annotations

import typer
from rich.table import Table

from aifilm.cli.console import emit_json, escape, out
from aifilm.pipeline.music.base import MusicBackend
from aifilm.pipeline.registry import registry
from aifilm.spec.vocabulary import GENRES


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("music")
    def music_command(
        backend: str | None = typer.Option(
            None, "--backend", "-b", help="Music backend (default: midi)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON lines."),
    ) -> None:
        """List music genres (use one as `music: {genre: ...}` in project.yaml)."""
        music = registry.create("music", backend)
        assert isinstance(music, MusicBackend)
        offered = set(music.genres())
        if as_json:
            for g in GENRES:
                emit_json(
                    {
                        "genre": g.id,
                        "family": g.family,
                        "description": g.description,
                        "available": g.id in offered,
                    }
                )
            return
        table = Table(title=f"music genres of '{escape(music.name)}'")
        for col in ("genre", "family", "description"):
            table.add_column(col)
        for g in GENRES:
            table.add_row(
                escape(g.id) if g.id in offered else f"[dim]{escape(g.id)} (n/a)",
                escape(g.family),
                escape(g.description),
            )
        out.print(table)
