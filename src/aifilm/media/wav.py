"""Small WAV helpers on numpy (16-bit PCM), used by voice, music and mixing."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt


def read_wav(path: Path) -> tuple[npt.NDArray[np.float32], int]:
    """Samples as float32 in [-1, 1], shape (frames, channels), and the sample rate."""
    with wave.open(str(path), "rb") as wf:
        rate = wf.getframerate()
        channels = wf.getnchannels()
        width = wf.getsampwidth()
        raw = wf.readframes(wf.getnframes())
    if width != 2:
        raise ValueError(f"{path}: only 16-bit PCM WAV is supported here (got {8 * width}-bit)")
    data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    return data.reshape(-1, channels), rate


def write_wav(path: Path, samples: npt.NDArray[np.floating], rate: int) -> None:
    """Write float samples (frames,) or (frames, channels) as 16-bit PCM, clipped to [-1, 1]."""
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    pcm = (np.clip(data, -1.0, 1.0) * 32767.0).astype("<i2")
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(pcm.shape[1])
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())


def wav_duration(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wf:
        return wf.getnframes() / float(wf.getframerate())
