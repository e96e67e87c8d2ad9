"""Wav2Lip's mel spectrogram and frame bookkeeping (numpy only: no torch needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aifilm.media.wav import write_wav
from aifilm.pipeline.lipsync.base import Face, SpokenLine
from aifilm.pipeline.lipsync.melspec import (
    MAX_ABS,
    MEL_STEP,
    SAMPLE_RATE,
    _mel_to_hz,
    mel_filters,
    mel_window,
    melspectrogram,
)
from aifilm.pipeline.lipsync.wav2lip import face_box, padded_box, speaking_frames, speech_track


def test_mel_spectrogram_shape_range_and_silence() -> None:
    mel = melspectrogram(np.zeros(SAMPLE_RATE, np.float32))
    assert mel.shape == (80, 81)  # 80 bands, 1 + 16000 // 200 frames: 80 a second
    assert np.all(mel == -MAX_ABS)  # silence is the floor, -4
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    loud = melspectrogram(0.5 * np.sin(2 * np.pi * 440 * t))
    assert loud.min() >= -MAX_ABS and loud.max() <= MAX_ABS and loud.max() > 0


@pytest.mark.parametrize("hz", [300.0, 1000.0, 3000.0])
def test_a_tone_is_loudest_in_the_band_around_its_pitch(hz: float) -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    mel = melspectrogram(0.3 * np.sin(2 * np.pi * hz * t))
    band = int(np.argmax(mel[:, 40]))
    edges = _mel_to_hz(
        np.linspace(*(float(v) for v in _hz_to_mel_pair()), 82)  # the filters' edges
    )
    assert edges[band] < hz < edges[band + 2]


def _hz_to_mel_pair() -> tuple[float, float]:
    from aifilm.pipeline.lipsync.melspec import FMAX, FMIN, _hz_to_mel

    return float(_hz_to_mel(np.array([FMIN]))[0]), float(_hz_to_mel(np.array([FMAX]))[0])


def test_slaney_filters_have_equal_area_and_cover_55_to_7600_hz() -> None:
    filters = mel_filters()
    assert filters.shape == (80, 401)
    freqs = np.linspace(0, 8000, 401)
    assert filters[:, freqs < 50].sum() == 0 and filters[:, freqs > 7650].sum() == 0
    area = filters.sum(axis=1) * (freqs[1] - freqs[0])
    assert np.allclose(area, 1.0, atol=0.08)  # Slaney normalisation: unit area per band


def test_each_video_frame_hears_16_mel_frames_from_its_time() -> None:
    mel = np.arange(80 * 200, dtype=np.float32).reshape(80, 200)
    assert mel_window(mel, 0, 25).shape == (80, MEL_STEP)
    assert mel_window(mel, 10, 25)[0, 0] == mel[0, 32]  # frame 10 at 25 fps: 0.4 s = mel 32
    assert mel_window(mel, 10_000, 25)[0, 0] == mel[0, 200 - MEL_STEP]  # clamped at the end
    short = mel_window(mel[:, :5], 0, 25)
    assert short.shape == (80, MEL_STEP) and np.all(short[:, 5:] == -MAX_ABS)


def test_face_box_padding_and_the_mouth_estimate() -> None:
    assert padded_box((101, 51, 151, 111), (0, 10, 0, 0), (320, 180)) == (100, 50, 152, 122)
    assert padded_box((0, 150, 40, 179), (0, 10, 0, 0), (320, 180)) == (0, 150, 40, 180)
    box, estimated = face_box(Face("Ann", (128, 138, 172, 157), "spec"))
    assert estimated and box == (100, 69, 200, 169)  # the detector's mouth of that face
    assert face_box(Face("Ann", (1, 2, 3, 4), "detected", face=(0, 0, 9, 9))) == (
        (0, 0, 9, 9),
        False,
    )


def test_speaking_frames_and_the_speech_track(tmp_path: Path) -> None:
    clip = tmp_path / "a.wav"
    write_wav(clip, np.full(22050, 0.5, np.float32), 22050)  # 1 s at 22.05 kHz
    line = SpokenLine(clip, start=1.5, duration=1.0)
    speaking = speaking_frames([line], start=1.0, frames=24, fps=12)
    assert speaking == [False] * 6 + [True] * 12 + [False] * 6
    track = speech_track([line], start=1.0, seconds=2.0, rate=SAMPLE_RATE)
    assert track.size == 32000
    assert np.all(track[:7900] == 0) and abs(float(track[12000]) - 0.5) < 0.01
    assert np.all(track[24100:] == 0)
