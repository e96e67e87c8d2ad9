"""Indian recipes: carnatic, hindustani, bollywood, bhajan, aarti, folk."""

from __future__ import annotations

import pretty_midi

from aifilm.pipeline.music.recipes.score import Part, Score, melody_phrase, pick_tempo, play_line
from aifilm.pipeline.music.recipes.theory import (
    ADI_TALA,
    ADI_TALA_FILL,
    CARNATIC_RAGAS,
    DEVOTIONAL_SCALES,
    DHOL,
    DHOLAK,
    HARMONIC_MINOR,
    HINDUSTANI_RAGAS,
    KEHERWA,
    MAJOR,
    MIXOLYDIAN,
    MRIDANGAM,
    PENTATONIC_MAJOR,
    PROGRESSIONS_MAJOR,
    PROGRESSIONS_MINOR,
    SA_CHOICES,
    TABLA,
    TEENTAAL,
    TEENTAAL_FILL,
    Drum,
    Program,
    Raga,
    Stroke,
    degree_pitch,
    triad,
)

# --- shared pieces ----------------------------------------------------------------------


def drone(score: Score, sa: int, *, volume: int = 90, shruti: int = 60) -> None:
    """Tanpura (plucked Pa-Sa-Sa-low Sa cycle) plus a quiet sustained shruti box on Sa and Pa."""
    tanpura = score.part("tanpura", Program.SITAR, volume=volume, pan=44)
    cycle = (sa - 5, sa, sa, sa - 12)
    pluck, rest = 1.05, 0.7  # seconds between plucks, and the breath before the cycle restarts
    time = 0.0
    while time < score.duration:
        for pitch in cycle:
            velocity = score.rng.uniform(0.45, 0.55)
            tanpura.note(pitch, score.beats(time), score.beats(4.0), velocity)
            time += pluck
        time += rest
    if shruti:
        box = score.part("shruti", Program.REED_ORGAN, volume=shruti, pan=84)
        span = score.beats_per_bar * 8  # re-breathe the bellows every eight bars
        beat = 0.0
        while beat < score.total_beats:
            box.chord((sa - 12, sa - 5), beat, span, 0.5)
            beat += span


def raga_line(
    score: Score,
    part: Part,
    raga: Raga,
    sa: int,
    beat: float,
    beats: float,
    *,
    rhythms: tuple[tuple[float, ...], ...],
    velocity: float,
    end: int = 0,
    meend: float = 0.0,
    gamaka: float = 0.0,
) -> None:
    """One raga phrase: a pakad or a seeded walk over the raga's swaras, landing on ``end``.

    Meend is a glide from the previous swara (pitch wheel, up to a whole tone);
    gamaka an oscillation to the next swara above on held notes.
    """
    size = len(raga.scale)
    rng = score.rng
    if rng.random() < 0.3 and beats >= len(raga.pakad) * 0.5:
        step = min(1.0, beats / len(raga.pakad))
        notes = [(i * step, step, 0) for i in range(len(raga.pakad))]
        pitches = [sa + 12 + p for p in raga.pakad]
        for (offset, length, _), pitch in zip(notes, pitches, strict=True):
            part.bend(beat + offset, 0.0)
            part.note(pitch, beat + offset, length * 0.95, velocity * rng.uniform(0.9, 1.05))
        return
    start = rng.choice((0, 2, 4, size))
    vadi_degree = raga.scale.index(raga.vadi) if raga.vadi in raga.scale else 0
    start = rng.choice((start, vadi_degree))
    line = melody_phrase(rng, beats, start=start, end=end, low=-2, high=size + 3, rhythms=rhythms)
    previous: int | None = None
    for offset, length, degree in line:
        pitch = degree_pitch(sa + 12, raga.scale, degree)
        at = beat + offset
        interval = 0 if previous is None else previous - pitch
        if (
            meend
            and previous is not None
            and 0 < abs(interval) <= 2
            and length >= 1
            and rng.random() < meend
        ):
            part.glide(at, min(length * 0.4, 1.0), float(interval), 0.0, steps=8)
        elif gamaka and length >= 0.5 and rng.random() < gamaka:
            upper = min(2, degree_pitch(sa + 12, raga.scale, degree + 1) - pitch)
            part.bend(at, 0.0)
            cycles = max(1, int(score.seconds(length) * 5))
            wobble = length * 0.7 / cycles
            for c in range(cycles):
                part.glide(at + length * 0.25 + c * wobble, wobble, 0.0, float(upper), steps=3)
                part.glide(
                    at + length * 0.25 + (c + 0.5) * wobble, wobble / 2, float(upper), 0.0, steps=3
                )
        else:
            part.bend(at, 0.0)
        part.note(pitch, at, length * 0.97, velocity * rng.uniform(0.88, 1.05))
        previous = pitch


def play_tala(
    part: Part,
    table: dict[str, Stroke],
    bols: tuple[str, ...],
    beat: float,
    velocity: float,
    beats_per_bol: float = 1.0,
) -> None:
    """One cycle of a tala's bols from ``beat``."""
    for i, bol in enumerate(bols):
        part.strokes(table, bol, beat + i * beats_per_bol, beats_per_bol, velocity)


# --- recipes --------------------------------------------------------------------------------


def hindustani(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Tanpura drone, a slow alap with meend, then a gat in teentaal on tabla; ends on Sa."""
    score = Score("hindustani", duration, seed, pick_tempo("hindustani", seed, 72, 92, tempo))
    rng = score.rng
    raga = rng.choice(HINDUSTANI_RAGAS)
    sa = rng.choice(SA_CHOICES)
    drone(score, sa)
    name, program = rng.choice(
        (("bansuri", Program.FLUTE), ("bansuri", Program.FLUTE), ("sitar", Program.SITAR))
    )
    lead = score.part(name, program, volume=100, pan=70)
    tabla = score.part("tabla", 0, drum=True, volume=105, pan=58)
    bar = score.beats_per_bar
    alap_bars = 0
    if duration >= 40:
        alap_bars = 4 * max(1, round(min(0.15 * duration, 24.0) / score.seconds(4 * bar)))
    alap_bars = min(alap_bars, score.cadence_bar)
    for b in range(0, alap_bars, 2):  # alap: slow, free, gliding
        raga_line(
            score,
            lead,
            raga,
            sa - 12 if b == 0 else sa,
            score.bar_beat(b),
            2 * bar,
            rhythms=((2.0,), (1.5, 0.5), (3.0,), (1.0,)),
            velocity=0.6,
            end=0,
            meend=0.7,
        )
    first_gat = alap_bars
    cycle = 0
    b = first_gat
    while b < score.cadence_bar:  # gat: 16-beat phrases over teentaal
        length_bars = min(4, score.cadence_bar - b)
        fill = cycle % 4 == 3
        play_tala(tabla, TABLA, TEENTAAL_FILL if fill else TEENTAAL, score.bar_beat(b), 0.75)
        if cycle % 4 == 2 and length_bars == 4:  # a tan: quick run up and down the raga
            scale = raga.scale
            run = [*range(0, 2 * len(scale) + 1), *range(2 * len(scale) - 1, -1, -1)]
            step = 0.25
            for i, degree in enumerate(run[: int(4 * bar / step)]):
                lead.bend(score.bar_beat(b) + i * step, 0.0)
                lead.note(
                    degree_pitch(sa + 12, scale, degree), score.bar_beat(b) + i * step, step, 0.62
                )
        else:
            raga_line(
                score,
                lead,
                raga,
                sa,
                score.bar_beat(b),
                length_bars * bar,
                rhythms=((1.0,), (0.5, 0.5), (1.5, 0.5), (2.0,), (0.5, 0.25, 0.25)),
                velocity=0.7,
                end=rng.choice((0, 4 if len(raga.scale) > 4 else 0)),
                meend=0.4,
            )
        cycle += 1
        b += 4
    # Cadence: tihai on the tabla, the melody settles on Sa.
    last = score.bar_beat(score.cadence_bar)
    for i in range(3):
        tabla.strokes(TABLA, "dha", last + i * 1.0, 1.0, 0.85)
    tabla.strokes(TABLA, "dha", last + 3.0, 1.0, 0.95)
    lead.bend(last, 0.0)
    lead.note(sa + 12, last, score.tail_beats(score.cadence_bar), 0.6)
    return score.midi


def carnatic(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Drone, a brisk raga melody with gamakas on violin or flute, mridangam in adi tala."""
    score = Score("carnatic", duration, seed, pick_tempo("carnatic", seed, 92, 112, tempo))
    rng = score.rng
    raga = rng.choice(CARNATIC_RAGAS)
    sa = rng.choice(SA_CHOICES)
    drone(score, sa, volume=80, shruti=50)
    violin = rng.random() < 0.6
    lead = score.part(
        "violin" if violin else "flute",
        Program.VIOLIN if violin else Program.FLUTE,
        volume=100,
        pan=72,
    )
    mridangam = score.part("mridangam", 0, drum=True, volume=105, pan=56)
    bar = score.beats_per_bar
    b = 0
    cycle = 0
    while b < score.cadence_bar:  # adi tala = 8 beats = 2 bars
        span = min(2, score.cadence_bar - b)
        play_tala(
            mridangam,
            MRIDANGAM,
            ADI_TALA_FILL if cycle % 4 == 3 else ADI_TALA,
            score.bar_beat(b),
            0.72,
        )
        raga_line(
            score,
            lead,
            raga,
            sa,
            score.bar_beat(b),
            span * bar,
            rhythms=((0.5, 0.5), (0.25, 0.25, 0.5), (1.0,), (0.25, 0.25, 0.25, 0.25), (0.75, 0.25)),
            velocity=0.68,
            end=rng.choice((0, 4)) if cycle % 2 == 0 else 0,
            gamaka=0.55,
        )
        cycle += 1
        b += 2
    last = score.bar_beat(score.cadence_bar)
    for i, bols in enumerate(("tha+dhi+thom", "tha+dhi+thom", "tha+dhi+thom")):  # a small korvai
        mridangam.strokes(MRIDANGAM, bols, last + i * 1.0, 1.0, 0.8)
    mridangam.strokes(MRIDANGAM, "dheem", last + 3.0, 1.0, 0.9)
    lead.bend(last, 0.0)
    lead.note(sa + 12, last, score.tail_beats(score.cadence_bar), 0.6)
    return score.midi


def bollywood(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Film song: string chords, a bright melody (mukhda/antara), bass and a dholak keherwa."""
    score = Score("bollywood", duration, seed, pick_tempo("bollywood", seed, 92, 112, tempo))
    rng = score.rng
    minor = rng.random() < 0.4
    scale = HARMONIC_MINOR if minor else MAJOR
    progressions = PROGRESSIONS_MINOR if minor else PROGRESSIONS_MAJOR
    tonic = rng.choice((60, 62, 63, 65))
    strings = score.part("strings", Program.STRINGS, volume=78, pan=40)
    lead = score.part(
        "lead", rng.choice((Program.FLUTE, Program.VIOLIN, Program.PAN_FLUTE)), volume=105, pan=70
    )
    bass = score.part("bass", Program.FINGER_BASS, volume=95, pan=64)
    dholak = score.part("dholak", 0, drum=True, volume=100, pan=60)
    bar = score.beats_per_bar
    mukhda = rng.choice(progressions)
    antara = rng.choice(progressions)
    motifs = [
        melody_phrase(
            rng,
            2 * bar,
            start=rng.choice((0, 2, 4)),
            end=e,
            low=-1,
            high=9,
            rhythms=((0.5, 0.5), (1.0,), (1.5, 0.5), (0.5, 0.25, 0.25)),
        )
        for e in (4, 0, 1, 0)
    ]
    for b in score.bars():
        section = (b // 8) % 3  # mukhda, mukhda, antara
        chord_root = (antara if section == 2 else mukhda)[b % 4]
        chord = triad(tonic - 12, scale, chord_root)
        strings.chord(chord, score.bar_beat(b), bar, 0.55)
        root = degree_pitch(tonic - 24, scale, chord_root)
        for offset in (0.0, 1.5, 2.0, 3.0):
            bass.note(root if offset != 1.5 else root + 7, score.bar_beat(b) + offset, 0.9, 0.7)
        play_tala(dholak, DHOLAK, KEHERWA, score.bar_beat(b), 0.7, beats_per_bol=0.5)
        dholak.note(Drum.TAMBOURINE, score.bar_beat(b) + 1, 0.3, 0.45)
        dholak.note(Drum.TAMBOURINE, score.bar_beat(b) + 3, 0.3, 0.45)
        if b >= 2 and b % 2 == 0:  # two bars of intro, then two-bar motifs A A' B A
            motif = motifs[(b // 2) % 4]
            lift = 2 if section == 2 else 0  # the antara sits two scale steps higher

            def pitch_of(degree: int, lift: int = lift) -> int:
                return degree_pitch(tonic, scale, degree + lift)

            play_line(lead, motif, score.bar_beat(b), pitch_of, 0.72)
    last = score.bar_beat(score.cadence_bar)
    strings.chord(triad(tonic - 12, scale, 0), last, score.tail_beats(score.cadence_bar), 0.6)
    bass.note(tonic - 24, last, score.tail_beats(score.cadence_bar), 0.7)
    lead.note(tonic, last, score.tail_beats(score.cadence_bar), 0.65)
    dholak.strokes(DHOLAK, "dha", last, 1.0, 0.85)
    return score.midi


def _devotional_melody(
    score: Score, tonic: int, scale: tuple[int, ...]
) -> list[list[tuple[float, float, int]]]:
    rng = score.rng
    bar = score.beats_per_bar
    top = len(scale) + 2
    return [
        melody_phrase(
            rng,
            2 * bar,
            start=rng.choice((0, 2)),
            end=end,
            low=-2,
            high=top,
            rhythms=((1.0,), (2.0,), (0.5, 0.5), (1.5, 0.5)),
        )
        for end in (2, 0, 4, 0)
    ]


def bhajan(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Harmonium melody over harmonium drone chords, soft dholak keherwa, manjira and bells."""
    score = Score("bhajan", duration, seed, pick_tempo("bhajan", seed, 66, 82, tempo))
    rng = score.rng
    scale = rng.choice(DEVOTIONAL_SCALES)
    tonic = rng.choice((60, 62, 63))
    harmonium = score.part("harmonium", Program.REED_ORGAN, volume=100, pan=66)
    chords = score.part("harmonium chords", Program.ACCORDION, volume=62, pan=50)
    bells = score.part("bells", Program.TINKLE_BELL, volume=55, pan=90)
    perc = score.part("dholak and manjira", 0, drum=True, volume=85, pan=60)
    bar = score.beats_per_bar
    motifs = _devotional_melody(score, tonic, scale)
    for b in score.bars():
        at = score.bar_beat(b)
        chords.chord((tonic - 12, tonic - 5, tonic), at, bar, 0.45)
        play_tala(perc, DHOLAK, KEHERWA, at, 0.5, beats_per_bol=0.5)
        for beat in range(bar):  # manjira: open on 1 and 3, closed on 2 and 4
            key = Drum.OPEN_TRIANGLE if beat % 2 == 0 else Drum.MUTE_TRIANGLE
            perc.note(key, at + beat, 0.5, 0.5)
        if b % 2 == 0:
            bells.note(tonic + 24, at, 2.0, 0.4)
        if b % 2 == 0:
            motif = motifs[(b // 2) % 4]
            play_line(harmonium, motif, at, lambda d: degree_pitch(tonic, scale, d), 0.7)
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    harmonium.note(tonic, last, tail, 0.65)
    chords.chord((tonic - 12, tonic - 5, tonic), last, tail, 0.45)
    bells.note(tonic + 24, last, tail, 0.45)
    perc.note(Drum.OPEN_TRIANGLE, last, 1.0, 0.55)
    return score.midi


def aarti(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Temple bells on every beat, harmonium call answered by chorus and flute, manjira pulse."""
    score = Score("aarti", duration, seed, pick_tempo("aarti", seed, 92, 108, tempo))
    rng = score.rng
    scale = rng.choice((MAJOR, MIXOLYDIAN))
    tonic = rng.choice((60, 62, 64))
    call = score.part("harmonium (call)", Program.REED_ORGAN, volume=100, pan=50)
    chorus = score.part("chorus (response)", Program.CHOIR, volume=92, pan=78)
    flute = score.part("flute (response)", Program.FLUTE, volume=70, pan=84)
    ghanta = score.part("temple bell", Program.TUBULAR_BELLS, volume=80, pan=30)
    bells = score.part("hand bell", Program.TINKLE_BELL, volume=70, pan=96)
    perc = score.part("manjira and dholak", 0, drum=True, volume=90, pan=62)
    bar = score.beats_per_bar
    motifs = _devotional_melody(score, tonic, scale)
    for b in score.bars():
        at = score.bar_beat(b)
        ghanta.note(tonic - 12 if b % 2 == 0 else tonic - 5, at, 3.0, 0.55)
        for beat in range(bar):
            bells.note(tonic + 24 + (0 if beat % 2 == 0 else 7), at + beat, 0.8, 0.38)
            perc.note(Drum.OPEN_TRIANGLE, at + beat, 0.5, 0.55)
            perc.note(Drum.MUTE_TRIANGLE, at + beat + 0.5, 0.25, 0.35)
        perc.strokes(DHOLAK, "dha", at, 1.0, 0.6)
        perc.strokes(DHOLAK, "na+na", at + 1, 1.0, 0.5)
        perc.strokes(DHOLAK, "ge+na", at + 2, 1.0, 0.55)
        perc.strokes(DHOLAK, "dha", at + 3, 1.0, 0.5)
        if b % 4 in (0, 2):
            motif = motifs[(b // 4) % 2 * 2 + (b % 4) // 2]
            # Call on the harmonium, then the same line answered by the chorus and flute.
            if b % 4 == 0:
                play_line(call, motif, at, lambda d: degree_pitch(tonic, scale, d), 0.72)
            else:
                previous = motifs[(b // 4) % 2 * 2]
                play_line(chorus, previous, at, lambda d: degree_pitch(tonic, scale, d), 0.7)
                play_line(flute, previous, at, lambda d: degree_pitch(tonic + 12, scale, d), 0.5)
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    chorus.chord((tonic - 12, tonic), last, tail, 0.6)
    call.chord((tonic - 12, tonic - 5, tonic), last, tail, 0.55)
    ghanta.note(tonic - 12, last, tail, 0.6)
    for i in range(int(min(tail, 4))):
        bells.note(tonic + 24, last + i, 0.8, 0.4)
    return score.midi


def folk(duration: float, seed: int, tempo: int | None = None) -> pretty_midi.PrettyMIDI:
    """Lively 6/8: flute tune, ektara-like ostinato, dhol and claps (tempo: dotted quarters)."""
    pulse = pick_tempo("folk", seed, 100, 120, tempo)
    score = Score(
        "folk", duration, seed, pulse * 3, beats_per_bar=6, beat_note=8
    )  # beats are eighths
    rng = score.rng
    scale = rng.choice((PENTATONIC_MAJOR, MIXOLYDIAN, MAJOR))
    tonic = rng.choice((62, 64, 65))
    flute = score.part("flute", Program.FLUTE, volume=105, pan=70)
    ektara = score.part("ektara", Program.SHAMISEN, volume=80, pan=40)
    dhol = score.part("dhol", 0, drum=True, volume=100, pan=60)
    bar = score.beats_per_bar
    motifs = [
        melody_phrase(
            rng,
            2 * bar,
            start=rng.choice((0, 2, 4)),
            end=e,
            low=0,
            high=len(scale) + 4,
            rhythms=((1.0, 1.0, 1.0), (2.0, 1.0), (1.0, 2.0), (3.0,), (0.5, 0.5, 1.0, 1.0)),
        )
        for e in (2, 0, len(scale), 0)
    ]
    chaal = ("dagga", "-", "tilli", "dagga", "tilli", "tilli")
    for b in score.bars():
        at = score.bar_beat(b)
        for i, bol in enumerate(chaal):
            dhol.strokes(DHOL, bol, at + i, 1.0, 0.75 if i % 3 == 0 else 0.55)
        if b % 2 == 1:
            dhol.note(Drum.CLAP, at + 3, 0.5, 0.5)
        for i, pitch in enumerate(
            (tonic - 12, tonic - 12, tonic - 5, tonic - 12, tonic - 5, tonic - 5)
        ):
            ektara.note(pitch, at + i, 0.9, 0.55 if i % 3 == 0 else 0.42)
        if b % 2 == 0 and (b >= 2 or score.cadence_bar <= 4):
            play_line(
                flute,
                motifs[(b // 2) % 4],
                at,
                lambda d: degree_pitch(tonic + 12, scale, d),
                0.72,
                accent_every=3.0,
            )
    last = score.bar_beat(score.cadence_bar)
    tail = score.tail_beats(score.cadence_bar)
    flute.note(tonic + 12, last, tail, 0.7)
    ektara.note(tonic - 12, last, tail, 0.6)
    dhol.strokes(DHOL, "both", last, 1.0, 0.9)
    dhol.note(Drum.CLAP, last, 0.5, 0.6)
    return score.midi
