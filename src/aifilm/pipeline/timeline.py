"""The film laid out in time: what every stage after `plan` reads.

Shots are contiguous intervals of film time; a transition into the next shot is
centred on the boundary and lasts `transition_s`. Speech lines sit inside their
shot with padding, so no transition covers speech.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aifilm.draw.figures import Figure


@dataclass(frozen=True)
class WordTiming:
    """A word and when it is spoken, in seconds from the start of its clip."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class PhonemeTiming:
    """A phoneme (backend notation, e.g. espeak/IPA) and when it is spoken in its clip."""

    phoneme: str
    start: float
    end: float


@dataclass(frozen=True)
class SpeechClip:
    """Synthesised speech for one line: a mono WAV and its timings."""

    path: Path
    duration: float
    sample_rate: int
    words: tuple[WordTiming, ...] = ()
    phonemes: tuple[PhonemeTiming, ...] = ()


@dataclass(frozen=True)
class Panel:
    """One host's panel in a podcast layout: a name label and a picture (file or portrait)."""

    name: str
    image: Path | None = None  # None: a generated portrait from `seed`
    accent: str = "#ffb703"  # the highlight colour when this host speaks
    seed: int = 0
    figure: Figure | None = None  # who the host is, drawn (aifilm.draw) when no image


@dataclass(frozen=True)
class VisualSpec:
    """What a shot should show, resolved from the spec (before any picture is made).

    kind: "image" (a file), "color" (a plain colour), "title" (a title card),
    "prompt" (for a generative backend), "generated" (a still made from the text) or
    "podcast" (the hosts' `panels` side by side, panel `active` highlighted in `style`,
    over `image` or `color` or a gradient from `seed`). A prompt shot `featuring` a
    character carries that character's picture as `reference` (None: a generated
    portrait), so generative backends keep the character's look in every shot.
    """

    kind: str
    image: Path | None = None
    color: str | None = None
    text: str | None = None
    subtitle: str | None = None
    prompt: str | None = None
    character: str | None = None
    seed: int = 0
    panels: tuple[Panel, ...] = ()
    active: int | None = None
    style: str = "glow"
    featuring: str | None = None  # the character a prompt shot shows
    reference: Path | None = None  # that character's picture, if given
    # An illustrated "generated" shot (aifilm.draw): what is said in it, the user's
    # `keywords:`, the characters present and the one speaking; `color` tints its sky.
    illustrate: bool = False
    words: str = ""
    keywords: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    speaker: str | None = None
    genre: str = "story"
    verse: str | None = None  # a devotional shot's verse, set large in the picture


@dataclass
class TimedLine:
    """A spoken line placed in film time."""

    speaker: str | None
    text: str
    start: float
    clip: SpeechClip
    language: str = "en"
    translations: dict[str, str] = field(default_factory=dict)

    @property
    def end(self) -> float:
        """Film time when the speech ends."""
        return self.start + self.clip.duration


@dataclass
class TimedShot:
    """One shot placed in film time, with its spoken lines and what it shows."""

    id: str  # "2.3": scene 2, shot 3 (1-based), used in messages and reports
    scene: int
    index: int
    start: float
    duration: float
    visual: VisualSpec
    camera: str
    transition: str  # into the next shot
    transition_s: float
    lines: list[TimedLine] = field(default_factory=list)
    source: str | None = None  # file:line where the shot was written

    @property
    def end(self) -> float:
        """Film time when the shot ends."""
        return self.start + self.duration


@dataclass
class Timeline:
    """The whole film in time: size, rate, length and shots in order."""

    width: int
    height: int
    fps: int
    duration: float
    shots: list[TimedShot]
    target: float | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[TimedLine]:
        """Every spoken line in film order."""
        return [line for shot in self.shots for line in shot.lines]

    def _repr_html_(self) -> str:
        """In a notebook: a table of the shots with times, pictures and lines."""
        from aifilm.notebook import timeline_html

        return timeline_html(self)
