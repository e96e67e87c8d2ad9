"""The direct stage: a `Direction` per shot, between the plan and the pictures.

A shot's own `prompt:` wins; with an llm backend chosen the model directs each scene
in one request; otherwise (or for shots the model left out) the rules do.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING, ClassVar, cast

from aifilm.pipeline.cache import Cache
from aifilm.pipeline.context import RenderContext
from aifilm.pipeline.direct.base import Direction, character_sheet, orientation, with_sheet
from aifilm.pipeline.direct.rules import direct_by_rules, shot_words
from aifilm.pipeline.stage_base import LLM, BackendKind, Stage, needs_timeline
from aifilm.pipeline.timeline import TimedShot, Timeline
from aifilm.spec.models import Project

if TYPE_CHECKING:
    from aifilm.pipeline.llm.base import LLMBackend


def shown_characters(shot: TimedShot, project: Project) -> tuple[str, ...]:
    """Characters a shot shows: the one it features or shows, then those who speak in it."""
    names = [shot.visual.featuring, shot.visual.character]
    names += [line.speaker for line in shot.lines]
    known = {c.name.casefold(): c.name for c in project.characters}
    found = [known[n.casefold()] for n in names if n and n.casefold() in known]
    return tuple(dict.fromkeys(found))


def scene_heading(project: Project, scene: int) -> str | None:
    """The scene's title, if the spec gives one."""
    if 0 <= scene < len(project.scenes):
        return project.scenes[scene].title
    return None


def direct_shots(
    project: Project,
    timeline: Timeline,
    backend: LLMBackend | None,
    cache: Cache,
    warnings: list[str] | None = None,
) -> list[Direction]:
    """A direction for every shot of the timeline (for the stage and for `aifilm plan`).

    A scene whose answer is not the asked JSON is directed by the rules, with a warning.
    """
    from aifilm.pipeline.direct.llm import MalformedAnswerError, direct_scene, scene_request

    sheet = character_sheet(project)
    orient = orientation(timeline.width, timeline.height)
    directions: list[Direction] = []
    for scene, group in groupby(timeline.shots, key=lambda s: s.scene):
        shots = list(group)
        heading = scene_heading(project, scene)
        asked: dict[str, Direction] = {}
        if backend is not None and any(s.visual.kind != "prompt" for s in shots):
            request = scene_request(project.title, heading, shots, sheet, "")
            try:
                asked = direct_scene(backend, cache, request, orient, sheet)
            except MalformedAnswerError as exc:
                if warnings is not None:
                    warnings.append(f"scene {scene + 1}: {exc.message}")
        for shot in shots:
            shown = shown_characters(shot, project)
            if shot.visual.kind == "prompt" and shot.visual.prompt:
                direction = Direction(
                    shot.id,
                    with_sheet(shot.visual.prompt, shown, sheet),
                    shot_words(shot.visual.prompt),
                    orient,
                    shown,
                    "spec",
                )
            else:
                direction = asked.get(shot.id) or direct_by_rules(
                    shot, heading, shown, sheet, orient
                )
            directions.append(direction)
    return directions


class DirectStage(Stage):
    """Write each shot's picture prompt, stock search terms and orientation."""

    name = "direct"
    reads = ("timeline",)
    writes = ("directions",)
    backends: ClassVar[tuple[BackendKind, ...]] = (LLM,)

    def run(self, ctx: RenderContext) -> None:
        from aifilm.pipeline.llm.base import LLMBackend

        backend = cast(LLMBackend | None, ctx.backends.get("llm"))
        timeline = needs_timeline(ctx)
        with self._timer(ctx, backend.name if backend else "rules") as report:
            warnings: list[str] = []
            directions = direct_shots(ctx.project, timeline, backend, ctx.cache, warnings)
            for warning in warnings:
                ctx.warn(self.name, warning)
            ctx.state.directions = directions
            report.items = len(directions)
            by = sorted({d.source for d in directions})
            report.notes.append(f"prompts by {', '.join(by)}")
