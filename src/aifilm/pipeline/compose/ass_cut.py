"""A segment's own subtitles: the cues it shows, timed from its first frame, frame-exact.

A segment's picture must not depend on where the segment sits in the film, or moving a
shot (an earlier line got longer) would change every later segment's cache key. So each
segment burns an ASS script holding only the cues it shows, shifted to its own clock.

A cue shows from the frame nearest its start to the frame before the one nearest its end
(the subtitles stage puts cue times on whole frames, so centisecond rounding never moves
them; a shot that only moves keeps its cues on the same frames of its segment). libass
shows a cue on a frame when `start <= t < end`, `t` being the frame's time in whole
milliseconds (truncated), so the cut picks the centisecond times in the segment's clock
that show each cue on exactly those frames (any fps up to 100).
Time-relative override tags (`\\fad`, `\\t`, `\\move`, karaoke) would restart at a
segment's start for a cue cut in two; aifilm's own scripts use none.
"""

from __future__ import annotations

import math
import re

_TIME = re.compile(r"(\d+):(\d{1,2}):(\d{1,2})[.](\d{1,2})$")


def _centiseconds(text: str) -> int:
    found = _TIME.match(text.strip())
    if found is None:
        raise ValueError(f"not an ASS time: {text!r}")
    h, m, s, frac = found.groups()
    cs = int(frac) * (10 if len(frac) == 1 else 1)
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 100 + cs


def _timestamp(cs: int) -> str:
    h, rest = divmod(cs, 360_000)
    m, rest = divmod(rest, 6_000)
    s, c = divmod(rest, 100)
    return f"{h}:{m:02d}:{s:02d}.{c:02d}"


def _frame_ms(n: int, fps: int) -> int:
    """The time libass gets for frame `n`: whole milliseconds, truncated."""
    return n * 1000 // fps


def _nearest_frame(ms: int, fps: int) -> int:
    """The frame nearest to film time `ms` (halves round up)."""
    return math.floor(ms * fps / 1000 + 0.5)


def _time_for_frame(n: int, fps: int) -> int:
    """Centiseconds at which frame `n` (and no frame before it) has begun."""
    if n <= 0:
        return 0
    return _frame_ms(n - 1, fps) // 10 + 1


def cut_ass(text: str, first: int, frames: int, fps: int) -> str:
    """The script `text` for film frames `first` .. `first + frames - 1`, timed from 0."""
    if fps > 100:
        raise ValueError(f"ASS times are centiseconds: {fps} fps is too fine to cut exactly")
    out: list[str] = []
    events = False
    fields: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            events = stripped.lower() == "[events]"
        if events and stripped.lower().startswith("format:"):
            fields = [f.strip().lower() for f in stripped.split(":", 1)[1].split(",")]
        if not (events and stripped.startswith("Dialogue:") and fields):
            out.append(line)
            continue
        head, rest = line.split(":", 1)
        values = rest.lstrip().split(",", len(fields) - 1)
        start_i, end_i = fields.index("start"), fields.index("end")
        start_ms = _centiseconds(values[start_i]) * 10
        end_ms = _centiseconds(values[end_i]) * 10
        shown_from = _nearest_frame(start_ms, fps) - first
        shown_until = _nearest_frame(end_ms, fps) - first  # the first frame it is gone
        shown_from, shown_until = max(0, shown_from), min(frames, shown_until)
        if shown_from >= shown_until:
            continue
        values[start_i] = _timestamp(_time_for_frame(shown_from, fps))
        values[end_i] = _timestamp(_time_for_frame(shown_until, fps))
        out.append(f"{head}: " + ",".join(values))
    return "\n".join(out) + "\n"
