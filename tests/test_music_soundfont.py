"""The SoundFont player: the SF2 reader and the synthesiser, on small fonts written here.

Each test writes an SF2 of 500 Hz sines (tests/fakes/tiny_sf2.py) with the
generators it is about, plays MIDI through it, and checks what a listener would
hear: pitch, level, length, pan, loops, filter. The General MIDI font that ships
in pretty_midi is checked for what the recipes need from it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pretty_midi
import pytest
from tests.fakes.tiny_sf2 import PERIOD, RATE, ROOT_KEY, TinyPreset, write_sf2

from aifilm.errors import UserError
from aifilm.pipeline.music.midi import soundfont_path
from aifilm.pipeline.music.soundfont import SampleSynth, SoundFont, load, parse

OUT = 48000
Audio = npt.NDArray[np.float32]

# SF2 generator numbers
PAN, ATTENUATION, ATTACK, RELEASE, FILTER_FC, EXCLUSIVE = 17, 48, 34, 38, 8, 57


def font_of(tmp_path: Path, *presets: TinyPreset) -> SoundFont:
    return parse(write_sf2(tmp_path / "tiny.sf2", list(presets)).read_bytes())


def play(
    font: SoundFont,
    notes: list[tuple[int, float, float, int]],
    seconds: float,
    *,
    drum: bool = False,
    bends: tuple[tuple[float, int], ...] = (),
) -> Audio:
    """Render ``(key, start, end, velocity)`` notes on program 0 (or the drum kit)."""
    midi = pretty_midi.PrettyMIDI()
    instrument = pretty_midi.Instrument(program=0, is_drum=drum)
    instrument.notes = [pretty_midi.Note(v, k, s, e) for k, s, e, v in notes]
    instrument.pitch_bends = [pretty_midi.PitchBend(p, t) for t, p in bends]
    midi.instruments.append(instrument)
    frames = round(seconds * OUT)
    blocks = SampleSynth(font, OUT).blocks(midi, frames, 4096)
    audio = np.concatenate(list(blocks))
    assert audio.shape == (frames, 2) and audio.dtype == np.float32
    return audio


def dominant_hz(x: npt.NDArray[np.float32]) -> float:
    window = x * np.hanning(len(x))
    spectrum = np.abs(np.fft.rfft(window, n=8 * len(x)))
    return float(np.argmax(spectrum) * OUT / (8 * len(x)))


def rms(x: npt.NDArray[np.float32]) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


SAMPLE_HZ = RATE / PERIOD  # the sine as recorded, at its root key


def test_reader_flattens_presets_into_regions(tmp_path: Path) -> None:
    font = font_of(
        tmp_path,
        TinyPreset(program=0, generators={PAN: -250, ATTENUATION: 60, RELEASE: 0}),
        TinyPreset(bank=128, program=0, key_range=(35, 40), loop=False),
    )
    (melodic,) = font.regions(0, 0)
    assert (melodic.root_key, melodic.sample_rate, melodic.loops) == (ROOT_KEY, RATE, True)
    assert melodic.loop_end - melodic.loop_start == 4 * PERIOD
    assert melodic.pan == pytest.approx(-0.25)
    assert melodic.attenuation_db == pytest.approx(6.0)  # 60 centibels
    assert melodic.volume.release == pytest.approx(1.0)  # 0 timecents = 1 s
    (drum,) = font.regions(128, 0)
    assert (drum.key_low, drum.key_high, drum.loops) == (35, 40, False)
    assert font.regions(128, 25) == [drum]  # a missing kit falls back to the standard one
    assert font.regions(0, 99) == []


def test_not_a_soundfont_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a SoundFont 2"):
        parse(b"RIFF\0\0\0\0WAVEfmt ")
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"RIFF\x04\0\0\0sfbk")  # the header, and no sample chunk
    with pytest.raises(UserError, match=r"bad\.sf2 is not a usable SoundFont 2 file"):
        load(bad)


def test_note_sounds_at_its_pitch_for_its_length(tmp_path: Path) -> None:
    font = font_of(tmp_path, TinyPreset(generators={RELEASE: -12000}))  # instant release
    audio = play(font, [(ROOT_KEY + 12, 0.1, 1.1, 127)], 1.5)
    mono = audio.mean(axis=1)
    assert dominant_hz(mono[int(0.3 * OUT) : int(1.0 * OUT)]) == pytest.approx(
        2 * SAMPLE_HZ, rel=3e-3
    )
    assert rms(mono[: int(0.09 * OUT)]) == 0.0  # nothing before the note-on
    assert rms(mono[int(0.2 * OUT) : int(1.0 * OUT)]) > 0.05  # the 0.5 s sample loops on
    assert rms(mono[int(1.15 * OUT) :]) < 1e-4  # and stops with the note-off


def test_velocity_scales_the_level(tmp_path: Path) -> None:
    font = font_of(tmp_path, TinyPreset())
    loud = play(font, [(ROOT_KEY, 0.0, 0.5, 127)], 0.5)
    soft = play(font, [(ROOT_KEY, 0.0, 0.5, 64)], 0.5)
    assert 20 * np.log10(rms(soft) / rms(loud)) == pytest.approx(20 * np.log10(64 / 127), abs=0.1)


def test_region_pan_and_attenuation(tmp_path: Path) -> None:
    centre = play(font_of(tmp_path, TinyPreset()), [(ROOT_KEY, 0, 0.5, 100)], 0.5)
    left = play(
        font_of(tmp_path, TinyPreset(generators={PAN: -500})), [(ROOT_KEY, 0, 0.5, 100)], 0.5
    )
    quiet = play(
        font_of(tmp_path, TinyPreset(generators={ATTENUATION: 120})), [(ROOT_KEY, 0, 0.5, 100)], 0.5
    )
    assert rms(centre[:, 0]) == pytest.approx(rms(centre[:, 1]), rel=1e-3)
    assert rms(left[:, 1]) == 0.0 and rms(left[:, 0]) > 0.05
    assert 20 * np.log10(rms(quiet) / rms(centre)) == pytest.approx(-12.0, abs=0.1)


def test_half_left_pan_follows_the_square_root_law(tmp_path: Path) -> None:
    font = font_of(tmp_path, TinyPreset(generators={PAN: -250}))
    audio = play(font, [(ROOT_KEY, 0, 0.5, 100)], 0.5)
    # sqrt(0.5 + 0.25) left, sqrt(0.5 - 0.25) right, as TinySoundFont pans
    assert rms(audio[:, 1]) / rms(audio[:, 0]) == pytest.approx(np.sqrt(0.25 / 0.75), rel=1e-3)


def test_volume_envelope_attack_and_release(tmp_path: Path) -> None:
    # attack 0 timecents = 1 s (linear), release 0 timecents = 1 s (80 dB, exponential)
    font = font_of(tmp_path, TinyPreset(generators={ATTACK: 0, RELEASE: 0}))
    mono = play(font, [(ROOT_KEY, 0.0, 1.5, 127)], 3.0).mean(axis=1)
    window = int(0.05 * OUT)

    def level(t: float) -> float:
        return rms(mono[int(t * OUT) - window // 2 : int(t * OUT) + window // 2])

    full = level(1.25)
    assert level(0.25) / full == pytest.approx(0.25, abs=0.03)
    assert level(0.5) / full == pytest.approx(0.5, abs=0.03)
    assert 20 * np.log10(level(2.0) / full) == pytest.approx(-40, abs=2)  # half the release
    assert rms(mono[int(2.6 * OUT) :]) == 0.0


def test_pitch_wheel_bends_by_up_to_two_semitones(tmp_path: Path) -> None:
    font = font_of(tmp_path, TinyPreset())
    audio = play(font, [(ROOT_KEY, 0.0, 1.0, 100)], 1.0, bends=[(0.5, 8191)]).mean(axis=1)
    before = dominant_hz(audio[int(0.1 * OUT) : int(0.45 * OUT)])
    after = dominant_hz(audio[int(0.55 * OUT) : int(0.95 * OUT)])
    assert before == pytest.approx(SAMPLE_HZ, rel=3e-3)
    assert after / before == pytest.approx(2 ** (2 * 8191 / 8192 / 12), rel=3e-3)


def test_unlooped_sample_ends_by_itself(tmp_path: Path) -> None:
    font = font_of(tmp_path, TinyPreset(loop=False))
    mono = play(font, [(ROOT_KEY, 0.0, 2.0, 100)], 2.0).mean(axis=1)
    # the 0.5 s sample (at 32 kHz, played at 48 kHz: still 0.5 s at its root key) and no more
    assert rms(mono[int(0.1 * OUT) : int(0.45 * OUT)]) > 0.05
    assert rms(mono[int(0.55 * OUT) :]) == 0.0


def test_low_cutoff_filters_the_highs(tmp_path: Path) -> None:
    key = ROOT_KEY + 24  # 2 kHz
    open_ = play(font_of(tmp_path, TinyPreset()), [(key, 0, 0.5, 100)], 0.5)
    # 7200 cents = 8.176 * 2**6 = 523 Hz: two octaves under the note, 12 dB/octave
    dark = play(
        font_of(tmp_path, TinyPreset(generators={FILTER_FC: 7200})), [(key, 0, 0.5, 100)], 0.5
    )
    assert -30 < 20 * np.log10(rms(dark) / rms(open_)) < -18


def test_exclusive_class_cuts_the_previous_note(tmp_path: Path) -> None:
    font = font_of(tmp_path, TinyPreset(generators={EXCLUSIVE: 1, RELEASE: 1200}))  # 2 s release
    both = play(font, [(ROOT_KEY, 0.0, 0.2, 100), (ROOT_KEY + 12, 0.5, 0.7, 100)], 1.0)
    mono = both.mean(axis=1)
    # the first note rings on in its release until the second starts, then stops within 20 ms
    assert rms(mono[int(0.4 * OUT) : int(0.5 * OUT)]) > 0.01
    late = mono[int(0.55 * OUT) : int(0.7 * OUT)]
    assert dominant_hz(late) == pytest.approx(2 * SAMPLE_HZ, rel=3e-3)
    assert (
        np.abs(np.fft.rfft(late * np.hanning(len(late))))[round(SAMPLE_HZ * len(late) / OUT)] < 1.0
    )


def test_repeated_notes_render_the_same() -> None:
    font = load(soundfont_path())
    notes = [(38, 0.25 * i, 0.25 * i + 0.1, 100) for i in range(8)]
    audio = play(font, notes, 2.0, drum=True).mean(axis=1)
    stroke = int(0.25 * OUT)
    first, later = audio[:stroke], audio[5 * stroke : 6 * stroke]
    assert rms(first) > 0.01
    np.testing.assert_allclose(later, first, atol=1e-6)


def test_general_midi_font_has_every_program_and_the_drum_kit() -> None:
    font = load(soundfont_path())
    assert all(font.regions(0, program) for program in range(128))
    kit = font.regions(128, 0)
    for key in (35, 36, 38, 42, 46, 49, 51):  # the drum keys the recipes play
        assert any(r.matches(key, 100) for r in kit)
