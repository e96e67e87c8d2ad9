"""What `aifilm plan` tells before a render: shots and timings, backends, time and credit cost."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from aifilm.cast.report import cast_report
from aifilm.pipeline.plan.estimate import speech_estimates
from aifilm.pipeline.plan.length import FilmTooLongError, too_long
from aifilm.pipeline.plan.timing import plan_timeline
from aifilm.pipeline.timeline import Timeline
from aifilm.pipeline.voice.base import VoiceBackend
from aifilm.spec.models import Project

# Measured on a 2-core machine (see benchmarks/): seconds of work per second of film
# at 720p 30 fps, scaled by pixel rate for other sizes.
ENCODE_S_PER_FILM_S = {"draft": 0.12, "standard": 0.22, "high": 0.6}
VOICE_S_PER_LINE = 0.05
VISUAL_S_PER_SHOT = 0.15


def credits_for(seconds: float) -> int:
    """Credits a film costs: one per started minute."""
    return max(1, math.ceil(seconds / 60.0 - 1e-9))


@dataclass
class PlanSummary:
    """A render's plan: the timeline from estimated speech, and what it will cost."""

    timeline: Timeline
    backends: dict[str, str]
    estimated_render_seconds: float
    credits: int
    warnings: list[str] = field(default_factory=list)
    cast: list[dict[str, Any]] = field(default_factory=list)  # aifilm.cast.report rows

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "duration_seconds": round(self.timeline.duration, 2),
            "target_seconds": self.timeline.target,
            "size": [self.timeline.width, self.timeline.height],
            "fps": self.timeline.fps,
            "backends": self.backends,
            "estimated_render_seconds": round(self.estimated_render_seconds, 1),
            "credits": self.credits,
            "warnings": self.warnings,
            "cast": self.cast,
            "shots": [
                {
                    "id": s.id,
                    "start": round(s.start, 2),
                    "duration": round(s.duration, 2),
                    "visual": s.visual.kind,
                    "camera": s.camera,
                    "transition": s.transition,
                    "lines": [
                        {
                            "speaker": ln.speaker or "narrator",
                            "text": ln.text,
                            "start": round(ln.start, 2),
                            "seconds": round(ln.clip.duration, 2),
                        }
                        for ln in s.lines
                    ],
                }
                for s in self.timeline.shots
            ],
        }


def plan_project(
    project: Project, voice: VoiceBackend, backends: dict[str, str], *, cached_lines: int = 0
) -> PlanSummary:
    """Plan from estimated speech lengths, without synthesising anything."""
    from aifilm.pipeline.stages import speech_requests

    requests = speech_requests(project)
    seconds = speech_estimates(project, voice)
    timeline = plan_timeline(project, lambda key: seconds[key])
    pixels = timeline.width * timeline.height * timeline.fps / (1280 * 720 * 30)
    encode = ENCODE_S_PER_FILM_S.get(project.output.quality, 0.22) * timeline.duration * pixels
    estimate = (
        encode
        + VOICE_S_PER_LINE * max(0, len(requests) - cached_lines)
        + VISUAL_S_PER_SHOT * len(timeline.shots)
        + 1.0
    )
    warnings = [*project.load_warnings, *timeline.warnings]
    try:
        too_long(timeline, project, source=str(project.source or ""), estimated=True)
    except FilmTooLongError as error:
        # The plan still shows everything; `render` refuses with the same words.
        warnings.append(f"{error.message}. Ways forward: {error.hint}")
    return PlanSummary(
        timeline,
        backends,
        estimate,
        credits_for(timeline.duration),
        warnings,
        cast_report(project),
    )
