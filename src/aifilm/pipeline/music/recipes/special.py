"""Backings for words: sloka, sahasranama, poem. Sparse, so the voice stays in front."""

from __future__ import annotations

import pretty_midi

from aifilm.pipeline.music.recipes.indian import drone
from aifilm.pipeline.music.recipes.score import Score, pick_tempo
from aifilm.pipeline.music.recipes.theory import (
    MAJOR,
    MINOR,
    SA_CHOICES,
    Program,
    degree_pitch,
    triad,
)


def sloka(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Tanpura drone with a soft bell every couple of bars; no melody, no drums."""
    score = Score("sloka", duration, seed, pick_tempo("sloka", seed, 60, 70, tempo))
    rng = score.rng
    sa = rng.choice(SA_CHOICES)
    drone(score, sa, volume=85, shruti=55)
    bells = score.part("bells", Program.TINKLE_BELL, volume=50, pan=90)
    every = rng.choice((2, 3))
    for b in range(0, score.bar_count, every):
        bells.note(
            sa + 24 if b % (2 * every) == 0 else sa + 31,
            score.bar_beat(b) + 0.5,
            3.0,
            rng.uniform(0.3, 0.4),
        )
    return score.midi


def sahasranama(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """A steady drone and a temple-bell pulse on every bar, a hand bell between."""
    score = Score("sahasranama", duration, seed, pick_tempo("sahasranama", seed, 66, 80, tempo))
    rng = score.rng
    sa = rng.choice(SA_CHOICES)
    drone(score, sa, volume=80, shruti=65)
    temple = score.part("temple bell", Program.TUBULAR_BELLS, volume=62, pan=40)
    hand = score.part("hand bell", Program.TINKLE_BELL, volume=45, pan=90)
    for b in range(score.bar_count):
        at = score.bar_beat(b)
        temple.note(sa + 12, at, 3.5, 0.45)
        if b % 2 == 1:
            hand.note(sa + 24, at + 2, 1.5, 0.3)
    return score.midi


def poem(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Sparse broken piano chords with rests, soft sustained strings underneath."""
    score = Score("poem", duration, seed, pick_tempo("poem", seed, 60, 72, tempo))
    rng = score.rng
    minor = rng.random() < 0.5
    scale = MINOR if minor else MAJOR
    tonic = rng.choice((57, 60, 62))
    roots = rng.choice(((0, 5, 3, 4), (0, 3, 5, 4)) if not minor else ((0, 5, 2, 6), (0, 3, 5, 4)))
    piano = score.part("piano", Program.PIANO, volume=90, pan=56)
    strings = score.part("strings", Program.SLOW_STRINGS, volume=62, pan=76)
    bar = score.beats_per_bar
    for b in score.bars():
        at = score.bar_beat(b)
        root = roots[b % 4]
        chord = triad(tonic - 12, scale, root, seventh=True)
        strings.chord(chord[:3], at, bar, 0.4)
        piano.note(chord[0] - 12, at, 3.0, 0.45)
        # a few notes of the chord, not every beat: the words need the space
        for beat in (1.0, 1.5, 2.5):
            if score.chance(0.6):
                piano.note(rng.choice(chord[1:]), at + beat, 1.5, 0.35)
        if score.chance(0.35):
            piano.note(
                degree_pitch(tonic + 12, scale, root + rng.choice((0, 2, 4))), at + 3.0, 2.0, 0.38
            )
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    strings.chord(triad(tonic - 12, scale, 0), last, tail, 0.42)
    piano.chord((tonic - 24, tonic - 12), last, tail, 0.45)
    piano.note(tonic + 4 if not minor else tonic + 3, last + 1, tail - 1, 0.35)
    return score.midi
