"""Fitting a user's audio file to the film's length with FFmpeg (real files, no mocks)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from aifilm.errors import AssetError
from aifilm.media.wav import read_wav, write_wav
from aifilm.pipeline.music.fit import fit_audio_file


def _sine(path: Path, seconds: float, rate: int, channels: int = 1) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    write_wav(path, np.stack([tone] * channels, axis=1), rate)
    return path


def _rms(x: npt.NDArray[np.float32]) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_short_file_is_looped_to_exact_length(tmp_path: Path) -> None:
    src = _sine(tmp_path / "short.wav", 1.3, 22050)
    track = fit_audio_file(src, 7.25, tmp_path / "out.wav")
    audio, rate = read_wav(track.path)
    assert rate == 48000 and track.sample_rate == 48000
    assert audio.shape == (348000, 2)
    assert track.duration == pytest.approx(7.25)
    # the tone carries on after the source's 1.3 s: it was looped, not padded with silence
    for second in (2, 3, 4):
        assert _rms(audio[second * 48000 : (second + 1) * 48000]) > 0.3
    # mono goes to both channels at full level
    assert np.abs(audio).max() == pytest.approx(0.5, abs=0.01)
    assert np.allclose(audio[:, 0], audio[:, 1])


def test_long_file_is_trimmed_and_faded(tmp_path: Path) -> None:
    src = _sine(tmp_path / "long.wav", 20.0, 44100, channels=2)
    track = fit_audio_file(src, 5.0, tmp_path / "out.wav")
    audio, _ = read_wav(track.path)
    assert audio.shape == (240000, 2)
    middle = _rms(audio[96000:144000])
    assert _rms(audio[:2400]) < 0.1 * middle
    assert _rms(audio[-2400:]) < 0.1 * middle


def test_odd_duration_is_sample_exact(tmp_path: Path) -> None:
    src = _sine(tmp_path / "s.wav", 2.0, 48000)
    track = fit_audio_file(src, 3.3333333, tmp_path / "out.wav")
    assert len(read_wav(track.path)[0]) == round(3.3333333 * 48000)


def test_text_file_named_mp3_is_an_asset_error(tmp_path: Path) -> None:
    fake = tmp_path / "song.mp3"
    fake.write_text("this is not music\n" * 20)
    with pytest.raises(AssetError) as info:
        fit_audio_file(fake, 5.0, tmp_path / "out.wav")
    assert "song.mp3" in str(info.value) and info.value.hint
    assert info.value.path == fake
    assert not (tmp_path / "out.wav").exists()


def test_missing_file_is_an_asset_error(tmp_path: Path) -> None:
    with pytest.raises(AssetError, match="does not exist"):
        fit_audio_file(tmp_path / "nope.ogg", 5.0, tmp_path / "out.wav")
