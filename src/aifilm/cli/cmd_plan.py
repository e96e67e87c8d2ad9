"""`aifilm plan`: the shots, timings, backends, render time and credit cost, before rendering."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from aifilm.cli.console import console, emit_json, escape, out
from aifilm.pipeline.plan.summary import plan_project
from aifilm.pipeline.render import Pipeline
from aifilm.pipeline.timeline import Timeline
from aifilm.pipeline.visuals.prices import shot_cost
from aifilm.pipeline.voice.base import VoiceBackend
from aifilm.spec.loader import load_project
from aifilm.spec.models import Project


def plan_directions(project: Project, timeline: Timeline, pipe: Pipeline) -> list[dict[str, Any]]:
    """What the direct stage will ask of each shot's picture (an llm's answers are cached,
    so the render reuses them)."""
    from aifilm.pipeline.cache import Cache
    from aifilm.pipeline.direct.stage import direct_shots
    from aifilm.pipeline.llm.base import LLMBackend

    backend = pipe.backends.get("llm")
    cache = Cache(pipe.settings.cache_dir, enabled=not pipe.settings.no_cache)
    llm = backend if isinstance(backend, LLMBackend) else None
    warnings: list[str] = []
    directions = [asdict(d) for d in direct_shots(project, timeline, llm, cache, warnings)]
    for warning in warnings:
        console.print(f"[yellow]warning[/] (direct): {escape(warning)}")
    visuals = pipe.backends.get("visuals")
    for direction, shot in zip(directions, timeline.shots, strict=True):
        direction["cost_usd"] = shot_cost(visuals, shot.visual.kind, shot.duration)
    return directions


def register(app: typer.Typer) -> None:
    """Add the command to the app, and `aifilm cast`, the plan's cast in detail, beside it."""
    from aifilm.cli import cmd_cast

    cmd_cast.register(app)

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
        from aifilm.cli.cmd_cast import cast_table
        from aifilm.pipeline.parts import cut

        whole = load_project(path, language=language, mode=mode)
        films = cut(whole, scenes=scenes, episodes=episodes, pace=pace)
        if episodes:
            from aifilm.cli.parts_view import print_episodes

            print_episodes(films, as_json)
            return
        project = films[0][1]
        pipe = Pipeline(project, cache=False)
        try:
            voice = pipe.backends["voice"]
            assert isinstance(voice, VoiceBackend)
            summary = plan_project(project, voice, {k: b.name for k, b in pipe.backends.items()})
            directions = plan_directions(project, summary.timeline, pipe)
            from aifilm.pipeline.visuals.directed import DirectedVisuals

            provider = isinstance(pipe.backends.get("visuals"), DirectedVisuals)
        finally:
            pipe.close()
        provider_cost = round(sum(d["cost_usd"] for d in directions), 4)
        if as_json:
            emit_json(
                {
                    "event": "plan",
                    **summary.to_dict(),
                    "directions": directions,
                    "provider_cost_usd": provider_cost,
                }
            )
            return
        tl = summary.timeline
        table = Table(
            title=f"{escape(project.title)}: {tl.duration:.1f} s, "
            f"{tl.width}x{tl.height} {tl.fps} fps"
        )
        for col in ("shot", "start", "length", "visual", "camera", "into next", "lines"):
            table.add_column(col)
        for s in tl.shots:
            lines = "\n".join(f"{ln.speaker or 'narrator'}: {ln.text[:50]}" for ln in s.lines)
            table.add_row(
                escape(s.id),
                f"{s.start:.1f}",
                f"{s.duration:.1f}",
                s.visual.kind,
                s.camera,
                s.transition,
                escape(lines),
            )
        out.print(table)
        if summary.cast:
            out.print(cast_table(summary.cast, evidence=False))
            out.print("why each was cast so, and how to change it: aifilm cast " + str(path))
        out.print(
            "backends: "
            + escape(", ".join(f"{k}={v}" for k, v in summary.backends.items()))
            + f"\nestimated render time: ~{summary.estimated_render_seconds:.0f} s on 2 CPU cores"
            + f"\ncredits (hosted service): {summary.credits} (1 per started minute)"
        )
        out.print("picture prompts (fix any with `prompt:` on its shot):")
        for d in directions:
            cost = f" [cyan]${d['cost_usd']:.3f}[/]" if d["cost_usd"] else ""
            out.print(f"  {d['shot']} [dim]({d['source']})[/]{cost} {escape(d['prompt'])}")
        visuals = summary.backends.get("visuals", "")
        paid = sum(1 for d in directions if d["cost_usd"])
        if provider:  # a web API makes the pictures: what it will charge
            out.print(
                f"provider cost ({escape(visuals)}): ~${provider_cost:.2f} for {paid} shot(s), "
                "from the price table (docs/visual-apis.md#costs; override in prices.toml)"
            )
        for warning in summary.warnings:
            out.print(f"[yellow]warning[/]: {escape(warning)}")
