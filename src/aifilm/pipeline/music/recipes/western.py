"""Western recipes: cinematic, orchestral, ambient, meditation, pop, rock, electronic."""

from __future__ import annotations

import pretty_midi

from aifilm.pipeline.music.recipes.score import Score, melody_phrase, pick_tempo, play_line
from aifilm.pipeline.music.recipes.theory import (
    MAJOR,
    MINOR,
    MIXOLYDIAN,
    PENTATONIC_MAJOR,
    PENTATONIC_MINOR,
    PROGRESSIONS_MAJOR,
    PROGRESSIONS_MINOR,
    PROGRESSIONS_ROCK,
    Drum,
    Program,
    degree_pitch,
    triad,
)

SIMPLE_RHYTHMS = ((1.0,), (0.5, 0.5), (1.5, 0.5), (2.0,))


def cinematic(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Slow low strings, brass swells from the second phrase, timpani hits and rolls, a choir."""
    score = Score("cinematic", duration, seed, pick_tempo("cinematic", seed, 58, 72, tempo))
    rng = score.rng
    tonic = rng.choice((50, 52, 53, 55))  # D3..G3
    scale = MINOR
    progression = rng.choice(PROGRESSIONS_MINOR)
    strings = score.part("strings", Program.SLOW_STRINGS, volume=100, pan=44)
    basses = score.part("cellos and basses", Program.CONTRABASS, volume=95, pan=60)
    brass = score.part("brass", Program.BRASS, volume=88, pan=80)
    horn = score.part("horn melody", Program.FRENCH_HORN, volume=85, pan=70)
    choir = score.part("choir", Program.CHOIR, volume=70, pan=30)
    timpani = score.part("timpani", Program.TIMPANI, volume=100, pan=64)
    bar = score.beats_per_bar
    for b in score.bars():
        at = score.bar_beat(b)
        root = progression[b % 4]
        chord = triad(tonic, scale, root)
        strings.chord(chord, at, bar, 0.6 + 0.05 * ((b // 4) % 3))
        basses.note(degree_pitch(tonic - 12, scale, root), at, bar, 0.7)
        if b % 4 == 0:  # timpani marks each phrase; a roll leads into the next
            timpani.note(tonic - 12, at, 2.0, 0.75)
        if b % 4 == 3:
            for i in range(16):
                timpani.note(
                    tonic - 12 if root != 4 else tonic - 5,
                    at + 2 + i * 0.125,
                    0.125,
                    0.3 + 0.03 * i,
                )
        if b >= 4 and b % 2 == 0:  # brass swell over two bars
            brass.swell(at, 2 * bar, 30, 120)
            brass.chord([p + 12 for p in chord[:2]], at, 2 * bar, 0.7)
        if b >= 8 and (b // 8) % 2 == 1:
            choir.chord([p + 12 for p in chord], at, bar, 0.5)
        if b % 4 == 0 and b >= 4:
            line = melody_phrase(
                rng,
                3 * bar,
                start=rng.choice((0, 2, 4)),
                end=rng.choice((0, 4)),
                low=0,
                high=9,
                rhythms=((2.0,), (3.0, 1.0), (1.0, 1.0), (4.0,)),
            )
            play_line(
                horn, line, at, lambda d: degree_pitch(tonic + 12, scale, d), 0.62, legato=1.0
            )
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    final = triad(tonic, scale, 0)
    strings.chord([*final, tonic + 12], last, tail, 0.7)
    basses.note(tonic - 12, last, tail, 0.75)
    brass.control(last, 11, 110)
    brass.chord([tonic + 12, tonic + 19], last, tail, 0.7)
    for i in range(8):
        timpani.note(tonic - 12, last - 1 + i * 0.125, 0.125, 0.35 + 0.05 * i)
    timpani.note(tonic - 12, last, 2.0, 0.9)
    return score.midi


def orchestral(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Classical period form: strings accompany, flute and oboe share the tune, V7-I cadences."""
    score = Score("orchestral", duration, seed, pick_tempo("orchestral", seed, 88, 112, tempo))
    rng = score.rng
    tonic = rng.choice((60, 62, 65, 67))
    scale = MAJOR
    violins = score.part("violins", Program.STRINGS, volume=88, pan=36)
    cellos = score.part("cellos", Program.CELLO, volume=90, pan=80)
    bassoon = score.part("bassoon", Program.BASSOON, volume=70, pan=70)
    winds = [
        score.part("flute", Program.FLUTE, volume=100, pan=50),
        score.part("oboe", Program.OBOE, volume=92, pan=76),
        score.part("clarinet", Program.CLARINET, volume=92, pan=60),
    ]
    bar = score.beats_per_bar
    # An eight-bar period: antecedent ends on V (half cadence), consequent on I (authentic).
    period = ((0, 3, 4, 4), (0, 5, 1, 4))
    for b in score.bars():
        at = score.bar_beat(b)
        phrase = period[(b // 4) % 2]
        root = phrase[b % 4]
        seventh = (b % 8) == 7
        chord = triad(tonic - 12, scale, root, seventh=seventh)
        cellos.note(degree_pitch(tonic - 24, scale, root), at, 1.0, 0.7)
        bassoon.note(degree_pitch(tonic - 24, scale, root), at, 2.0, 0.5)
        for beat in (1, 2, 3):
            violins.chord(chord[1:], at + beat, 0.9, 0.45)
        if b % 4 == 0:
            end = 4 if (b // 4) % 2 == 0 else 0  # land on the fifth, then the tonic
            line = melody_phrase(
                rng,
                4 * bar,
                start=rng.choice((0, 2, 4)),
                end=end,
                low=-1,
                high=9,
                rhythms=(*SIMPLE_RHYTHMS, (0.5, 0.25, 0.25)),
            )
            wind = winds[(b // 4) % len(winds)]
            play_line(
                wind, line, at, lambda d: degree_pitch(tonic, scale, d), 0.7, accent_every=2.0
            )
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    violins.chord(triad(tonic - 12, scale, 4, seventh=True), last - 2, 2, 0.55)
    violins.chord(triad(tonic - 12, scale, 0), last, tail, 0.6)
    cellos.note(tonic - 24, last, tail, 0.7)
    bassoon.note(tonic - 24, last, tail, 0.55)
    winds[0].note(tonic + 12, last, tail, 0.6)
    winds[1].note(tonic + 7, last, tail, 0.5)
    return score.midi


def ambient(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Slowly changing pad chords, a sub drone and sparse glassy notes; no drums."""
    score = Score("ambient", duration, seed, pick_tempo("ambient", seed, 60, 70, tempo))
    rng = score.rng
    tonic = rng.choice((57, 59, 60, 62))
    scale = rng.choice((MAJOR, (0, 2, 4, 6, 7, 9, 11)))  # Ionian or Lydian
    pads = [
        score.part("warm pad", Program.WARM_PAD, volume=92, pan=40),
        score.part("halo pad", Program.HALO_PAD, volume=80, pan=88),
    ]
    sub = score.part("drone", Program.NEW_AGE_PAD, volume=70, pan=64)
    sparkle = score.part(
        "sparkle",
        rng.choice((Program.CELESTA, Program.VIBRAPHONE, Program.CRYSTAL)),
        volume=70,
        pan=96,
    )
    bar = score.beats_per_bar
    roots = rng.choice(((0, 5, 3, 4), (0, 3, 5, 3), (0, 4, 5, 3)))
    for b in range(0, score.bar_count, 2):
        at = score.bar_beat(b)
        root = roots[(b // 2) % 4] if b < score.cadence_bar else 0
        pad = pads[(b // 2) % 2]
        # add9 voicings, long overlapping notes: each chord rings into the next on another pad
        voicing = [degree_pitch(tonic - 12, scale, root + d) for d in (0, 2, 4, 8)]
        pad.chord(voicing, at, 2 * bar + 2 if b < score.cadence_bar else score.tail_beats(b), 0.55)
        pad.swell(at, 2 * bar, 70, 120, steps=8)
    span = 8 * bar
    for start in range(0, int(score.total_beats) + 1, span):
        sub.chord((tonic - 24, tonic - 17), float(start), span, 0.5)
    beat = rng.uniform(2, 6)
    while beat < score.total_beats - 2:
        degree = rng.choice((0, 1, 2, 4, 5, 7, 9))
        sparkle.note(
            degree_pitch(tonic + 12, PENTATONIC_MAJOR, degree), beat, 3.0, rng.uniform(0.25, 0.4)
        )
        beat += rng.choice((3.0, 4.5, 6.0, 7.5))
    return score.midi


def meditation(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """A fifth held by voices and pad, singing-bowl strikes every few bars; no drums."""
    score = Score("meditation", duration, seed, pick_tempo("meditation", seed, 50, 60, tempo))
    rng = score.rng
    tonic = rng.choice((48, 50, 53))
    drone = score.part("drone", Program.CHOIR_PAD, volume=85, pan=48)
    pad = score.part("pad", Program.WARM_PAD, volume=75, pan=80)
    bowls = score.part("singing bowls", Program.TUBULAR_BELLS, volume=70, pan=64)
    span = 8.0 * score.beats_per_bar
    start = 0.0
    while start < score.total_beats:
        drone.chord((tonic, tonic + 7), start, span, 0.5)
        pad.chord((tonic - 12, tonic + 12), start, span, 0.4)
        start += span
    bowl_pitches = (tonic, tonic + 7, tonic + 12, tonic + 2)
    beat = 0.5
    strike = 0
    while beat < score.total_beats - 1:
        pitch = bowl_pitches[0] if strike % 3 == 0 else rng.choice(bowl_pitches)
        bowls.note(pitch, beat, 8.0, rng.uniform(0.35, 0.5))
        bowls.bend(beat, 0.0)
        bowls.glide(beat + 1.0, 6.0, 0.0, 0.08, steps=4)  # a faint beating, as a bowl's partials do
        beat += rng.choice((6.0, 8.0, 10.0, 12.0))
        strike += 1
    return score.midi


def _four_on_the_floor(score: Score, drums_name: str, *, clap: bool, open_hats: bool) -> None:
    drums = score.part(drums_name, 0, drum=True, volume=100, pan=64)
    beats = int(score.total_beats) + 1
    for beat in range(beats):
        drums.note(Drum.KICK, beat, 0.5, 0.9)
        if beat % 2 == 1:
            drums.note(Drum.CLAP if clap else Drum.SNARE, beat, 0.5, 0.7)
        drums.note(Drum.CLOSED_HAT, beat, 0.25, 0.4)
        drums.note(Drum.OPEN_HAT if open_hats else Drum.CLOSED_HAT, beat + 0.5, 0.25, 0.5)
        if beat % (score.beats_per_bar * 8) == 0:
            drums.note(Drum.CRASH, beat, 1.0, 0.6)


def pop(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Piano chords and tune, bass in eighths, kick on every beat with snare on 2 and 4."""
    score = Score("pop", duration, seed, pick_tempo("pop", seed, 104, 122, tempo))
    rng = score.rng
    tonic = rng.choice((60, 62, 64, 65, 67))
    scale = MAJOR
    verse, chorus = rng.choice(PROGRESSIONS_MAJOR), rng.choice(PROGRESSIONS_MAJOR)
    piano = score.part("piano", Program.PIANO, volume=100, pan=56)
    bass = score.part("bass", Program.FINGER_BASS, volume=95, pan=64)
    pad = score.part("synth strings", Program.SYNTH_STRINGS, volume=60, pan=90)
    _four_on_the_floor(score, "drums", clap=False, open_hats=False)
    bar = score.beats_per_bar
    hooks = [
        melody_phrase(
            rng,
            2 * bar,
            start=rng.choice((2, 4)),
            end=e,
            low=0,
            high=9,
            rhythms=((0.5, 0.5), (1.0,), (0.5, 1.0, 0.5), (1.5, 0.5)),
        )
        for e in (4, 0, 2, 0)
    ]
    for b in score.bars():
        at = score.bar_beat(b)
        in_chorus = (b // 8) % 2 == 1
        root = (chorus if in_chorus else verse)[b % 4]
        chord = triad(tonic - 12, scale, root)
        for offset in (0.0, 1.5, 2.5, 3.0):
            piano.chord(chord, at + offset, 0.45 if offset else 1.4, 0.55)
        root_pitch = degree_pitch(tonic - 24, scale, root)
        for i in range(8):
            bass.note(root_pitch + (12 if i == 7 else 0), at + i * 0.5, 0.45, 0.65)
        if in_chorus:
            pad.chord(chord, at, bar, 0.45)
        if b % 2 == 0:
            play_line(
                piano, hooks[(b // 2) % 4], at, lambda d: degree_pitch(tonic + 12, scale, d), 0.7
            )
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    piano.chord([*triad(tonic - 12, scale, 0), tonic + 12], last, tail, 0.6)
    bass.note(tonic - 24, last, tail, 0.7)
    return score.midi


def rock(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Overdriven power chords in eighths, picked bass, kick 1 and 3 with a snare backbeat."""
    score = Score("rock", duration, seed, pick_tempo("rock", seed, 120, 144, tempo))
    rng = score.rng
    tonic = rng.choice((40, 42, 43, 45))  # E2..A2
    scale = rng.choice((MIXOLYDIAN, MINOR))
    progression = rng.choice(PROGRESSIONS_ROCK)
    guitar = score.part("rhythm guitar", Program.OVERDRIVE_GUITAR, volume=92, pan=30)
    lead = score.part("lead guitar", Program.DISTORTION_GUITAR, volume=80, pan=96)
    bass = score.part("bass", Program.PICK_BASS, volume=100, pan=64)
    drums = score.part("drums", 0, drum=True, volume=105, pan=64)
    bar = score.beats_per_bar
    for b in score.bars():
        at = score.bar_beat(b)
        root = degree_pitch(tonic, scale, progression[b % 4])
        for i in range(8):  # palm-muted eighths, the first of each half-bar accented
            accent = 0.8 if i % 4 == 0 else 0.6
            guitar.chord((root + 12, root + 19, root + 24), at + i * 0.5, 0.45, accent)
            bass.note(root, at + i * 0.5, 0.45, 0.72)
        for beat in range(bar):
            drums.note(
                Drum.KICK if beat % 2 == 0 else Drum.SNARE,
                at + beat,
                0.5,
                0.9 if beat % 2 else 0.95,
            )
            ride = Drum.RIDE if (b // 8) % 2 else Drum.CLOSED_HAT
            drums.note(ride, at + beat, 0.25, 0.55)
            drums.note(ride, at + beat + 0.5, 0.25, 0.4)
        if score.chance(0.5):
            drums.note(Drum.KICK, at + 2.5, 0.25, 0.7)
        if b % 8 == 0:
            drums.note(Drum.CRASH, at, 1.0, 0.75)
        if (b // 8) % 2 == 1 and b % 2 == 0:  # a lead line in every other section
            line = melody_phrase(
                rng,
                2 * bar,
                start=rng.choice((0, 2, 4)),
                end=rng.choice((0, 2)),
                low=0,
                high=8,
                rhythms=((0.5, 0.5), (1.0,), (0.25, 0.25, 0.5), (1.5, 0.5)),
            )
            play_line(lead, line, at, lambda d: degree_pitch(tonic + 24, PENTATONIC_MINOR, d), 0.65)
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    guitar.chord((tonic + 12, tonic + 19, tonic + 24), last, tail, 0.85)
    bass.note(tonic, last, tail, 0.8)
    drums.note(Drum.CRASH, last, 2.0, 0.85)
    drums.note(Drum.KICK, last, 0.5, 0.95)
    return score.midi


def electronic(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Kick on every beat, claps on 2 and 4, off-beat saw bass, a saw arpeggio lead and pad."""
    score = Score("electronic", duration, seed, pick_tempo("electronic", seed, 122, 130, tempo))
    rng = score.rng
    tonic = rng.choice((57, 58, 60, 62))
    scale = MINOR
    progression = rng.choice(PROGRESSIONS_MINOR)
    lead = score.part("saw lead", Program.SAW_LEAD, volume=70, pan=70)
    bass = score.part("saw bass", Program.SYNTH_BASS, volume=100, pan=64)
    pad = score.part("pad", Program.POLYSYNTH_PAD, volume=66, pan=40)
    _four_on_the_floor(score, "drum machine", clap=True, open_hats=True)
    bar = score.beats_per_bar
    pattern = rng.choice(((0, 1, 2, 1), (0, 2, 1, 2), (0, 1, 2, 3)))
    for b in score.bars():
        at = score.bar_beat(b)
        root = progression[b % 4]
        chord = triad(tonic - 12, scale, root)
        pad.chord(chord, at, bar, 0.45)
        for beat in range(bar):
            bass.note(degree_pitch(tonic - 24, scale, root), at + beat + 0.5, 0.45, 0.8)
        if b >= 2:  # sixteenth-note arpeggio, opening up each section
            voices = [*chord, chord[0] + 12]
            for i in range(16):
                lift = 1 if i % 8 >= 4 and (b // 4) % 2 else 0
                pitch = voices[(pattern[i % 4] + lift) % len(voices)] + 12
                lead.note(pitch, at + i * 0.25, 0.22, 0.5 + (0.15 if i % 4 == 0 else 0))
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    pad.chord(triad(tonic - 12, scale, 0), last, tail, 0.5)
    bass.note(tonic - 24, last, tail, 0.75)
    lead.note(tonic + 12, last, min(tail, 4.0), 0.6)
    return score.midi
