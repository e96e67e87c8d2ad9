"""Streaming audio helpers shared by the music renderers: fades, convolution, WAV output.

Everything here works on blocks of float32 stereo frames of shape ``(n, 2)`` and
keeps only small state between blocks, so a ten-minute track never sits in
memory as a whole.
"""

from __future__ import annotations

import contextlib
import math
import os
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

Block = npt.NDArray[np.float32]

BLOCK_FRAMES = 1 << 17  # about 2.7 s at 48 kHz: the unit of rendering
PEAK_CEILING = 10 ** (-1.5 / 20)  # -1.5 dBFS, safely under the -1 dBFS promise
TARGET_RMS = 10 ** (-20.0 / 20)  # music beds end up about this loud before the mix


def fade_lengths(duration: float) -> tuple[float, float]:
    """Fade-in and fade-out lengths in seconds: 1.5 s and 3 s, shortened for short tracks."""
    return min(1.5, 0.2 * duration), min(3.0, 0.3 * duration)


def fade_gain(
    start: int, count: int, total: int, fade_in: int, fade_out: int
) -> npt.NDArray[np.float32]:
    """Gain for frames ``start .. start+count`` of a ``total``-frame track (raised-cosine fades)."""
    idx = np.arange(start, start + count, dtype=np.float64)
    gain = np.ones(count, dtype=np.float64)
    if fade_in > 0:
        x = np.clip(idx / fade_in, 0.0, 1.0)
        gain *= 0.5 - 0.5 * np.cos(np.pi * x)
    if fade_out > 0:
        x = np.clip((total - idx) / fade_out, 0.0, 1.0)
        gain *= 0.5 - 0.5 * np.cos(np.pi * x)
    return gain.astype(np.float32)


class OverlapAdd:
    """Linear convolution of a stream with a fixed stereo kernel (FFT overlap-add).

    ``kernel`` has shape ``(taps, 2)``; each call to `process` returns as many
    frames as it was given, carrying the kernel's tail into the next call. A
    block is cut into segments about three times the kernel's length and all
    segments are transformed in one batched FFT, which keeps short filters cheap.
    """

    def __init__(self, kernel: npt.NDArray[np.float32], max_block: int) -> None:
        self.taps = kernel.shape[0]
        self.max_block = max_block
        fit_block = 1 << math.ceil(math.log2(max_block + self.taps - 1))
        short = 1 << math.ceil(math.log2(4 * self.taps))
        self.size = min(fit_block, short)
        self.segment = self.size - self.taps + 1
        self.spectrum = np.fft.rfft(kernel.astype(np.float32), n=self.size, axis=0)
        self.tail = np.zeros((self.taps - 1, kernel.shape[1]), dtype=np.float32)

    def process(self, block: Block) -> Block:
        """Convolve one block (at most ``max_block`` frames); returns the same number of frames."""
        n, channels = block.shape
        if n > self.max_block:
            raise ValueError(f"block of {n} frames exceeds {self.max_block}")
        seg, keep = self.segment, self.taps - 1
        count = max(1, math.ceil(n / seg))
        padded = np.zeros((count * seg, channels), dtype=np.float32)
        padded[:n] = block
        segments = padded.reshape(count, seg, channels)
        spectra = np.fft.rfft(segments, n=self.size, axis=1) * self.spectrum[None]
        pieces = np.fft.irfft(spectra, n=self.size, axis=1)[:, : seg + keep].astype(np.float32)
        wet = np.zeros(((count + 1) * seg, channels), dtype=np.float32)
        wet[: count * seg] = pieces[:, :seg].reshape(-1, channels)
        if keep:  # each segment's ringing lands at the start of the next segment
            wet[seg:].reshape(count, seg, channels)[:, :keep] += pieces[:, seg:]
        wet[:keep] += self.tail  # what earlier blocks still ring into this one
        self.tail = wet[n : n + keep].copy()
        return wet[:n]


def room_impulse(sample_rate: int, seconds: float, seed: int = 7) -> npt.NDArray[np.float32]:
    """A synthetic stereo room: exponentially decaying, darkening noise, unit energy."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    noise = rng.standard_normal((n, 2))
    # darker as it decays: mix white noise with a smoothed copy, more smoothed later
    kernel = np.ones(12) / 12
    smooth = np.stack([np.convolve(noise[:, c], kernel, mode="same") for c in range(2)], axis=1)
    blend = np.clip(t / seconds, 0.0, 1.0)[:, None]
    ir = (1 - blend) * noise + blend * smooth * 3.0
    ir *= np.exp(-6.9 * t / seconds)[:, None]  # -60 dB at the end
    ir[: int(0.012 * sample_rate)] = 0.0  # pre-delay
    ir /= np.sqrt(np.sum(ir**2) / 2)
    return ir.astype(np.float32)


class Reverb:
    """Dry/wet convolution reverb on a stream of blocks."""

    def __init__(self, sample_rate: int, wet: float, max_block: int, seconds: float = 1.6) -> None:
        self.wet = wet
        self.conv = (
            OverlapAdd(room_impulse(sample_rate, seconds) * wet, max_block) if wet > 0 else None
        )

    def process(self, block: Block) -> Block:
        """Dry plus wet signal for one block."""
        if self.conv is None:
            return block
        return block + self.conv.process(block)


BlockSource = Callable[[], Iterator[Block]]


def measure(source: BlockSource, spool: Path | None = None) -> tuple[float, float]:
    """Peak and RMS of a stream (one full pass, block by block).

    With ``spool``, the blocks are also written there as raw float32 frames, so a
    second pass can read them back (`spooled`) instead of rendering them again.
    """
    peak = 0.0
    energy = 0.0
    frames = 0
    with open(spool, "wb") if spool is not None else contextlib.nullcontext() as sink:
        for block in source():
            if block.size:
                peak = max(peak, float(np.max(np.abs(block))))
                energy += float(np.sum(block.astype(np.float64) ** 2))
                frames += block.shape[0]
            if sink is not None:
                sink.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
    rms = math.sqrt(energy / max(1, 2 * frames))
    return peak, rms


def spooled(path: Path, block_frames: int = BLOCK_FRAMES) -> BlockSource:
    """The stream that `measure` spooled to ``path``, read back block by block."""

    def blocks() -> Iterator[Block]:
        with open(path, "rb") as f:
            while chunk := f.read(block_frames * 8):
                yield np.frombuffer(chunk, dtype="<f4").reshape(-1, 2).astype(np.float32)

    return blocks


def level_gain(peak: float, rms: float) -> float:
    """Gain that brings a stream to the target loudness without passing the peak ceiling."""
    if peak <= 0.0:
        return 1.0
    return min(TARGET_RMS / max(rms, 1e-9), PEAK_CEILING / peak)


def write_stream(
    path: Path,
    source: BlockSource,
    total_frames: int,
    sample_rate: int,
    duration: float,
    gain: float,
) -> None:
    """Write a stream as 16-bit stereo WAV with fades, atomically (temp file, then rename).

    ``source`` must yield exactly ``total_frames`` frames.
    """
    fin, fout = fade_lengths(duration)
    fade_in, fade_out = int(fin * sample_rate), int(fout * sample_rate)
    tmp = path.with_name(path.name + ".part")
    written = 0
    try:
        with wave.open(str(tmp), "wb") as wf:
            wf.setnchannels(2)
            wf.setsampwidth(2)
            wf.setframerate(sample_rate)
            for block in source():
                n = block.shape[0]
                scaled = (
                    block * (gain * fade_gain(written, n, total_frames, fade_in, fade_out))[:, None]
                )
                pcm = np.clip(np.rint(scaled * 32767.0), -32767, 32767).astype("<i2")
                wf.writeframes(pcm.tobytes())
                written += n
        if written != total_frames:
            raise RuntimeError(f"music stream gave {written} frames, expected {total_frames}")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def frame_count(duration: float, sample_rate: int) -> int:
    """Frames in a track of ``duration`` seconds (rounded to the nearest frame)."""
    return round(duration * sample_rate)
