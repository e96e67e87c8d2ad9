"""Does the film fit? A script longer than a film may be is refused before any work.

A film runs at most `MAX_DURATION_S` (10 min). A feature screenplay plans at
hours; rendering it would burn an hour of CPU and then break the limit. The
error gives the numbers and the ways forward, each a value the product accepts:
a range of scenes (`--scenes`), episodes (`--episodes`), a faster pace
(`--pace`, only where a small speed-up is enough). A film of a few seconds is
allowed, with a warning.
"""

from __future__ import annotations

import math

from aifilm.errors import UserError
from aifilm.pipeline.timeline import Timeline
from aifilm.spec.models import MAX_DURATION_S, MIN_DURATION_S, Project

LENGTH_TOLERANCE = 0.02  # estimates are estimates: 2 % over the limit still renders
MAX_PACE = 1.25  # faster than this and speech stops sounding natural
TITLE_CARD_S = 3.0  # the card that opens each episode


class FilmTooLongError(UserError):
    """The script plans longer than a film may run; the hint lists the ways forward."""


def clock(seconds: float) -> str:
    """'3 h 19 min', '16 min 30 s', '45 s': a length as people say it."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


def scene_seconds(timeline: Timeline, scenes: int) -> list[float]:
    """Seconds each scene takes on the timeline (index = scene index)."""
    out = [0.0] * scenes
    for shot in timeline.shots:
        out[shot.scene] += shot.duration
    return out


def fitting_prefix(seconds: list[float], limit: float) -> int:
    """How many scenes from the first fit in `limit` seconds."""
    total = 0.0
    for count, length in enumerate(seconds):
        total += length
        if total > limit:
            return count
    return len(seconds)


def episode_count(seconds: list[float], limit: float) -> int:
    """Episodes of whole scenes, each at most `limit` seconds (greedy, in order)."""
    count, current = 0, 0.0
    for length in seconds:
        if current and current + length > limit:
            count += 1
            current = 0.0
        current += length
    return count + (1 if current else 0)


def act_seconds(project: Project, per_scene: list[float]) -> list[float]:
    """Length of each act (a run of scenes under one top-level section); [] without acts."""
    sections = project.scene_sections
    if not sections:
        return []
    out: list[float] = []
    previous: str | None = None
    for n, seconds in enumerate(per_scene):
        act = sections.get(n, previous)
        if not out or act != previous:
            out.append(0.0)
        out[-1] += seconds
        previous = act
    return out


def too_long(timeline: Timeline, project: Project, *, source: str, estimated: bool) -> None:
    """Raise `FilmTooLongError` when the timeline is longer than a film may be."""
    total = timeline.duration
    if total <= MAX_DURATION_S * (1 + LENGTH_TOLERANCE):
        return
    per_scene = scene_seconds(timeline, len(project.scenes))
    lines = sum(len(shot.lines) for shot in timeline.shots)
    how = f"estimated from its {lines} spoken lines" if estimated else "as spoken"
    message = (
        f"'{project.title}' runs {clock(total)} ({total:.0f} s, {how}, "
        f"{len(project.scenes)} scenes); a film is at most {clock(MAX_DURATION_S)} "
        f"({MAX_DURATION_S:.0f} s)"
    )
    ways: list[str] = []
    first = fitting_prefix(per_scene, MAX_DURATION_S)
    heading = next((scene.title for scene in project.scenes[first:] if scene.title), None)
    if heading:
        # The place of the heading, quoted so a shell takes it whole ("INT. BOB'S CAR").
        place = heading.split(" - ")[0].strip()
        heading = f'"{place}"' if "'" in place else f"'{place}'"
    if first >= 1:
        fits = sum(per_scene[:first])
        ways.append(
            f"render part of it: 'aifilm render {source or 'PROJECT'} --scenes 1-{first}' "
            f"(scenes 1-{first} run {clock(fits)}; 'aifilm plan' lists every scene"
            + (f"; words of a heading work too: --scenes {heading}" if heading else "")
            + ")"
        )
    episodes = episode_count(per_scene, MAX_DURATION_S - TITLE_CARD_S)
    acts = act_seconds(project, per_scene)
    fit = acts and max(acts) <= MAX_DURATION_S * (1 + LENGTH_TOLERANCE)
    ways.append(
        f"split it into episodes: '--episodes 10m' ({episodes} films of at most 10 min, "
        "each with its own title card, numbered)"
        + (f" or '--episodes acts' (one per act: {len(acts)})" if fit else "")
    )
    pace = total / MAX_DURATION_S
    if pace <= MAX_PACE:
        ways.append(f"speak a little faster: '--pace {math.ceil(pace * 100) / 100:.2f}'")
    raise FilmTooLongError(message, hint="; or ".join(ways))


def too_short(timeline: Timeline) -> str | None:
    """A warning for a film of a few seconds, with a value `duration:` accepts."""
    if timeline.shots and timeline.duration < MIN_DURATION_S:
        return (
            f"the film is only {timeline.duration:.1f} s long; write more lines, or set "
            f"'duration: {MIN_DURATION_S:.0f}s' (the shortest film) to hold the shots longer"
        )
    return None
