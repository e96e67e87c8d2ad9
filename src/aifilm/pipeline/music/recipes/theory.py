"""Scales, ragas, chords, rhythms and General MIDI numbers the recipes share."""

from __future__ import annotations

from dataclasses import dataclass

# --- scales (semitones above the tonic) ---------------------------------------

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
HARMONIC_MINOR = (0, 2, 3, 5, 7, 8, 11)
DORIAN = (0, 2, 3, 5, 7, 9, 10)
MIXOLYDIAN = (0, 2, 4, 5, 7, 9, 10)
PENTATONIC_MAJOR = (0, 2, 4, 7, 9)
PENTATONIC_MINOR = (0, 3, 5, 7, 10)


def degree_pitch(tonic: int, scale: tuple[int, ...], degree: int) -> int:
    """MIDI pitch of a scale degree (0 = tonic; negative and > len(scale) cross octaves)."""
    octave, step = divmod(degree, len(scale))
    return tonic + 12 * octave + scale[step]


def triad(tonic: int, scale: tuple[int, ...], root_degree: int, seventh: bool = False) -> list[int]:
    """Pitches of the triad (or seventh chord) built on a scale degree."""
    degrees = [root_degree, root_degree + 2, root_degree + 4] + (
        [root_degree + 6] if seventh else []
    )
    return [degree_pitch(tonic, scale, d) for d in degrees]


# Chord progressions as root scale degrees (0-based), four chords = four bars.
PROGRESSIONS_MAJOR = ((0, 4, 5, 3), (0, 5, 3, 4), (5, 3, 0, 4), (0, 3, 4, 0), (0, 5, 1, 4))
PROGRESSIONS_MINOR = ((0, 5, 2, 6), (0, 3, 6, 2), (0, 5, 6, 0), (0, 6, 5, 4))
PROGRESSIONS_ROCK = ((0, 6, 3, 0), (0, 3, 4, 3), (0, 5, 3, 4))  # in mixolydian/major


# --- ragas ----------------------------------------------------------------------


@dataclass(frozen=True)
class Raga:
    """A raga reduced to what a melody generator needs.

    ``scale`` is the set of swaras in semitones above Sa; ``vadi`` and
    ``samvadi`` are the most and second most important swaras; ``pakad`` is a
    characteristic phrase in semitones (negative = lower octave).
    """

    name: str
    scale: tuple[int, ...]
    vadi: int
    samvadi: int
    pakad: tuple[int, ...]


HINDUSTANI_RAGAS = (
    Raga("Yaman", (0, 2, 4, 6, 7, 9, 11), 4, 11, (-1, 2, 4, 2, 0, 7, 6, 4, 2, 0)),
    Raga("Bhairav", (0, 1, 4, 5, 7, 8, 11), 8, 1, (4, 5, 8, 8, 7, 4, 5, 1, 1, 0)),
    Raga("Bhupali", (0, 2, 4, 7, 9), 4, 9, (4, 2, 0, -3, 0, 2, 4, 7, 4, 9, 7, 4, 2, 0)),
    Raga("Kafi", (0, 2, 3, 5, 7, 9, 10), 7, 0, (0, 2, 3, 5, 7, 5, 3, 2, 0)),
)
CARNATIC_RAGAS = (
    Raga("Kalyani", (0, 2, 4, 6, 7, 9, 11), 7, 2, (0, 2, 4, 6, 7, 9, 7, 6, 4, 2, 0)),
    Raga("Mayamalavagowla", (0, 1, 4, 5, 7, 8, 11), 7, 0, (0, 1, 4, 5, 7, 8, 7, 5, 4, 1, 0)),
    Raga("Hamsadhwani", (0, 2, 4, 7, 11), 7, 4, (0, 2, 4, 7, 11, 12, 11, 7, 4, 2, 0)),
    Raga("Mohanam", (0, 2, 4, 7, 9), 4, 9, (0, 2, 4, 7, 9, 7, 4, 2, 0)),
)
DEVOTIONAL_SCALES = (MAJOR, (0, 2, 4, 5, 7, 9, 10), PENTATONIC_MAJOR)  # Bilawal, Khamaj, Bhupali
SA_CHOICES = (49, 50, 51, 52)  # C#3..E3: where a male tanpura is usually tuned


# --- General MIDI ------------------------------------------------------------------


class Program:
    """General MIDI program numbers (0-based) the recipes use."""

    PIANO = 0
    CELESTA = 8
    GLOCKENSPIEL = 9
    VIBRAPHONE = 11
    TUBULAR_BELLS = 14
    REED_ORGAN = 20  # harmonium
    ACCORDION = 21
    NYLON_GUITAR = 24
    OVERDRIVE_GUITAR = 29
    DISTORTION_GUITAR = 30
    FINGER_BASS = 33
    PICK_BASS = 34
    SYNTH_BASS = 38
    SYNTH_BASS_2 = 39
    VIOLIN = 40
    CELLO = 42
    CONTRABASS = 43
    PIZZICATO = 45
    HARP = 46
    TIMPANI = 47
    STRINGS = 48
    SLOW_STRINGS = 49
    SYNTH_STRINGS = 50
    CHOIR = 52
    TRUMPET = 56
    TROMBONE = 57
    FRENCH_HORN = 60
    BRASS = 61
    OBOE = 68
    BASSOON = 70
    CLARINET = 71
    FLUTE = 73
    PAN_FLUTE = 75
    SQUARE_LEAD = 80
    SAW_LEAD = 81
    NEW_AGE_PAD = 88
    WARM_PAD = 89
    POLYSYNTH_PAD = 90
    CHOIR_PAD = 91
    HALO_PAD = 94
    SWEEP_PAD = 95
    CRYSTAL = 98
    SITAR = 104
    SHAMISEN = 106
    SHEHNAI = 111
    TINKLE_BELL = 112


class Drum:
    """General MIDI percussion keys (channel 10)."""

    KICK_ACOUSTIC = 35
    KICK = 36
    SIDE_STICK = 37
    SNARE = 38
    CLAP = 39
    LOW_FLOOR_TOM = 41
    CLOSED_HAT = 42
    LOW_TOM = 45
    OPEN_HAT = 46
    CRASH = 49
    RIDE = 51
    RIDE_BELL = 53
    TAMBOURINE = 54
    HI_BONGO = 60
    LOW_BONGO = 61
    MUTE_HI_CONGA = 62
    OPEN_HI_CONGA = 63
    LOW_CONGA = 64
    CABASA = 69
    MARACAS = 70
    MUTE_TRIANGLE = 80
    OPEN_TRIANGLE = 81


# --- Indian drum strokes on GM percussion -----------------------------------------------
# Each stroke is a list of (GM key, velocity scale). The bayan/thoppi (bass head) is a low
# conga or floor tom, the dayan/valanthalai (treble head) bongos and high congas.

Stroke = tuple[tuple[int, float], ...]

TABLA: dict[str, Stroke] = {
    "dha": ((Drum.HI_BONGO, 0.9), (Drum.LOW_CONGA, 0.85)),
    "dhin": ((Drum.OPEN_HI_CONGA, 0.8), (Drum.LOW_CONGA, 0.85)),
    "dhi": ((Drum.MUTE_HI_CONGA, 0.75), (Drum.LOW_CONGA, 0.7)),
    "ge": ((Drum.LOW_CONGA, 0.75),),
    "na": ((Drum.HI_BONGO, 0.8),),
    "ta": ((Drum.HI_BONGO, 0.8),),
    "tin": ((Drum.OPEN_HI_CONGA, 0.7),),
    "ti": ((Drum.MUTE_HI_CONGA, 0.55),),
    "ra": ((Drum.MUTE_HI_CONGA, 0.45),),
    "ki": ((Drum.LOW_BONGO, 0.45),),
    "ka": ((Drum.LOW_BONGO, 0.5),),
    "-": (),
}

MRIDANGAM: dict[str, Stroke] = {
    "tha": ((Drum.HI_BONGO, 0.85),),
    "ki": ((Drum.MUTE_HI_CONGA, 0.55),),
    "ta": ((Drum.HI_BONGO, 0.6),),
    "dhi": ((Drum.MUTE_HI_CONGA, 0.8),),
    "nam": ((Drum.OPEN_HI_CONGA, 0.85),),
    "thom": ((Drum.LOW_FLOOR_TOM, 0.8),),
    "dheem": ((Drum.OPEN_HI_CONGA, 0.8), (Drum.LOW_FLOOR_TOM, 0.8)),
    "ka": ((Drum.LOW_BONGO, 0.5),),
    "mi": ((Drum.MUTE_HI_CONGA, 0.5),),
    "jo": ((Drum.HI_BONGO, 0.6),),
    "nu": ((Drum.OPEN_HI_CONGA, 0.6),),
    "-": (),
}

DHOLAK: dict[str, Stroke] = {
    "dha": ((Drum.LOW_CONGA, 0.9), (Drum.HI_BONGO, 0.6)),
    "ge": ((Drum.LOW_CONGA, 0.8),),
    "dhi": ((Drum.LOW_CONGA, 0.75), (Drum.MUTE_HI_CONGA, 0.55)),
    "na": ((Drum.HI_BONGO, 0.7),),
    "ti": ((Drum.MUTE_HI_CONGA, 0.5),),
    "ka": ((Drum.LOW_BONGO, 0.45),),
    "-": (),
}

DHOL: dict[str, Stroke] = {
    "dagga": ((Drum.KICK_ACOUSTIC, 0.95), (Drum.LOW_FLOOR_TOM, 0.7)),
    "tilli": ((Drum.SIDE_STICK, 0.75),),
    "both": ((Drum.KICK_ACOUSTIC, 0.95), (Drum.SIDE_STICK, 0.8)),
    "-": (),
}

# Talas: one bol per matra (beat); a bol may be split into quicker strokes with "+".
TEENTAAL = (
    "dha", "dhin", "dhin", "dha", "dha", "dhin", "dhin", "dha",
    "dha", "tin", "tin", "ta", "ta", "dhin", "dhin", "dha",
)  # fmt: skip
TEENTAAL_FILL = (
    "dha", "dhin", "dhin", "dha", "dha", "dhin", "dhin", "dha",
    "dha", "tin", "tin", "ta", "ti+ra+ki+ta", "dha+ti", "dha+ge", "dha",
)  # fmt: skip
KEHERWA = ("dha", "ge", "na", "ti", "na", "ka", "dhi", "na")
DADRA = ("dha", "dhin", "na", "dha", "tin", "na")
ADI_TALA = (
    "tha+ki+ta+ki", "thom+-+nam+-", "dhi+ki+ta+ka", "dheem+-+tha+ka",
    "tha+ki+ta+ki", "thom+ki+nam+ki", "dhi+-+dhi+ka", "dheem+-+-+-",
)  # fmt: skip
ADI_TALA_FILL = (
    "tha+ki+ta+ki", "thom+-+nam+-", "dhi+ki+ta+ka", "dheem+-+tha+ka",
    "tha+ka+dhi+mi", "tha+ka+jo+nu", "tha+ki+ta+tha", "dheem+-+-+-",
)  # fmt: skip
