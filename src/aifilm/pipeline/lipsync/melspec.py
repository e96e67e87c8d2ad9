"""Wav2Lip's mel spectrogram, in numpy: what its audio encoder was trained on.

Wav2Lip (Rudrabha/Wav2Lip, ``audio.py`` and ``hparams.py``) hears 16 kHz speech as an
80-band log-mel spectrogram: pre-emphasis 0.97, an 800-point STFT (Hann window of 800,
hop 200, centred with reflect padding, as librosa 0.7 did), Slaney mel filters from 55
to 7600 Hz, decibels above -100 dB less a 20 dB reference, then scaled to [-4, 4]. Any
other scaling gives the trained network inputs it never saw, so each step is kept as it
is there. One video frame hears a window of 16 mel frames (0.2 s) starting at the
frame's time: 80 mel frames a second.

The STFT is computed in blocks, so an hour of speech never needs more than a few
megabytes at once.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16000
N_FFT = 800
HOP = 200
WIN = 800
N_MELS = 80
FMIN = 55.0
FMAX = 7600.0
PREEMPHASIS = 0.97
MIN_LEVEL_DB = -100.0
REF_LEVEL_DB = 20.0
MAX_ABS = 4.0
MEL_STEP = 16  # mel frames one video frame hears
MEL_FPS = SAMPLE_RATE / HOP  # 80 mel frames a second

_BLOCK = 4096  # STFT frames computed at once


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    f_sp = 200.0 / 3
    mel = hz / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, math.log(6.4) / 27.0
    above = hz >= min_log_hz
    mel[above] = min_log_mel + np.log(hz[above] / min_log_hz) / logstep
    return mel


def _mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    f_sp = 200.0 / 3
    hz = mel * f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, math.log(6.4) / 27.0
    above = mel >= min_log_mel
    hz[above] = min_log_hz * np.exp(logstep * (mel[above] - min_log_mel))
    return hz


def mel_filters(
    rate: int = SAMPLE_RATE,
    n_fft: int = N_FFT,
    n_mels: int = N_MELS,
    fmin: float = FMIN,
    fmax: float = FMAX,
) -> npt.NDArray[np.float32]:
    """Triangular Slaney-normalised mel filters, (n_mels, 1 + n_fft // 2), as librosa makes."""
    freqs = np.linspace(0, rate / 2, 1 + n_fft // 2)
    edges = _mel_to_hz(
        np.linspace(_hz_to_mel(np.array([fmin]))[0], _hz_to_mel(np.array([fmax]))[0], n_mels + 2)
    )
    widths = np.diff(edges)
    ramps = edges[:, None] - freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]  # equal area per band
    return weights.astype(np.float32)


_FILTERS: npt.NDArray[np.float32] | None = None


def melspectrogram(wav: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """The normalised log-mel spectrogram of 16 kHz mono audio: (80, 1 + len // 200)."""
    global _FILTERS
    if _FILTERS is None:
        _FILTERS = mel_filters()
    x = np.asarray(wav, dtype=np.float64)
    if x.size:
        x = np.concatenate([x[:1], x[1:] - PREEMPHASIS * x[:-1]])
    pad = N_FFT // 2
    # too short to reflect (librosa would refuse): silence around it is what it means here
    x = np.pad(x, pad, mode="reflect") if x.size > pad else np.pad(x, pad)
    frames = 1 + (x.size - N_FFT) // HOP
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)  # periodic Hann
    floor = 10 ** (MIN_LEVEL_DB / 20)
    out = np.empty((N_MELS, max(0, frames)), np.float32)
    for first in range(0, frames, _BLOCK):
        count = min(_BLOCK, frames - first)
        start = first * HOP
        chunk = x[start : start + (count - 1) * HOP + N_FFT]
        windows = np.lib.stride_tricks.sliding_window_view(chunk, N_FFT)[::HOP][:count]
        magnitude = np.abs(np.fft.rfft(windows * window, axis=1)).T  # (bins, count)
        mel = _FILTERS @ magnitude
        db = 20 * np.log10(np.maximum(floor, mel)) - REF_LEVEL_DB
        scaled = (2 * MAX_ABS) * ((db - MIN_LEVEL_DB) / -MIN_LEVEL_DB) - MAX_ABS
        out[:, first : first + count] = np.clip(scaled, -MAX_ABS, MAX_ABS)
    return out


def mel_window(mel: npt.NDArray[np.float32], frame: int, fps: float) -> npt.NDArray[np.float32]:
    """The 16 mel frames video frame `frame` hears (the last 16 near the end), as Wav2Lip."""
    start = int(frame * MEL_FPS / fps)
    if start + MEL_STEP > mel.shape[1]:
        start = max(0, mel.shape[1] - MEL_STEP)
    window = mel[:, start : start + MEL_STEP]
    if window.shape[1] < MEL_STEP:  # shorter than 0.2 s in all: pad with silence
        window = np.pad(window, ((0, 0), (0, MEL_STEP - window.shape[1])), constant_values=-MAX_ABS)
    return window
