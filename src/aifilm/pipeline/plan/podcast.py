"""Podcast timing: one static shot per turn, the highlight moving to whoever speaks.

The film planner keeps transitions clear of speech; here the rules differ on purpose.
A turn's shot starts `SWITCH_LEAD_S` before its speech, and the short crossfade
between two turns (the same layout with another panel lit) is centred on that
boundary, so it may overlap the end of the previous turn's speech: the highlight
arrives just as the new voice starts. Turns follow each other after `podcast.gap`
seconds; an interrupting turn starts `podcast.overlap` seconds before the previous
one ends, so the two voices overlap. Optional intro and outro title cards frame
the episode. With a target length, spare time widens the gaps (up to
`MAX_EXTRA_GAP_S` each) and the rest holds the last picture.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aifilm.errors import SpecError, SpecIssue
from aifilm.pipeline.timeline import (
    Panel,
    SpeechClip,
    TimedLine,
    TimedShot,
    Timeline,
    VisualSpec,
)
from aifilm.spec.models import Line, Project
from aifilm.spec.podcast import Host, host_index, podcast_hosts, podcast_problem

LineKey = tuple[int, int, int]

TURN_TRANSITION = "crossfade"
TURN_TRANSITION_S = 0.3  # the highlight's crossfade from one speaker to the next
CARD_TRANSITION_S = 0.6  # into and out of the title cards
CARD_S = 3.0  # an intro or outro card on screen
LEAD_S = 0.6  # first speech after the film (or the intro card's transition) starts
SWITCH_LEAD_S = 0.1  # a turn's shot (the highlight) starts this long before its speech
MIN_TURN_S = 0.5  # an interruption starts at least this long after the turn it cuts into
SCENE_GAP_S = 0.6  # extra pause when a new scene (chapter) begins
TAIL_S = 0.9  # after the last word, before the outro (or the end)
MAX_EXTRA_GAP_S = 1.0  # most a gap grows to reach a target length
DEFAULT_ACCENT = "#ffb703"
FIT_TOLERANCE = 0.05
_PLANNED = Path("planned-line.wav")


@dataclass(frozen=True)
class _Turn:
    key: LineKey
    line: Line
    seconds: float
    interrupt: bool
    new_scene: bool


def podcast_panels(project: Project, hosts: list[Host]) -> tuple[Panel, ...]:
    """The hosts' panels: their image, else their figure as their identity says (the
    narrator's panel: a generated portrait)."""
    from aifilm.cast import infer_cast
    from aifilm.draw.figures import figure_for

    cast = infer_cast(project)
    panels = []
    for host in hosts:
        char = project.character(host.character) if host.character else None
        who = cast.get(char.name) if char else None
        figure = None
        if who is not None and char is not None:
            figure = figure_for(
                who.name,
                species=who.species,
                sex=who.sex,
                age=who.age,
                role=who.role,
                look=who.look,
                color=char.color,
                language=project.language,
            )
        accent = project.podcast.highlight_color or (char.color if char else None)
        seed_name = char.name if char else "narrator"
        panels.append(
            Panel(
                name=host.name,
                image=project.resolve(char.image) if char and char.image else None,
                accent=accent or DEFAULT_ACCENT,
                seed=zlib.crc32(seed_name.casefold().encode()),
                figure=figure,
            )
        )
    return tuple(panels)


def _turns(project: Project, speech: Callable[[LineKey], float]) -> list[_Turn]:
    turns: list[_Turn] = []
    for s, scene in enumerate(project.scenes):
        first_of_scene = True
        for t, shot in enumerate(scene.shots):
            for k, line in enumerate(shot.lines):
                key = (s, t, k)
                turns.append(
                    _Turn(
                        key,
                        line,
                        max(0.0, speech(key)),
                        interrupt=shot.interrupt and k == 0 and bool(turns),
                        new_scene=first_of_scene and s > 0,
                    )
                )
                first_of_scene = False
    return turns


def _speech_starts(
    turns: list[_Turn], first: float, gap: float, overlap: float, extra: float
) -> list[float]:
    starts: list[float] = []
    latest_end = 0.0
    for i, turn in enumerate(turns):
        if i == 0:
            start = first
        elif turn.interrupt:
            start = max(starts[-1] + MIN_TURN_S, latest_end - overlap)
        else:
            start = latest_end + gap + extra + (SCENE_GAP_S if turn.new_scene else 0.0)
        starts.append(start)
        latest_end = max(latest_end, start + turn.seconds)
    return starts


def plan_podcast(
    project: Project,
    speech: Callable[[LineKey], float],
    *,
    clips: dict[LineKey, SpeechClip] | None = None,
    size: tuple[int, int] | None = None,
    fps: int | None = None,
) -> Timeline:
    """Lay a podcast out in time: intro card, one shot per turn, outro card."""
    problem = podcast_problem(project)
    if problem is not None:
        raise SpecError(
            [SpecIssue(str(project.source or "project"), None, None, "mode", problem[0])]
        )
    width, height = size or project.output.size
    fps = fps or project.output.fps
    options = project.podcast
    hosts = podcast_hosts(project)
    panels = podcast_panels(project, hosts)
    turns = _turns(project, speech)
    intro_s = CARD_S if options.intro else 0.0
    first = intro_s + LEAD_S

    def layout(extra: float) -> tuple[list[float], float]:
        starts = _speech_starts(turns, first, options.gap, options.overlap, extra)
        ends = [a + t.seconds for a, t in zip(starts, turns, strict=True)]
        last_end = max(ends, default=first)
        return starts, last_end + TAIL_S + (CARD_S if options.outro else 0.0)

    starts, total = layout(0.0)
    target = project.duration
    warnings: list[str] = []
    hold = 0.0
    if target is not None:
        if total < target:
            gaps = sum(1 for t in turns[1:] if not t.interrupt)
            extra = min(MAX_EXTRA_GAP_S, (target - total) / gaps) if gaps else 0.0
            starts, total = layout(extra)
            hold = max(0.0, target - total)
        elif total > target * (1 + FIT_TOLERANCE):
            warnings.append(
                f"the podcast needs {total:.1f} s but the target is {target:.0f} s "
                f"({(total / target - 1) * 100:.0f}% over); it will run {total:.0f} s. "
                f"Shorten the script or set 'duration: {int(total) + 1}s'"
            )
    total += hold

    def frame(t: float) -> float:
        return round(t * fps) / fps

    seed = zlib.crc32(project.title.encode())
    names = " · ".join(h.name for h in hosts)
    shots: list[TimedShot] = []
    if options.intro:
        shots.append(
            TimedShot(
                id="intro",
                scene=0,
                index=-1,
                start=0.0,
                duration=0.0,
                visual=VisualSpec(
                    "title", text=options.intro_text or project.title, subtitle=names, seed=seed
                ),
                camera="static",
                transition=TURN_TRANSITION,
                transition_s=CARD_TRANSITION_S,
            )
        )
    for i, (turn, start) in enumerate(zip(turns, starts, strict=True)):
        s, t, k = turn.key
        scene = project.scenes[s]
        line = turn.line
        char = project.character(line.speaker) if line.speaker else None
        clip = (clips or {}).get(turn.key) or SpeechClip(
            path=_PLANNED, duration=turn.seconds, sample_rate=0
        )
        timed = TimedLine(
            speaker=char.name if char else None,
            text=line.text,
            start=start,
            clip=clip,
            language=char.language if char and char.language else project.language,
            translations=dict(line.translations),
        )
        visual = VisualSpec(
            "podcast",
            image=project.resolve(scene.background) if scene.background else None,
            color=scene.color,
            seed=seed,
            words=" ".join([line.text, *line.translations.values()]),
            panels=panels,
            active=host_index(hosts, timed.speaker),
            style=options.highlight,
        )
        shot_start = 0.0 if i == 0 and not options.intro else start - SWITCH_LEAD_S
        if i == 0 and options.intro:
            shot_start = intro_s
        several = len(scene.shots[t].lines) > 1
        shots.append(
            TimedShot(
                id=f"{s + 1}.{t + 1}" + (f".{k + 1}" if several else ""),
                scene=s,
                index=t,
                start=shot_start,
                duration=0.0,
                visual=visual,
                camera="static",
                transition=TURN_TRANSITION,
                transition_s=TURN_TRANSITION_S,
                lines=[timed],
                source=project.shot_source(s, t),
            )
        )
    if options.outro:
        shots[-1].transition_s = CARD_TRANSITION_S
        last_scene = max(0, len(project.scenes) - 1)
        shots.append(
            TimedShot(
                id="outro",
                scene=last_scene,
                index=len(project.scenes[last_scene].shots) if project.scenes else 0,
                start=total - CARD_S - hold,
                duration=0.0,
                visual=VisualSpec(
                    "title", text=options.outro_text or project.title, subtitle=names, seed=seed
                ),
                camera="static",
                transition=TURN_TRANSITION,
                transition_s=CARD_TRANSITION_S,
            )
        )
    # Whole frames, contiguous: each shot runs to the next one's start.
    end = frame(total)
    for i, shot in enumerate(shots):
        shot.start = frame(shot.start)
        following = frame(shots[i + 1].start) if i + 1 < len(shots) else end
        shot.duration = max(1.0 / fps, following - shot.start)
    if shots:
        shots[-1].transition, shots[-1].transition_s = "cut", 0.0
        end = shots[-1].end
    return Timeline(width, height, fps, end, shots, target=target, warnings=warnings)
