"""Shot timing: lay the spoken lines out in time and fit the film to its target length.

Each shot lasts lead-in + its lines (with short gaps between turns) + tail. The
lead-in and tail are at least half the transition plus a margin, so no
transition ever covers speech. When the script is shorter than the target, the
spare time becomes longer holds, spread in proportion to each shot's length (every
shot stretched by one factor, taken on a 1 % grid so an edited line usually keeps it:
the film lands up to 1 % under its target, and only the edited shot is re-timed);
when it is longer, holds shrink to their minimum and, if that is not enough,
the film runs long with a warning that gives the numbers.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aifilm.pipeline.timeline import SpeechClip, TimedLine, TimedShot, Timeline, VisualSpec
from aifilm.spec.models import MAX_DURATION_S, Project, Scene, Shot

if TYPE_CHECKING:
    from aifilm.cast import Identity

LineKey = tuple[int, int, int]  # scene, shot, line (0-based)

TRANSITION_SECONDS = {
    "cut": 0.0,
    "fade": 0.8,
    "crossfade": 0.6,
    "wipe-left": 0.6,
    "wipe-right": 0.6,
    "slide-left": 0.6,
}
AUTO_MOTIONS = ("zoom-in", "pan-right", "zoom-out", "pan-left")
TURN_GAP_S = 0.35  # between two lines inside a shot
LEAD_MARGIN_S = 0.25  # speech starts this long after an incoming transition ends
TAIL_MARGIN_S = 0.45  # and ends this long before the outgoing one starts
SILENT_SHOT_S = 2.5  # a shot with nothing said (title card, picture)
FIT_TOLERANCE = 0.05
FIT_STEP = 0.01  # shots are stretched (or their holds shrunk) in steps of 1 %
_PLANNED = Path("planned-line.wav")  # lines laid out from estimates have no audio yet


@dataclass(frozen=True)
class _Layout:
    shot: Shot
    scene_index: int
    shot_index: int
    speech: list[tuple[LineKey, float]]  # (line key, seconds)
    lead_min: float
    tail_min: float
    floor: float  # the least the shot may last (its own `duration`, or a silent shot's)

    @property
    def spoken(self) -> float:
        if not self.speech:
            return 0.0
        return sum(s for _, s in self.speech) + TURN_GAP_S * (len(self.speech) - 1)

    def natural(self, lead: float, tail: float) -> float:
        return max(self.floor, lead + self.spoken + tail)


def resolve_visual(
    project: Project,
    scene: Scene,
    scene_index: int,
    shot: Shot,
    cast: Mapping[str, Identity] | None = None,
) -> VisualSpec:
    """What a shot shows: its own visual, else its speaker's picture, else the scene's,
    else an illustrated scene of its words and characters (`aifilm.draw`).

    `cast` is `aifilm.cast.infer_cast(project)`, passed in when planning many shots.
    """
    seed = zlib.crc32(f"{project.title}/{scene_index}".encode())
    if shot.title:
        return VisualSpec("title", text=shot.title, color=shot.color or scene.color, seed=seed)
    if shot.image:
        return VisualSpec("image", image=project.resolve(shot.image))
    shown = shot.show or next((ln.speaker for ln in shot.lines if ln.speaker), None)
    character = project.character(shown) if shown else None
    if shot.prompt:
        return VisualSpec(
            "prompt",
            prompt=shot.prompt,
            text=scene.title,
            seed=seed,
            featuring=character.name if character else None,
            reference=project.resolve(character.image) if character and character.image else None,
        )
    if shot.color:
        return VisualSpec("color", color=shot.color)
    if character is not None and character.image:
        return VisualSpec("image", image=project.resolve(character.image), character=character.name)
    if scene.background and character is None:
        return VisualSpec("image", image=project.resolve(scene.background))
    return illustrated(project, scene, shot, seed, cast)


def shot_words(shot: Shot) -> str:
    """Everything said in a shot, with its translations (English finds most pictures)."""
    parts = []
    for line in shot.lines:
        parts.append(line.text)
        parts.extend(line.translations.values())
    return " ".join(p for p in parts if p)


_DEVOTIONAL = ("mantra", "sloka", "shloka", "bhajan", "prayer", "devotional", "aarti", "stotra")
_DEVOTIONAL_HI = ("ॐ", "मंत्र", "प्रार्थना", "श्लोक", "भजन", "आरती")


def film_genre(project: Project) -> str:
    """ "devotional" for a prayer, mantra or sloka film, else "story"."""
    about = " ".join(
        x
        for x in (
            project.title,
            project.description or "",
            *(s.title or "" for s in project.scenes),
        )
        if x
    )
    folded = about.casefold()
    if any(w in folded for w in _DEVOTIONAL) or any(w in about for w in _DEVOTIONAL_HI):
        return "devotional"
    return "story"


def illustrated(
    project: Project,
    scene: Scene,
    shot: Shot,
    seed: int,
    cast: Mapping[str, Identity] | None = None,
) -> VisualSpec:
    """An illustrated scene: a backdrop for the scene, the props the words name, and the
    characters who speak, are shown (`show:`) or are named in the shot."""
    from aifilm.cast import infer_cast
    from aifilm.draw.figures import figure_for

    if cast is None:
        cast = infer_cast(project)
    words = shot_words(shot)
    folded = words.casefold()
    present: list[str] = []
    for line in shot.lines:
        if line.speaker and line.speaker not in present:
            present.append(line.speaker)
    if shot.show and shot.show not in present:
        present.append(shot.show)
    for known in project.characters:
        if known.name not in present and known.name.casefold() in folded:
            present.append(known.name)
    figures = []
    for name in present[:4]:
        character = project.character(name)
        identity = cast.get(character.name if character else name)
        if identity is None:
            continue
        figures.append(
            figure_for(
                identity.name,
                species=identity.species,
                sex=identity.sex,
                age=identity.age,
                role=identity.role,
                look=identity.look,
                color=character.color if character else None,
                language=project.language,
                image=project.resolve(character.image) if character and character.image else None,
            )
        )
    speaker = next((ln.speaker for ln in shot.lines if ln.speaker), None)
    speaking = project.character(speaker) if speaker else None
    # The person shown (`show:`, else the first speaker) lip-syncs; an animal has no
    # mouth to move, so it is drawn and not named as the shot's character.
    shown = shot.show or speaker
    shown_character = project.character(shown) if shown else None
    shown_name = shown_character.name if shown_character else shown
    talking = next((f for f in figures if f.name == shown_name and not f.animal), None)
    if talking is None:  # an animal is shown: the first person who speaks still talks
        speakers = set()
        for ln in shot.lines:
            said = project.character(ln.speaker) if ln.speaker else None
            speakers.add(said.name if said else ln.speaker)
        talking = next((f for f in figures if f.name in speakers and not f.animal), None)
    genre = film_genre(project)
    return VisualSpec(
        "generated",
        character=talking.name if talking else None,
        text=scene.title or project.title,
        color=scene.color,
        seed=seed,
        illustrate=True,
        words=words,
        keywords=tuple(shot.keywords or ()),
        figures=tuple(figures),
        speaker=speaking.name if speaking else speaker,
        genre=genre,
        verse=(shot.narration or None) if genre == "devotional" else None,
    )


def plan_timeline(
    project: Project,
    speech: Callable[[LineKey], float],
    *,
    clips: dict[LineKey, SpeechClip] | None = None,
    size: tuple[int, int] | None = None,
    fps: int | None = None,
) -> Timeline:
    """Lay the project out in time.

    `speech(key)` gives each line's length in seconds (real clip lengths for a
    render, estimates for `aifilm plan`); `clips` are attached to the lines when
    given. The result is aligned to whole frames. A podcast (`mode: podcast`) is laid
    out by `aifilm.pipeline.plan.podcast`, whose padding rules differ.
    """
    if project.mode == "podcast":
        from aifilm.pipeline.plan.podcast import plan_podcast

        return plan_podcast(project, speech, clips=clips, size=size, fps=fps)
    width, height = size or project.output.size
    fps = fps or project.output.fps
    frame = 1.0 / fps
    shots_flat = [
        (s, t, scene, shot)
        for s, scene in enumerate(project.scenes)
        for t, shot in enumerate(scene.shots)
    ]
    transitions = [
        "cut" if i == len(shots_flat) - 1 else shot.transition
        for i, (_, _, _, shot) in enumerate(shots_flat)
    ]
    layouts: list[_Layout] = []
    for i, (s, t, _scene, shot) in enumerate(shots_flat):
        t_in = TRANSITION_SECONDS[transitions[i - 1]] if i > 0 else 0.0
        t_out = TRANSITION_SECONDS[transitions[i]]
        spoken = [((s, t, k), max(0.0, speech((s, t, k)))) for k in range(len(shot.lines))]
        floor = shot.duration or (0.0 if spoken else SILENT_SHOT_S)
        layouts.append(
            _Layout(
                shot,
                s,
                t,
                spoken,
                lead_min=t_in / 2 + (LEAD_MARGIN_S if i > 0 else 0.3),
                tail_min=t_out / 2 + TAIL_MARGIN_S,
                floor=max(floor, t_in / 2 + t_out / 2 + 2 * frame),
            )
        )

    comfortable = [(lay.lead_min + 0.25, lay.tail_min + 0.35) for lay in layouts]
    natural_total = sum(lay.natural(a, b) for lay, (a, b) in zip(layouts, comfortable, strict=True))
    minimum_total = sum(lay.natural(lay.lead_min, lay.tail_min) for lay in layouts)
    target = project.duration
    warnings: list[str] = []
    pads = comfortable
    extra = [0.0] * len(layouts)
    if target is not None:
        if natural_total <= target:
            # Every shot is stretched by one factor, taken on a grid (FIT_STEP) so that an
            # edited line usually leaves it, and so every other shot's length, as it was:
            # the film lands up to FIT_STEP under its target instead of on it exactly, and
            # a re-render re-encodes only the edited shot (see compose/segments.py).
            grid = math.log1p(FIT_STEP)
            stretch = math.exp(math.floor(math.log(target / natural_total) / grid + 1e-9) * grid)
            lengths = [lay.natural(a, b) for lay, (a, b) in zip(layouts, comfortable, strict=True)]
            extra = [n * (stretch - 1.0) for n in lengths]
            spoken_s = sum(lay.spoken for lay in layouts)
            if spoken_s < 0.4 * target:
                warnings.append(
                    f"the script speaks for {spoken_s:.0f} s of the {target:.0f} s target, "
                    "so shots hold long; add lines, or set 'duration: auto' to fit the film "
                    "to the script"
                )
        elif minimum_total <= target:
            # Shrink the holds between their comfortable and minimum lengths to fit exactly.
            share = (natural_total - target) / max(natural_total - minimum_total, 1e-9)
            share = min(1.0, math.ceil(share / FIT_STEP - 1e-9) * FIT_STEP)  # on a grid: as above
            pads = [
                (a - (a - lay.lead_min) * share, b - (b - lay.tail_min) * share)
                for lay, (a, b) in zip(layouts, comfortable, strict=True)
            ]
        else:
            pads = [(lay.lead_min, lay.tail_min) for lay in layouts]
            if minimum_total > target * (1 + FIT_TOLERANCE):
                # Advise only a value validation accepts: past the longest film, no
                # duration helps; a part of the script or episodes do.
                fix = (
                    f"set 'duration: {int(minimum_total) + 1}s'"
                    if minimum_total < MAX_DURATION_S
                    else "render part of it (--scenes) or split it (--episodes 10m)"
                )
                warnings.append(
                    f"the script needs {minimum_total:.1f} s but the target is {target:.0f} s "
                    f"({(minimum_total / target - 1) * 100:.0f}% over); the film will run "
                    f"{minimum_total:.0f} s. Shorten the script or {fix}"
                )

    from aifilm.cast import infer_cast

    cast = infer_cast(project)
    previous_camera = ""
    timed: list[TimedShot] = []
    clock = 0  # in frames: each shot is rounded to whole frames on its own, so a change
    # to one shot's length moves the later shots without changing theirs
    for i, (lay, (lead, tail)) in enumerate(zip(layouts, pads, strict=True)):
        scene = project.scenes[lay.scene_index]
        length = lay.natural(lead, tail) + extra[i]
        frames = max(1, round(length * fps))
        start = clock / fps
        end = (clock + frames) / fps
        clock += frames
        # Spare time goes a third before the speech and two thirds after it.
        body = lay.spoken
        free = max(0.0, (end - start) - body - lead - tail)
        cursor = start + lead + free / 3
        lines: list[TimedLine] = []
        for (key, seconds), spoken_line in zip(lay.speech, lay.shot.lines, strict=True):
            speaker = project.character(spoken_line.speaker) if spoken_line.speaker else None
            clip = (clips or {}).get(key) or SpeechClip(
                path=_PLANNED, duration=seconds, sample_rate=0
            )
            lines.append(
                TimedLine(
                    speaker=speaker.name if speaker else None,
                    text=spoken_line.text,
                    start=cursor,
                    clip=clip,
                    language=(
                        speaker.language if speaker and speaker.language else project.language
                    ),
                    translations=dict(spoken_line.translations),
                )
            )
            cursor += seconds + TURN_GAP_S
        visual = resolve_visual(project, scene, lay.scene_index, lay.shot, cast)
        camera = lay.shot.camera
        if camera == "auto":
            # Alternate motions, never the same twice in a row. Title cards stay still, and so
            # does a character while it talks: its moving mouth is drawn on the still, and a
            # camera move under it would have to be computed on every frame (lip-sync).
            camera = AUTO_MOTIONS[i % len(AUTO_MOTIONS)]
            if camera == previous_camera:
                camera = AUTO_MOTIONS[(i + 1) % len(AUTO_MOTIONS)]
            talking = visual.character is not None and any(ln.speaker for ln in lay.shot.lines)
            camera = "static" if visual.kind == "title" or talking else camera
        previous_camera = camera
        timed.append(
            TimedShot(
                id=f"{lay.scene_index + 1}.{lay.shot_index + 1}",
                scene=lay.scene_index,
                index=lay.shot_index,
                start=start,
                duration=end - start,
                visual=visual,
                camera=camera,
                transition=transitions[i],
                transition_s=TRANSITION_SECONDS[transitions[i]],
                lines=lines,
                source=project.shot_source(lay.scene_index, lay.shot_index),
            )
        )
    total = timed[-1].end if timed else 0.0
    timeline = Timeline(width, height, fps, total, timed, target=target, warnings=warnings)
    from aifilm.pipeline.plan.length import too_short

    short = too_short(timeline)
    if short and target is None:
        warnings.append(short)
    return timeline
