"""A thin builder over `pretty_midi.PrettyMIDI` that the recipes write into.

Recipes think in beats and bars; `Score` turns those into seconds, keeps every
note inside the track, and knows where the final cadence belongs (just before
the fade-out has taken the sound away).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence

import pretty_midi

from aifilm.pipeline.music.recipes.dsp import fade_lengths
from aifilm.pipeline.music.recipes.theory import Stroke


class Part:
    """One instrument of a score."""

    def __init__(self, score: Score, instrument: pretty_midi.Instrument) -> None:
        self.score = score
        self.instrument = instrument

    def note(self, pitch: int, beat: float, beats: float, velocity: float) -> None:
        """Play ``pitch`` from ``beat`` for ``beats`` at ``velocity`` (0..1); clipped at the end."""
        start = self.score.seconds(beat)
        end = min(self.score.seconds(beat + beats), self.score.duration)
        if start >= self.score.duration or end - start < 0.01:
            return
        vel = round(max(1.0, min(127.0, velocity * 127)))
        pitch = max(0, min(127, int(pitch)))
        self.instrument.notes.append(pretty_midi.Note(vel, pitch, start, end))

    def chord(self, pitches: Sequence[int], beat: float, beats: float, velocity: float) -> None:
        """Play several pitches together."""
        for p in pitches:
            self.note(p, beat, beats, velocity)

    def bend(self, beat: float, semitones: float) -> None:
        """Set the pitch wheel at ``beat`` (range is +-2 semitones)."""
        time = self.score.seconds(beat)
        if time >= self.score.duration:
            return
        value = round(max(-8192, min(8191, semitones / 2.0 * 8192)))
        self.instrument.pitch_bends.append(pretty_midi.PitchBend(value, time))

    def glide(
        self, beat: float, beats: float, from_semitones: float, to_semitones: float, steps: int = 10
    ) -> None:
        """Slide the pitch wheel smoothly (meend, gamaka) over ``beats``."""
        for i in range(steps + 1):
            x = i / steps
            shaped = 0.5 - 0.5 * math.cos(math.pi * x)
            self.bend(beat + beats * x, from_semitones + (to_semitones - from_semitones) * shaped)

    def control(self, beat: float, number: int, value: int) -> None:
        """A MIDI control change (7 volume, 10 pan, 11 expression)."""
        time = self.score.seconds(beat)
        if time < self.score.duration:
            self.instrument.control_changes.append(pretty_midi.ControlChange(number, value, time))

    def swell(self, beat: float, beats: float, low: int, high: int, steps: int = 12) -> None:
        """Expression rising from ``low`` to ``high`` and back (brass and string swells)."""
        for i in range(steps + 1):
            x = i / steps
            value = low + (high - low) * math.sin(math.pi * x)
            self.control(beat + beats * x, 11, round(value))

    def strokes(
        self, table: dict[str, Stroke], bols: str, beat: float, beats: float, velocity: float
    ) -> None:
        """Drum bols like ``"tha+ki+ta+ki"`` spread evenly over ``beats`` starting at ``beat``."""
        parts = bols.split("+")
        step = beats / len(parts)
        for i, bol in enumerate(parts):
            for key, scale in table[bol]:
                jitter = self.score.rng.uniform(0.9, 1.05)
                self.note(key, beat + i * step, min(step, 0.5), velocity * scale * jitter)


class Score:
    """The MIDI being built for one track, with the timing and randomness it needs."""

    def __init__(
        self,
        genre: str,
        duration: float,
        seed: int,
        tempo: float,
        beats_per_bar: int = 4,
        beat_note: int = 4,
    ) -> None:
        """``tempo`` counts beats per minute, a beat being a 1/``beat_note`` note."""
        self.genre = genre
        self.duration = duration
        self.tempo = tempo
        self.beats_per_bar = beats_per_bar
        self.rng = random.Random(f"{genre}/{seed}")
        self.midi = pretty_midi.PrettyMIDI(initial_tempo=tempo * 4 / beat_note)
        self.midi.time_signature_changes.append(
            pretty_midi.TimeSignature(beats_per_bar, beat_note, 0.0)
        )
        self.seconds_per_beat = 60.0 / tempo
        self.total_beats = duration / self.seconds_per_beat
        self.bar_count = max(1, math.ceil(self.total_beats / beats_per_bar))
        _, fade_out = fade_lengths(duration)
        # The last cadence starts so that it sounds for at least a bar before the fade takes it,
        # and even a short track keeps one bar of body before it.
        last_clear = max(0.0, duration - 0.5 * fade_out) / self.seconds_per_beat
        self.cadence_bar = max(
            min(1, self.bar_count - 1), math.floor(last_clear / beats_per_bar) - 1
        )

    def seconds(self, beat: float) -> float:
        """Seconds from the start at ``beat``."""
        return beat * self.seconds_per_beat

    def beats(self, seconds: float) -> float:
        """Beats in ``seconds``."""
        return seconds / self.seconds_per_beat

    def bar_beat(self, bar: int) -> float:
        """First beat of ``bar``."""
        return float(bar * self.beats_per_bar)

    def part(
        self, name: str, program: int, *, drum: bool = False, volume: int = 100, pan: int = 64
    ) -> Part:
        """Add an instrument (``pan`` 0 left .. 127 right)."""
        instrument = pretty_midi.Instrument(program=program, is_drum=drum, name=name)
        self.midi.instruments.append(instrument)
        part = Part(self, instrument)
        part.control(0.0, 7, volume)
        part.control(0.0, 10, pan)
        return part

    def bars(self) -> Iterator[int]:
        """Bars before the final cadence."""
        return iter(range(self.cadence_bar))

    def tail_beats(self, bar: int) -> float:
        """Beats from the start of ``bar`` to the end of the track."""
        return max(0.0, self.total_beats - self.bar_beat(bar))

    def chance(self, p: float) -> bool:
        """True with probability ``p`` (seeded)."""
        return self.rng.random() < p


def pick_tempo(genre: str, seed: int, low: int, high: int, override: int | None) -> float:
    """The track's tempo: the override if given, else a seeded pick in ``[low, high]``."""
    if override:
        return float(override)
    return float(random.Random(f"{genre}/{seed}/tempo").randint(low, high))


def melody_phrase(
    rng: random.Random,
    beats: float,
    *,
    start: int,
    end: int,
    low: int,
    high: int,
    rhythms: Sequence[Sequence[float]],
) -> list[tuple[float, float, int]]:
    """A phrase as ``(beat offset, length, scale degree)``: a seeded walk that lands on ``end``.

    ``rhythms`` are one-beat (or longer) cells of note lengths to choose from;
    the last note is held to fill the phrase.
    """
    cells: list[float] = []
    while sum(cells) < beats - 1e-6:
        cell = list(rng.choice(rhythms))
        room = beats - sum(cells)
        if sum(cell) > room + 1e-6:
            cell = [room]
        cells.extend(cell)
    steps = (-2, -1, -1, 0, 1, 1, 2, 3, -3)
    degree = start
    notes: list[tuple[float, float, int]] = []
    position = 0.0
    count = len(cells)
    for i, length in enumerate(cells):
        if i == count - 1:
            degree = end
        elif i > 0:
            remaining = count - 1 - i
            step = rng.choice(steps)
            # Head for the goal as the phrase runs out.
            if remaining <= 2 and abs(end - degree) > 1:
                step = 1 if end > degree else -1
            degree = max(low, min(high, degree + step))
        notes.append((position, length, degree))
        position += length
    return notes


def play_line(
    part: Part,
    notes: Sequence[tuple[float, float, int]],
    beat: float,
    pitch_of: Callable[[int], int],
    velocity: float,
    *,
    legato: float = 0.95,
    accent_every: float = 0.0,
) -> list[tuple[float, float, int]]:
    """Play ``(offset, length, degree)`` notes from ``beat``; returns them as absolute pitches."""
    played: list[tuple[float, float, int]] = []
    rng = part.score.rng
    for offset, length, degree in notes:
        pitch = pitch_of(degree)
        accent = 1.1 if accent_every and (offset % accent_every) < 1e-6 else 1.0
        part.note(pitch, beat + offset, length * legato, velocity * accent * rng.uniform(0.9, 1.05))
        played.append((beat + offset, length, pitch))
    return played
