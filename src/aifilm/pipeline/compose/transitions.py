"""Transitions between shots: which `xfade` each one is, and each shot's clip in frames.

A transition into the next shot is centred on the shot boundary, so clip i runs from
its shot's start minus half the incoming transition to its end plus half the outgoing
one; chaining the clips with `xfade` (or `concat` for cuts) then gives a film exactly
as long as the timeline. Everything is counted in whole frames so nothing drifts.
"""

from __future__ import annotations

from dataclasses import dataclass

from aifilm.pipeline.timeline import Timeline

# our transition name -> xfade transition (None: a cut, joined with concat)
XFADE: dict[str, str | None] = {
    "cut": None,
    "fade": "fadeblack",
    "crossfade": "fade",
    "wipe-left": "wipeleft",
    "wipe-right": "wiperight",
    "slide-left": "slideleft",
}


@dataclass(frozen=True)
class ClipSpan:
    """One shot's clip in film frames, including the halves of its transitions.

    `first` is the film frame where the clip starts, `frames` its length; `into_next`
    is the xfade name of the transition to the next shot (None for a cut or the last
    shot) and `overlap` that transition's length in frames.
    """

    first: int
    frames: int
    into_next: str | None
    overlap: int

    @property
    def end(self) -> int:
        """Film frame just after the clip."""
        return self.first + self.frames


def xfade_name(transition: str) -> str | None:
    """The xfade transition for one of ours; unknown names raise `KeyError`."""
    return XFADE[transition]


def plan_spans(timeline: Timeline) -> list[ClipSpan]:
    """Each shot's clip in frames; the clips, joined, last `round(duration * fps)` frames."""
    fps = timeline.fps
    shots = timeline.shots
    total = round(timeline.duration * fps)
    bounds = [round(s.start * fps) for s in shots] + [total]
    bounds[0] = 0
    own = [max(1, bounds[i + 1] - bounds[i]) for i in range(len(shots))]
    overlaps: list[int] = []
    names: list[str | None] = []
    for i, shot in enumerate(shots[:-1]):
        name = xfade_name(shot.transition)
        frames = round(shot.transition_s * fps) if name else 0
        # never longer than either shot, so every xfade has frames on both sides
        frames = max(0, min(frames, own[i], own[i + 1]))
        overlaps.append(frames)
        names.append(name if frames > 0 else None)
    overlaps.append(0)
    names.append(None)
    spans = []
    for i in range(len(shots)):
        before = overlaps[i - 1] // 2 if i > 0 else 0  # part of the incoming transition
        after = overlaps[i] - overlaps[i] // 2  # part of the outgoing one
        first = bounds[i] - before
        end = bounds[i] + own[i] + after
        spans.append(ClipSpan(first, end - first, names[i], overlaps[i]))
    return spans
