"""The genre recipes of the default music backend, one per genre id.

Most genres are MIDI: a function ``(duration, seed, tempo) -> PrettyMIDI`` that
the backend renders through a General MIDI soundfont. ``nature`` and ``asmr``
are textures synthesised directly with numpy. Modules by family:
`indian`, `western`, `special` (backings for words), `textures`; shared
helpers in `theory` (scales, ragas, talas, GM numbers), `score` (the MIDI
builder) and `dsp` (streaming audio).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pretty_midi

from aifilm.pipeline.music.recipes import indian, special, western
from aifilm.pipeline.music.recipes.textures import TEXTURES, Texture

MidiBuilder = Callable[[float, int, "int | None"], pretty_midi.PrettyMIDI]


@dataclass(frozen=True)
class Recipe:
    """How one genre is made: a MIDI builder or a texture, and how much room it gets."""

    genre: str
    midi: MidiBuilder | None = None
    texture: Callable[[float, int, int, int], Texture] | None = None
    reverb: float = 0.2  # wet level of the convolution room

    def build(
        self, duration: float, seed: int = 0, tempo: int | None = None
    ) -> pretty_midi.PrettyMIDI:
        """The MIDI for this genre (only for MIDI recipes)."""
        if self.midi is None:
            raise ValueError(f"genre '{self.genre}' is synthesised, not MIDI")
        return self.midi(duration, seed, tempo)


RECIPES: dict[str, Recipe] = {
    r.genre: r
    for r in (
        Recipe("carnatic", indian.carnatic, reverb=0.22),
        Recipe("hindustani", indian.hindustani, reverb=0.25),
        Recipe("bollywood", indian.bollywood, reverb=0.2),
        Recipe("bhajan", indian.bhajan, reverb=0.25),
        Recipe("aarti", indian.aarti, reverb=0.25),
        Recipe("folk", indian.folk, reverb=0.15),
        Recipe("cinematic", western.cinematic, reverb=0.35),
        Recipe("orchestral", western.orchestral, reverb=0.3),
        Recipe("ambient", western.ambient, reverb=0.45),
        Recipe("meditation", western.meditation, reverb=0.45),
        Recipe("pop", western.pop, reverb=0.12),
        Recipe("rock", western.rock, reverb=0.1),
        Recipe("electronic", western.electronic, reverb=0.12),
        Recipe("sloka", special.sloka, reverb=0.3),
        Recipe("sahasranama", special.sahasranama, reverb=0.3),
        Recipe("poem", special.poem, reverb=0.3),
        Recipe("nature", texture=TEXTURES["nature"], reverb=0.0),
        Recipe("asmr", texture=TEXTURES["asmr"], reverb=0.1),
    )
}


def build_midi(
    genre: str, duration: float, seed: int = 0, tempo: int | None = None
) -> pretty_midi.PrettyMIDI:
    """The PrettyMIDI a MIDI genre plays for ``duration`` seconds (for inspection and tests)."""
    return RECIPES[genre].build(duration, seed, tempo)


__all__ = ["RECIPES", "Recipe", "build_midi"]
