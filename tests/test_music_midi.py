"""The default music backend renders every genre for real (short tracks, no mocks)."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from aifilm.errors import UnsupportedError
from aifilm.media.wav import read_wav
from aifilm.pipeline.music.base import MusicRequest
from aifilm.pipeline.music.midi import MidiMusic
from aifilm.pipeline.music.recipes import RECIPES, build_midi
from aifilm.pipeline.music.recipes.dsp import OverlapAdd
from aifilm.spec.vocabulary import GENRE_IDS

DURATION = 6.0
RATE = 48000
MIDI_GENRES = [g for g in GENRE_IDS if RECIPES[g].midi is not None]

Audio = npt.NDArray[np.float32]


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every genre rendered once, 6 s, seed 1."""
    folder = tmp_path_factory.mktemp("music")
    backend = MidiMusic()
    paths = {}
    for genre in GENRE_IDS:
        track = backend.compose(MusicRequest(genre, DURATION, seed=1), folder / f"{genre}.wav")
        assert track.duration == DURATION and track.sample_rate == RATE and track.genre == genre
        paths[genre] = track.path
    return paths


def _rms(x: Audio) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _centroid(audio: Audio) -> float:
    mono = audio.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono))
    freqs = np.fft.rfftfreq(len(mono), 1 / RATE)
    return float((spectrum * freqs).sum() / spectrum.sum())


def test_backend_lists_every_vocabulary_genre() -> None:
    assert MidiMusic().genres() == list(GENRE_IDS)
    assert set(RECIPES) == set(GENRE_IDS)


@pytest.mark.parametrize("genre", GENRE_IDS)
def test_genre_renders_exact_faded_stereo(genre: str, renders: dict[str, Path]) -> None:
    audio, rate = read_wav(renders[genre])
    assert rate == RATE
    assert audio.shape == (round(DURATION * RATE), 2)
    peak = float(np.abs(audio).max())
    assert 0.05 < peak < 10 ** (-1 / 20)  # audible, and under -1 dBFS
    middle = _rms(audio[len(audio) // 3 : 2 * len(audio) // 3])
    assert middle > 0.01
    edge = int(0.05 * RATE)
    assert _rms(audio[:edge]) < 0.1 * middle  # fade-in
    assert _rms(audio[-edge:]) < 0.1 * middle  # fade-out


@pytest.mark.parametrize("genre", ["hindustani", "nature"])
def test_same_seed_same_audio_other_seed_other_audio(
    genre: str, renders: dict[str, Path], tmp_path: Path
) -> None:
    backend = MidiMusic()
    again = backend.compose(MusicRequest(genre, DURATION, seed=1), tmp_path / "again.wav")
    other = backend.compose(MusicRequest(genre, DURATION, seed=2), tmp_path / "other.wav")

    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    assert digest(again.path) == digest(renders[genre])
    assert digest(other.path) != digest(renders[genre])


@pytest.mark.parametrize("genre", MIDI_GENRES)
def test_midi_is_deterministic_and_seeded(genre: str) -> None:
    def notes(seed: int) -> list[tuple[int, int, float]]:
        midi = build_midi(genre, 20.0, seed)
        return [
            (i, n.pitch, round(n.start, 4))
            for i, inst in enumerate(midi.instruments)
            for n in inst.notes
        ]

    assert notes(3) == notes(3)
    assert notes(3) != notes(4)


@pytest.mark.parametrize("genre", MIDI_GENRES)
@pytest.mark.parametrize("duration", [3.0, 47.3, 600.0])
def test_midi_stays_inside_the_track_and_ends_with_a_cadence(genre: str, duration: float) -> None:
    midi = build_midi(genre, duration, seed=5)
    notes = [n for inst in midi.instruments for n in inst.notes]
    assert notes
    assert max(n.end for n in notes) <= duration + 1e-6
    assert sum(1 for inst in midi.instruments if not inst.is_drum) <= 15
    if duration > 20:  # the final cadence: a chord or drone held into the fade-out
        held = [
            n
            for inst in midi.instruments
            if not inst.is_drum
            for n in inst.notes
            if n.end > duration - 0.05 and n.end - n.start > 1.0
        ]
        assert held


@pytest.mark.parametrize("genre", ["ambient", "meditation", "sloka", "sahasranama", "poem"])
def test_calm_genres_have_no_drums(genre: str) -> None:
    midi = build_midi(genre, 60.0, seed=0)
    assert not [n for inst in midi.instruments if inst.is_drum for n in inst.notes]


@pytest.mark.parametrize(
    "genre", ["hindustani", "carnatic", "bollywood", "folk", "pop", "rock", "electronic"]
)
def test_rhythmic_genres_have_percussion(genre: str) -> None:
    midi = build_midi(genre, 60.0, seed=0)
    drums = [n for inst in midi.instruments if inst.is_drum for n in inst.notes]
    assert len(drums) > 60


def test_hindustani_has_a_drone_throughout(renders: dict[str, Path]) -> None:
    audio, _ = read_wav(renders["hindustani"])
    mono = audio.mean(axis=1)
    window = RATE // 2
    freqs = np.fft.rfftfreq(window, 1 / RATE)
    low = (freqs >= 60) & (freqs < 180)
    for start in range(int(1.5 * RATE), int(4.0 * RATE), window):
        spectrum = np.abs(np.fft.rfft(mono[start : start + window] * np.hanning(window))) ** 2
        share = spectrum[low].sum() / spectrum.sum()
        assert share > 10 ** (-25 / 10), f"no low drone at {start / RATE:.1f} s"


def test_hindustani_long_form_has_alap_then_tabla() -> None:
    midi = build_midi("hindustani", 120.0, seed=2)
    drums = [n.start for inst in midi.instruments if inst.is_drum for n in inst.notes]
    assert min(drums) > 10.0  # the alap comes first, without tabla
    lead = next(inst for inst in midi.instruments if inst.name in ("bansuri", "sitar"))
    assert lead.notes and min(n.start for n in lead.notes) < 5.0


def test_electronic_kick_on_every_beat() -> None:
    midi = build_midi("electronic", 30.0, seed=0)
    tempo = midi.get_tempo_changes()[1][0]
    kicks = sorted(
        n.start for inst in midi.instruments if inst.is_drum for n in inst.notes if n.pitch == 36
    )
    beats = np.arange(0, 30.0 - 1e-6, 60.0 / tempo)
    for beat in beats:
        assert min(abs(k - beat) for k in kicks) < 0.002


def test_tempos_differ_across_families() -> None:
    def tempo(genre: str, seed: int) -> float:
        return float(build_midi(genre, 10.0, seed).get_tempo_changes()[1][0])

    seeds = range(4)
    slow = [tempo(g, s) for g in ("meditation", "ambient", "poem", "sloka") for s in seeds]
    middle = [tempo(g, s) for g in ("hindustani", "bhajan") for s in seeds]
    fast = [tempo(g, s) for g in ("electronic", "rock") for s in seeds]
    assert max(slow) <= min(middle) + 6 and max(middle) < min(fast)
    assert tempo("pop", 0) != tempo("meditation", 0)


def test_tempo_override_is_used() -> None:
    assert build_midi("pop", 10.0, 0, tempo=90).get_tempo_changes()[1][0] == pytest.approx(90)


def test_spectra_differ_between_genres(renders: dict[str, Path]) -> None:
    centroid = {
        g: _centroid(read_wav(renders[g])[0]) for g in ("meditation", "ambient", "rock", "asmr")
    }
    assert centroid["rock"] > 2 * centroid["meditation"]
    assert centroid["asmr"] > 2 * centroid["ambient"]


def test_unknown_genre_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedError, match="polka"):
        MidiMusic().compose(MusicRequest("polka", 5.0), tmp_path / "x.wav")


def test_odd_length_is_sample_exact(tmp_path: Path) -> None:
    track = MidiMusic().compose(MusicRequest("poem", 2.3456789, seed=0), tmp_path / "odd.wav")
    audio, _ = read_wav(track.path)
    assert len(audio) == round(2.3456789 * RATE)
    assert not list(tmp_path.glob("*.part"))


def test_overlap_add_matches_direct_convolution() -> None:
    rng = np.random.default_rng(0)
    for taps in (1, 63, 2000):
        kernel = rng.standard_normal((taps, 2)).astype(np.float32)
        signal = rng.standard_normal((9000, 2)).astype(np.float32)
        conv = OverlapAdd(kernel, 2500)
        out = np.concatenate([conv.process(signal[i : i + 2500]) for i in range(0, 9000, 2500)])
        ref = np.stack([np.convolve(signal[:, c], kernel[:, c])[:9000] for c in range(2)], axis=1)
        assert np.abs(out - ref).max() < 1e-3 * math.sqrt(taps)


@pytest.mark.slow
def test_five_minutes_render_in_modest_memory(tmp_path: Path) -> None:
    """Memory does not grow with the track's length: no whole track is held as float audio.

    tracemalloc sees the soundfont's samples and the voices in flight (numpy), which
    the length does not change; a whole 5 min float track would add 115 MB.
    """
    import tracemalloc

    from aifilm.pipeline.music.midi import soundfont_path
    from aifilm.pipeline.music.soundfont import load

    load(soundfont_path())  # parsed once per process, whatever the length
    peaks = {}
    for seconds in (30.0, 300.0):
        tracemalloc.start()
        try:
            out = tmp_path / f"{seconds:g}.wav"
            MidiMusic().compose(MusicRequest("orchestral", seconds, seed=0), out)
            _, peaks[seconds] = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peaks[300.0] < 120e6
    assert peaks[300.0] - peaks[30.0] < 30e6
