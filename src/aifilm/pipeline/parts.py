"""Parts of a long script: a range of scenes, episodes, a faster pace.

`--scenes 3-7` (or a heading) renders some scenes as a film of their own;
`--episodes 10m` (or `acts`) splits the script into several complete films, each
with its own title card and a numbered file; `--pace 1.1` speaks every voice a
little faster. Each part keeps the whole script's cast: a character sounds the
same in every episode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aifilm.errors import UserError
from aifilm.pipeline.plan.length import LENGTH_TOLERANCE, MAX_PACE, TITLE_CARD_S, clock
from aifilm.spec.models import MAX_DURATION_S, MIN_DURATION_S, Project, Scene, Shot, parse_duration
from aifilm.spec.vocabulary import suggest

_RANGE = re.compile(r"^\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*$")


@dataclass(frozen=True)
class Part:
    """One film cut from a script: which scenes, its number and its title card."""

    scenes: tuple[int, ...]  # 0-based scene indices, in order
    number: int  # 1-based; 0 for a single part
    of: int
    label: str  # "Episode 2 of 5: ACT TWO" or "scenes 3-7"
    seconds: float = 0.0  # planned length, where known


def _headings(project: Project) -> list[str]:
    return [scene.title or f"(scene {n + 1}, no heading)" for n, scene in enumerate(project.scenes)]


def select_scenes(project: Project, selector: str) -> list[int]:
    """Scene indices from '3-7', '3', '2,5-6', '3-' or heading text ('INT. OFFICE')."""
    count = len(project.scenes)
    chosen: list[int] = []
    for token in (t for t in selector.split(",") if t.strip()):
        match = _RANGE.match(token)
        if match:
            first = int(match.group(1))
            last = int(match.group(3)) if match.group(3) else (count if match.group(2) else first)
            if not (1 <= first <= last <= count):
                raise UserError(
                    f"--scenes {selector}: the script has scenes 1 to {count}",
                    hint="'aifilm plan' lists the scenes; pick a range within them, e.g. "
                    f"--scenes 1-{min(count, 5)}",
                )
            chosen += range(first - 1, last)
            continue
        wanted = token.strip().casefold()
        found = [n for n, title in enumerate(_headings(project)) if wanted in title.casefold()]
        if not found:
            close = suggest(token.strip().upper(), [t.upper() for t in _headings(project)])
            raise UserError(
                f"--scenes: no scene heading contains '{token.strip()}'",
                hint=(f"did you mean '{close}'? " if close else "")
                + "give scene numbers (--scenes 3-7) or words of a heading; 'aifilm plan' "
                "lists them",
            )
        chosen += found
    if not chosen:
        raise UserError("--scenes is empty", hint="e.g. --scenes 3-7 or --scenes 'INT. OFFICE'")
    return sorted(set(chosen))


def subset(project: Project, scenes: list[int], *, title: str, card: str | None) -> Project:
    """A copy of the project with only these scenes, optionally opened by a title card."""
    part = project.model_copy(deep=True)
    part._whole = None  # not a copy of the whole: set below
    kept = [project.scenes[i].model_copy(deep=True) for i in scenes]
    offset = 0
    if card:
        kept.insert(0, Scene(shots=[Shot(title=card, duration=TITLE_CARD_S)]))
        offset = 1
    where = {old: new + offset for new, old in enumerate(scenes)}
    part.scenes = kept
    part.title = title[:100]
    # The whole script's target length means nothing for a part: each fits its own lines.
    part.duration = None
    part._sources = {(where[s], t): v for (s, t), v in project._sources.items() if s in where}
    part._line_sources = {
        (where[s], t, k): v for (s, t, k), v in project._line_sources.items() if s in where
    }
    part._sections = {where[s]: v for s, v in project._sections.items() if s in where}
    # Who the characters are is read from the whole script (an introduction may be in a
    # scene this part leaves out), and their voices stay as cast for it.
    part._whole = project.whole
    return part


def episodes_of(project: Project, per_scene: list[float], spec: str) -> list[Part]:
    """Group the scenes into episodes: one per act (`acts`) or of at most N minutes ('8m')."""
    spec = spec.strip().casefold()
    total = len(project.scenes)
    if spec in ("act", "acts"):
        sections = project.scene_sections
        if not sections:
            raise UserError(
                "--episodes acts: the script has no acts",
                hint="mark acts in a Fountain script with a section line '# ACT ONE', or split "
                "by length: --episodes 10m",
            )
        groups: list[list[int]] = []
        previous: str | None = None
        for n in range(total):
            act = sections.get(n, previous)
            if not groups or act != previous:
                groups.append([])
            groups[-1].append(n)
            previous = act
        labels = [sections.get(g[0]) or f"scenes {g[0] + 1}-{g[-1] + 1}" for g in groups]
    else:
        try:
            limit = parse_duration(spec) or MAX_DURATION_S
        except ValueError:
            limit = -1.0
        if not (MIN_DURATION_S * 3 <= limit <= MAX_DURATION_S):
            raise UserError(
                f"--episodes {spec}: give 'acts' or a length per episode between "
                f"{clock(MIN_DURATION_S * 3)} and {clock(MAX_DURATION_S)}",
                hint="e.g. --episodes 10m, --episodes 5m or --episodes acts",
            )
        groups = []
        current = 0.0
        for n, seconds in enumerate(per_scene):
            if not groups or (current and current + seconds > limit - TITLE_CARD_S):
                groups.append([])
                current = 0.0
            groups[-1].append(n)
            current += seconds
        labels = [project.scenes[g[0]].title or f"scenes {g[0] + 1}-{g[-1] + 1}" for g in groups]
    return [
        Part(
            scenes=tuple(group),
            number=n,
            of=len(groups),
            label=f"Episode {n} of {len(groups)}: {label}",
            # The film: its title card, then its scenes.
            seconds=TITLE_CARD_S + sum(per_scene[i] for i in group) if per_scene else 0.0,
        )
        for n, (group, label) in enumerate(zip(groups, labels, strict=True), start=1)
    ]


def episode_project(project: Project, part: Part) -> Project:
    """The film of one episode: its scenes, a title card, a numbered title (and file name)."""
    width = max(2, len(str(part.of)))
    return subset(
        project,
        list(part.scenes),
        title=f"{project.title} {part.number:0{width}d}",
        card=f"{project.title} - {part.label}",
    )


def scenes_project(project: Project, selector: str) -> Project:
    """The film of some scenes ('--scenes 3-7'), named after them."""
    chosen = select_scenes(project, selector)
    first, last = chosen[0] + 1, chosen[-1] + 1
    label = f"scene {first}" if first == last else f"scenes {first}-{last}"
    return subset(project, chosen, title=f"{project.title} {label}", card=None)


def apply_pace(project: Project, pace: float) -> None:
    """Every voice speaks `pace` times faster (the narrator's and each character's rate)."""
    if not (0.5 <= pace <= 2.0):
        raise UserError(
            f"--pace {pace:g} is outside 0.5 to 2",
            hint=f"a little faster is 1.1; more than {MAX_PACE:g} stops sounding natural",
        )
    voices = [project.narrator, *project.characters]
    too_fast = [v for v in voices if v.rate * pace > 2.0]
    if too_fast:
        raise UserError(
            f"--pace {pace:g} would make a voice speak faster than rate 2 "
            f"(rate {too_fast[0].rate:g} x {pace:g})",
            hint="lower --pace, or the 'rate' of that voice in project.yaml",
        )
    for voice in voices:
        voice.rate = round(voice.rate * pace, 4)


def planned_scene_seconds(project: Project, voice: str | None = None) -> list[float]:
    """Each scene's planned length, from the voice backend's speech estimates."""
    from aifilm.pipeline.plan.estimate import speech_estimates
    from aifilm.pipeline.plan.length import scene_seconds
    from aifilm.pipeline.plan.timing import plan_timeline
    from aifilm.pipeline.render import Pipeline
    from aifilm.pipeline.voice.base import VoiceBackend

    pipe = Pipeline(project, voice=voice, cache=False)
    try:
        backend = pipe.backends["voice"]
        assert isinstance(backend, VoiceBackend)
        seconds = speech_estimates(project, backend)
        timeline = plan_timeline(project, lambda key: seconds[key])
    finally:
        pipe.close()
    return scene_seconds(timeline, len(project.scenes))


def cut(
    project: Project,
    *,
    scenes: str | None = None,
    episodes: str | None = None,
    pace: float | None = None,
    voice: str | None = None,
) -> list[tuple[Part | None, Project]]:
    """The films to make from a project: itself, some of its scenes, or its episodes."""
    if scenes and episodes:
        raise UserError(
            "give --scenes or --episodes, not both",
            hint="--scenes renders one range as a film; --episodes splits the whole script",
        )
    if pace is not None:
        apply_pace(project, pace)
    if scenes:
        return [(None, scenes_project(project, scenes))]
    if episodes:
        per_scene = planned_scene_seconds(project, voice)
        parts = episodes_of(project, per_scene, episodes)
        over = [p for p in parts if p.seconds > MAX_DURATION_S * (1 + LENGTH_TOLERANCE)]
        if over:
            # Before any episode renders: one that cannot be made stops them all.
            raise UserError(
                f"--episodes {episodes}: {over[0].label} runs {clock(over[0].seconds)}, "
                f"longer than a film may ({clock(MAX_DURATION_S)})",
                hint="split by length instead (--episodes 10m)"
                if episodes.strip().casefold().startswith("act")
                else "a single scene is that long: render it with --scenes and --pace, "
                "or shorten it",
            )
        return [(part, episode_project(project, part)) for part in parts]
    return [(None, project)]
