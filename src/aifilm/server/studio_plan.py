"""The plan the studio shows before a render: shots and timings, the estimated render time,
and the credits the server will charge (by the job's length, as `jobs.submit` does)."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from aifilm.server.plans import credits_for
from aifilm.server.policy import AllowedSetting, refuse_unoffered
from aifilm.server.projectspec import check_spec
from aifilm.spec.models import MAX_DURATION_S, MIN_DURATION_S


def job_length(planned: float, asked: float | None, spec_duration: float | None) -> float:
    """The length a job is charged for: what the user asked, else the spec's duration, else
    the planned length rounded up to a whole second (within the server's bounds)."""
    if asked is not None:
        return asked
    if spec_duration is not None:
        return spec_duration
    return float(min(MAX_DURATION_S, max(MIN_DURATION_S, math.ceil(planned))))


def plan_spec(
    spec: str, length: float | None, max_spec_bytes: int, allowed: AllowedSetting
) -> dict[str, Any]:
    """The plan of project.yaml text (a 422 problem when it is not valid, or names a
    backend this server does not offer)."""
    from aifilm.pipeline.plan.summary import plan_project
    from aifilm.pipeline.registry import registry
    from aifilm.pipeline.voice.base import VoiceBackend
    from aifilm.spec.loader import load_project_yaml

    facts = check_spec(spec, max_spec_bytes)
    refuse_unoffered(facts.choices, allowed)
    with tempfile.TemporaryDirectory(prefix="aifilm-plan-") as tmp:
        base = Path(tmp)
        for name in facts.files:  # stand-ins: planning reads no pictures
            (base / name).parent.mkdir(parents=True, exist_ok=True)
            (base / name).touch()
        project = load_project_yaml(spec, filename="project.yaml", base_dir=base)
        if length is not None:
            project.duration = length
        voice = registry.create("voice", project.backends.get("voice"))
        assert isinstance(voice, VoiceBackend)
        summary = plan_project(project, voice, dict(facts.backends)).to_dict()
    charged = job_length(summary["duration_seconds"], length, facts.duration)
    summary["length_seconds"] = charged
    summary["credits"] = credits_for(charged)
    return summary
