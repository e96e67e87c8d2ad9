"""`aifilm plan`: the shots, timings, backends, render time and credit cost, before rendering."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from aifilm.cli.cmd_cast import cast_table
from aifilm.cli.console import emit_json, out
from aifilm.pipeline.parts import Part, cut
from aifilm.pipeline.plan.length import clock
from aifilm.pipeline.plan.summary import plan_project
from aifilm.pipeline.render import Pipeline
from aifilm.pipeline.voice.base import VoiceBackend
from aifilm.spec.loader import load_project
from aifilm.spec.models import Project


def register(app: typer.Typer) -> None:
    """Add the command to the app."""

    @app.command("plan")
    def plan_command(
        path: Path = typer.Argument(..., help="project.yaml or a script file."),
        language: str | None = typer.Option(
            None, "--language", "-l", help="Language of a bare script file."
        ),
        mode: str | None = typer.Option(
            None, "--mode", help="film or podcast (hosts on a split screen); overrides the file."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
        scenes: str | None = typer.Option(
            None, "--scenes", help="Plan only these scenes: 3-7, 2,5-6 or words of a heading."
        ),
        episodes: str | None = typer.Option(
            None, "--episodes", help="List the episodes 'acts' or a length ('10m') would make."
        ),
        pace: float | None = typer.Option(
            None, "--pace", help="Every voice speaks this much faster (1.1: a tenth faster)."
        ),
    ) -> None:
        """Show what a render will make and cost, without rendering."""
        whole = load_project(path, language=language, mode=mode)
        films = cut(whole, scenes=scenes, episodes=episodes, pace=pace)
        if episodes:
            _episodes(films, as_json)
            return
        project = films[0][1]
        pipe = Pipeline(project, cache=False)
        try:
            voice = pipe.backends["voice"]
            assert isinstance(voice, VoiceBackend)
            summary = plan_project(project, voice, {k: b.name for k, b in pipe.backends.items()})
        finally:
            pipe.close()
        if as_json:
            emit_json({"event": "plan", **summary.to_dict()})
            return
        tl = summary.timeline
        table = Table(
            title=f"{project.title}: {tl.duration:.1f} s, {tl.width}x{tl.height} {tl.fps} fps"
        )
        for col in ("shot", "start", "length", "visual", "camera", "into next", "lines"):
            table.add_column(col)
        for s in tl.shots:
            lines = "\n".join(f"{ln.speaker or 'narrator'}: {ln.text[:50]}" for ln in s.lines)
            table.add_row(
                s.id,
                f"{s.start:.1f}",
                f"{s.duration:.1f}",
                s.visual.kind,
                s.camera,
                s.transition,
                lines,
            )
        out.print(table)
        if summary.cast:
            out.print(cast_table(summary.cast, evidence=False))
            out.print("why each was cast so, and how to change it: aifilm cast " + str(path))
        out.print(
            "backends: "
            + ", ".join(f"{k}={v}" for k, v in summary.backends.items())
            + f"\nestimated render time: ~{summary.estimated_render_seconds:.0f} s on 2 CPU cores"
            + f"\ncredits (hosted service): {summary.credits} (1 per started minute)"
        )
        for warning in summary.warnings:
            out.print(f"[yellow]warning[/]: {warning}")


def _episodes(films: list[tuple[Part | None, Project]], as_json: bool) -> None:
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
