"""The director without a language model: the shot's own words, its scene and its cast.

The prompt is the scene heading, then the shot's first sentence; the search terms are
the shot's longest uncommon words and the heading's. It is plain, predictable and free.
"""

from __future__ import annotations

import re

from aifilm.pipeline.direct.base import Direction, with_sheet
from aifilm.pipeline.timeline import TimedShot

_STOP_WORDS = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each even
ever every few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself just let like made make many may me might more
most much must my myself never no nor not now of off on once only or other our ours
ourselves out over own really said same say says see she should so some still such than
that the their theirs them themselves then there these they thing things this those
through thus to too under until up upon us very was way we well were what when where
which while who whom why will with would yet you your yours yourself yourselves one two
three first next last today tomorrow yes okay oh hello
"""
_STOP = frozenset(_STOP_WORDS.split())


def shot_words(text: str, limit: int = 4) -> tuple[str, ...]:
    """The shot's most telling words: uncommon, longer ones first, in their first order."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)]
    seen = list(dict.fromkeys(w for w in words if w not in _STOP))
    ranked = sorted(seen, key=lambda w: (-min(len(w), 8), seen.index(w)))
    chosen = set(ranked[:limit])
    return tuple(w for w in seen if w in chosen)


def first_sentence(text: str, max_words: int = 25) -> str:
    """The first sentence of the text, at most `max_words` words."""
    sentence = re.split(r"(?<=[.!?।。！？])\s", text.strip(), maxsplit=1)[0]
    words = sentence.split()
    return " ".join(words[:max_words]).rstrip(",;:")


def direct_by_rules(
    shot: TimedShot,
    heading: str | None,
    characters: tuple[str, ...],
    sheet: dict[str, str],
    orient: str,
) -> Direction:
    """A direction from the shot's words, its scene heading and the characters present."""
    text = " ".join(line.text for line in shot.lines) or shot.visual.text or ""
    parts = [p for p in (heading, first_sentence(text) if text else None) if p]
    what = " ".join(p if p[-1] in ".!?।。！？" else p + "." for p in parts)
    what = what or "An establishing shot."
    search = shot_words(text) + tuple(w for w in shot_words(heading or "", 2))
    return Direction(
        shot=shot.id,
        prompt=with_sheet(what, characters, sheet),
        search=tuple(dict.fromkeys(search))[:5],
        orientation=orient,
        characters=characters,
        source="rules",
    )
