"""Printing the parts of a long script: the episodes `plan --episodes` lists and `render` makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from aifilm.cli.console import console, emit_json, out
from aifilm.pipeline.parts import Part
from aifilm.pipeline.plan.length import clock
from aifilm.pipeline.render import render
from aifilm.spec.models import Project


def print_episodes(films: list[tuple[Part | None, Project]], as_json: bool) -> None:
    """The episodes a split would make: number, scenes, planned length, title card."""
    parts = [part for part, _ in films if part is not None]
    if as_json:
        emit_json(
            {
                "event": "episodes",
                "episodes": [
                    {
                        "number": p.number,
                        "title": film.title,
                        "card": p.label,
                        "scenes": [n + 1 for n in p.scenes],
                        "seconds": round(p.seconds, 1),
                    }
                    for p, (_, film) in zip(parts, films, strict=True)
                ],
            }
        )
        return
    table = Table(title=f"{len(parts)} episodes")
    for col in ("episode", "scenes", "length", "title card"):
        table.add_column(col)
    for part in parts:
        first, last = part.scenes[0] + 1, part.scenes[-1] + 1
        table.add_row(str(part.number), f"{first}-{last}", clock(part.seconds), Text(part.label))
    out.print(table)


def render_episodes(
    films: list[tuple[Part | None, Project]],
    out_dir: Path | None,
    as_json: bool,
    kwargs: dict[str, Any],
) -> None:
    """Render each episode as a film of its own, one after another, and say what each made."""
    for part, film in films:
        label = part.label if part else film.title
        if as_json:
            result = render(film, out_dir, on_progress=lambda e: emit_json(e.to_dict()), **kwargs)
            emit_json(
                {
                    "event": "result",
                    "episode": part.number if part else None,
                    "video": str(result.video),
                    "thumbnail": str(result.thumbnail) if result.thumbnail else None,
                    "audio_only": result.audio_only,
                    "subtitles": {k: str(v) for k, v in result.subtitles.items()},
                    "report": str(result.report_path),
                    "duration": round(result.duration, 3),
                    "warnings": result.warnings,
                }
            )
            continue
        console.print(Text(f"{label}: rendering..."))
        result = render(film, out_dir, **kwargs)
        out.print(Text(f"✓ {result.video}  {result.duration:.1f} s"))
        for warning in result.warnings:
            console.print(Text(f"  warning: {warning}"))
