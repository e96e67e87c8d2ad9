"""Speech assembly and the two-pass loudness-normalised mix, measured with FFmpeg's ebur128."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from aifilm.media.ffmpeg import ffmpeg_exe
from aifilm.media.wav import read_wav, write_wav
from aifilm.pipeline.compose import audio
from aifilm.pipeline.compose.audio import assemble_speech, measure_loudness, mix_audio, resample
from aifilm.pipeline.timeline import SpeechClip, TimedLine, TimedShot, Timeline, VisualSpec

RATE = 48000


def _voice(seconds: float, rate: int, freq: float = 1000.0) -> np.ndarray:
    """A speech-like tone: syllable-rate amplitude modulation."""
    t = np.arange(round(seconds * rate)) / rate
    envelope = 0.35 + 0.65 * np.abs(np.sin(np.pi * 3 * t))
    return (0.4 * envelope * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _timeline(
    tmp_path: Path, placements: list[tuple[float, float, int]], length: float
) -> Timeline:
    lines = []
    for i, (start, seconds, rate) in enumerate(placements):
        path = tmp_path / f"line{i}.wav"
        write_wav(path, _voice(seconds, rate), rate)
        lines.append(TimedLine("narrator", "words", start, SpeechClip(path, seconds, rate)))
    shot = TimedShot("1.1", 1, 0, 0.0, length, VisualSpec("color"), "static", "cut", 0.0, lines)
    return Timeline(320, 180, 12, length, [shot])


def _rms(x: np.ndarray, rate: int, start: float, end: float) -> float:
    part = x[round(start * rate) : round(end * rate)]
    return float(np.sqrt(np.mean(part.astype(np.float64) ** 2)))


def _ebur128(path: Path) -> float:
    """Integrated loudness as FFmpeg's ebur128 scanner reports it (independent of loudnorm)."""
    log = subprocess.run(
        [
            ffmpeg_exe(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    summary = log[log.rindex("Summary:") :]
    match = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    assert match, summary
    return float(match.group(1))


def test_resample_keeps_pitch_and_length() -> None:
    tone = _voice(1.0, 22050, freq=440.0)
    out = resample(tone, 22050, RATE)
    assert out.size == RATE
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * RATE / out.size - 440.0) < 2.0
    assert _rms(out, RATE, 0.1, 0.9) == pytest.approx(_rms(tone, 22050, 0.1, 0.9), rel=0.02)


def test_assembled_speech_sits_where_the_lines_are(tmp_path: Path) -> None:
    # espeak speaks at 22050 Hz; another voice at 48 kHz; the second line runs past a block
    timeline = _timeline(tmp_path, [(0.5, 1.0, 22050), (2.2, 2.0, 48000), (4.0, 0.6, 16000)], 5.3)
    out = assemble_speech(timeline, tmp_path / "speech.wav")
    samples, rate = read_wav(out)
    assert rate == RATE and samples.shape == (round(5.3 * RATE), 1)
    x = samples[:, 0]
    for start, end in [(0.55, 1.45), (2.25, 4.15), (4.05, 4.55)]:
        assert _rms(x, RATE, start, end) > 0.1
    for start, end in [(0.0, 0.49), (1.51, 2.19), (4.61, 5.3)]:
        assert _rms(x, RATE, start, end) < 1e-3


def test_mix_is_normalised_and_music_is_ducked(tmp_path: Path) -> None:
    length = 10.0
    timeline = _timeline(tmp_path, [(2.0, 3.0, 22050), (7.0, 2.0, 22050)], length)
    speech = assemble_speech(timeline, tmp_path / "speech.wav")
    t = np.arange(round(length * RATE)) / RATE
    bed = 0.3 * np.sin(2 * np.pi * 220 * t)  # music: a 220 Hz drone, apart from the voice
    write_wav(tmp_path / "music.wav", np.stack([bed, bed], axis=1), RATE)

    def music_level(path: Path, start: float, end: float) -> float:
        x, _ = read_wav(path)
        part = x[round(start * RATE) : round(end * RATE), 0].astype(np.float64)
        spectrum = np.abs(np.fft.rfft(part * np.hanning(part.size)))
        bin_ = round(220 * part.size / RATE)
        return float(20 * np.log10(spectrum[bin_ - 2 : bin_ + 3].max()))

    ducked = mix_audio(speech, tmp_path / "music.wav", duration=length, out=tmp_path / "mix.wav")
    flat = mix_audio(
        speech, tmp_path / "music.wav", duration=length, out=tmp_path / "flat.wav", duck=False
    )
    for result, path in [(ducked, tmp_path / "mix.wav"), (flat, tmp_path / "flat.wav")]:
        assert abs(_ebur128(path) + 14.0) <= 1.0
        assert abs(result["output_lufs"] + 14.0) <= 1.0
        assert result["output_true_peak"] <= -1.0
        # measured while the file was written: the same as reading it back
        again = measure_loudness(path)
        assert abs(result["output_lufs"] - again["lufs"]) <= 0.05
        assert abs(result["output_true_peak"] - again["true_peak"]) <= 0.05
        x, rate = read_wav(path)
        assert rate == RATE and x.shape == (round(length * RATE), 2)
    # music under speech against music alone, in the same ducked mix
    under, alone = (
        music_level(tmp_path / "mix.wav", 3.0, 4.5),
        music_level(tmp_path / "mix.wav", 0.2, 1.7),
    )
    print(f"ducking: {alone - under:.1f} dB")
    assert alone - under > 6.0, (alone, under)
    # without ducking the music keeps its level under speech
    under, alone = (
        music_level(tmp_path / "flat.wav", 3.0, 4.5),
        music_level(tmp_path / "flat.wav", 0.2, 1.7),
    )
    assert abs(alone - under) < 1.0


@pytest.mark.parametrize("which", ["speech", "music"])
def test_one_source_alone(tmp_path: Path, which: str) -> None:
    length = 4.0
    if which == "speech":
        timeline = _timeline(tmp_path, [(0.5, 3.0, 22050)], length)
        speech, music = assemble_speech(timeline, tmp_path / "speech.wav"), None
    else:
        t = np.arange(round(length * RATE)) / RATE
        tone = 0.05 * np.sin(2 * np.pi * 330 * t)
        music = tmp_path / "music.wav"
        write_wav(music, np.stack([tone, tone], axis=1), RATE)
        speech = None
    out = tmp_path / "mix.wav"
    result = mix_audio(speech, music, duration=length, out=out)
    assert abs(_ebur128(out) + 14.0) <= 1.0
    assert result["normalization"] == "linear"
    x, rate = read_wav(out)
    assert rate == RATE and x.shape == (round(length * RATE), 2)


def test_resampled_clips_are_kept_between_renders_until_a_clip_changes(tmp_path: Path) -> None:
    timeline = _timeline(tmp_path, [(0.5, 1.0, 22050), (2.0, 1.0, 22050)], 4.0)
    first = read_wav(assemble_speech(timeline, tmp_path / "a.wav"))[0]
    clip = timeline.lines[0].clip.path
    kept = audio._load_mono(clip, 48000)
    assert audio._load_mono(clip, 48000) is kept  # not read and resampled again
    assert np.array_equal(read_wav(assemble_speech(timeline, tmp_path / "b.wav"))[0], first)
    write_wav(clip, np.zeros(22050, np.float32), 22050)  # the line spoken again: silence
    os.utime(clip, ns=(clip.stat().st_atime_ns, clip.stat().st_mtime_ns + 10**9))  # a save
    assert not audio._load_mono(clip, 48000).any()
