"""Nature and ASMR beds, synthesised with numpy rather than played from MIDI.

Each texture is a stream of float32 stereo blocks: noise shaped by FFT
convolution (filters keep their state across blocks), slow random envelopes
read from a small precomputed table, and short events (bird chirps, bubbles,
rain drops, chimes) that are rendered only where they overlap the block. The
same seed always gives the same samples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aifilm.pipeline.music.recipes.dsp import Block, OverlapAdd

Mono = npt.NDArray[np.float64]


def lowpass_kernel(cutoff: float, sample_rate: int, taps: int = 511) -> Mono:
    """Windowed-sinc low-pass FIR kernel with unity gain at DC."""
    n = np.arange(taps) - (taps - 1) / 2
    kernel = np.sinc(2 * cutoff / sample_rate * n) * np.blackman(taps)
    result: Mono = kernel / kernel.sum()
    return result


def bandpass_kernel(low: float, high: float, sample_rate: int, taps: int = 511) -> Mono:
    """Band-pass FIR kernel (difference of two low-passes)."""
    result: Mono = lowpass_kernel(high, sample_rate, taps) - lowpass_kernel(low, sample_rate, taps)
    return result


def stereo(kernel: Mono) -> npt.NDArray[np.float32]:
    """The same kernel on both channels."""
    return np.stack([kernel, kernel], axis=1).astype(np.float32)


class Envelope:
    """A slow random curve: seeded control points every ``step`` seconds, cosine-interpolated."""

    def __init__(
        self, rng: np.random.Generator, duration: float, step: float, low: float, high: float
    ) -> None:
        self.step = step
        self.points = rng.uniform(low, high, int(duration / step) + 3)

    def at(self, seconds: Mono) -> Mono:
        """Values at the given times."""
        position = seconds / self.step
        index = np.floor(position).astype(np.int64)
        index = np.clip(index, 0, len(self.points) - 2)
        frac = np.clip(position - index, 0.0, 1.0)
        weight = 0.5 - 0.5 * np.cos(np.pi * frac)
        result: Mono = self.points[index] * (1 - weight) + self.points[index + 1] * weight
        return result


@dataclass(frozen=True)
class Event:
    """A sound at frame ``start`` lasting ``length`` frames; ``render(t)`` gives its samples."""

    start: int
    length: int
    pan: float  # -1 left .. 1 right
    render: Callable[[Mono], Mono]  # seconds since the event's start -> samples


class EventTrack:
    """Mixes sorted events into blocks, touching only events that overlap each block."""

    def __init__(self, events: list[Event], sample_rate: int) -> None:
        self.events = sorted(events, key=lambda e: e.start)
        self.sample_rate = sample_rate
        self.next = 0
        self.active: list[Event] = []

    def mix(self, out: Mono, start: int) -> None:
        """Add the events sounding in frames ``start .. start+len(out)`` into ``out`` (n, 2)."""
        end = start + out.shape[0]
        while self.next < len(self.events) and self.events[self.next].start < end:
            self.active.append(self.events[self.next])
            self.next += 1
        still: list[Event] = []
        for event in self.active:
            a = max(start, event.start)
            b = min(end, event.start + event.length)
            if b > a:
                t = (np.arange(a, b) - event.start) / self.sample_rate
                mono = event.render(t)
                angle = (event.pan + 1) * math.pi / 4
                out[a - start : b - start, 0] += mono * math.cos(angle)
                out[a - start : b - start, 1] += mono * math.sin(angle)
            if event.start + event.length > end:
                still.append(event)
        self.active = still


def _chirp(
    f0: float, sweep: float, vibrato: float, depth: float, seconds: float, gain: float
) -> Callable[[Mono], Mono]:
    def render(t: Mono) -> Mono:
        x = np.clip(t / seconds, 0.0, 1.0)
        # Frequency f0 + sweep*x + depth*sin(2 pi vibrato t), integrated in closed form so the
        # phase does not depend on where the block boundaries fall.
        phase = 2 * np.pi * (f0 * t + sweep * seconds * x**2 / 2) - depth / vibrato * np.cos(
            2 * np.pi * vibrato * t
        )
        env = np.sin(np.pi * x) ** 2
        result: Mono = gain * env * np.sin(phase)
        return result

    return render


def _bubble(f0: float, rise: float, tau: float, gain: float) -> Callable[[Mono], Mono]:
    def render(t: Mono) -> Mono:
        phase = 2 * np.pi * (f0 * t + rise * f0 * t**2 / (2 * 0.03))
        attack = np.minimum(1.0, t / 0.002)
        result: Mono = gain * attack * np.exp(-t / tau) * np.sin(phase)
        return result

    return render


def _chime(f0: float, gain: float) -> Callable[[Mono], Mono]:
    partials = ((1.0, 1.0, 2.2), (2.76, 0.45, 1.1), (5.40, 0.22, 0.6), (8.93, 0.1, 0.35))

    def render(t: Mono) -> Mono:
        attack = np.minimum(1.0, t / 0.003)
        total = np.zeros_like(t)
        for ratio, amp, tau in partials:
            total += amp * np.exp(-t / tau) * np.sin(2 * np.pi * f0 * ratio * t)
        result: Mono = gain * attack * total
        return result

    return render


class Texture:
    """Base of the synthesised beds: subclasses add their layers in `layers`."""

    def __init__(
        self, duration: float, seed: int, sample_rate: int, block_frames: int, name: str
    ) -> None:
        self.duration = duration
        self.sample_rate = sample_rate
        self.block_frames = block_frames
        self.total = round(duration * sample_rate)
        self.rng = np.random.default_rng([seed, sum(name.encode())])

    def layers(self, out: Mono, start: int, t: Mono) -> None:
        """Add this texture's sound for frames starting at ``start`` (times ``t``) into ``out``."""
        raise NotImplementedError

    def blocks(self) -> Iterator[Block]:
        """The whole texture, block by block."""
        start = 0
        while start < self.total:
            n = min(self.block_frames, self.total - start)
            out = np.zeros((n, 2))
            t = (start + np.arange(n)) / self.sample_rate
            self.layers(out, start, t)
            yield out.astype(np.float32)
            start += n

    def noise(self, n: int) -> npt.NDArray[np.float32]:
        """Independent white noise on both channels."""
        return self.rng.standard_normal((n, 2), dtype=np.float32)


class Nature(Texture):
    """Wind with slow gusts, a babbling stream and birds chirping now and then."""

    def __init__(self, duration: float, seed: int, sample_rate: int, block_frames: int) -> None:
        super().__init__(duration, seed, sample_rate, block_frames, "nature")
        sr = sample_rate
        rng = self.rng
        self.wind = OverlapAdd(stereo(lowpass_kernel(500, sr)), block_frames)
        self.whistle = OverlapAdd(stereo(bandpass_kernel(900, 1800, sr)), block_frames)
        self.water = OverlapAdd(stereo(bandpass_kernel(500, 3500, sr)), block_frames)
        self.gusts = Envelope(rng, duration, 1.7, 0.15, 1.0)
        self.ripple = Envelope(rng, duration, 0.045, 0.2, 1.0)
        events: list[Event] = []
        time = float(rng.uniform(0.05, 0.1))
        while time < duration:  # bubbles of the stream
            events.append(
                Event(
                    int(time * sr),
                    int(0.05 * sr),
                    float(rng.uniform(-0.5, 0.5)),
                    _bubble(
                        float(rng.uniform(500, 1400)),
                        float(rng.uniform(0.3, 0.9)),
                        float(rng.uniform(0.006, 0.015)),
                        float(rng.uniform(0.02, 0.06)),
                    ),
                )
            )
            time += float(rng.exponential(1 / 45))
        time = float(rng.uniform(0.3, 2.0))
        while time < duration:  # a bird: a burst of chirps
            f0 = float(rng.uniform(2500, 4500))
            pan = float(rng.uniform(-0.8, 0.8))
            t = time
            for _ in range(int(rng.integers(2, 7))):
                length = float(rng.uniform(0.05, 0.16))
                render = _chirp(
                    f0 * float(rng.uniform(0.9, 1.1)),
                    float(rng.uniform(-1800, 1500)),
                    float(rng.uniform(25, 60)),
                    float(rng.uniform(50, 250)),
                    length,
                    float(rng.uniform(0.05, 0.11)),
                )
                events.append(Event(int(t * sr), int(length * sr), pan, render))
                t += length + float(rng.uniform(0.03, 0.12))
            time = t + float(rng.uniform(1.5, 6.0))
        self.events = EventTrack(events, sr)

    def layers(self, out: Mono, start: int, t: Mono) -> None:
        """Wind, gust whistle, stream noise and events."""
        n = out.shape[0]
        gust = self.gusts.at(t)[:, None]
        out += 0.9 * gust * self.wind.process(self.noise(n))
        out += 0.25 * gust**3 * self.whistle.process(self.noise(n))
        out += 0.18 * self.ripple.at(t)[:, None] * self.water.process(self.noise(n))
        self.events.mix(out, start)


class Asmr(Texture):
    """Soft rain (hiss plus drops) and a gentle wind chime every few seconds."""

    def __init__(self, duration: float, seed: int, sample_rate: int, block_frames: int) -> None:
        super().__init__(duration, seed, sample_rate, block_frames, "asmr")
        sr = sample_rate
        rng = self.rng
        self.hiss = OverlapAdd(stereo(bandpass_kernel(1200, 9000, sr)), block_frames)
        self.patter = OverlapAdd(stereo(bandpass_kernel(150, 900, sr)), block_frames)
        drop = np.arange(int(0.006 * sr)) / sr
        ping = np.exp(-drop / 0.0012) * np.sin(2 * np.pi * 4200 * drop)
        self.drops = OverlapAdd(stereo(ping), block_frames)
        self.density = Envelope(rng, duration, 3.0, 0.6, 1.0)
        events: list[Event] = []
        pentatonic = (0, 2, 4, 7, 9, 12, 14, 16)
        root = float(rng.choice((880.0, 932.3, 987.8)))
        time = float(rng.uniform(0.5, 2.0))
        while time < duration:
            f0 = root * 2 ** (pentatonic[int(rng.integers(len(pentatonic)))] / 12)
            events.append(
                Event(
                    int(time * sr),
                    int(4.5 * sr),
                    float(rng.uniform(-0.7, 0.7)),
                    _chime(f0, float(rng.uniform(0.05, 0.09))),
                )
            )
            time += float(rng.choice((0.35, 0.6, 2.5, 4.0, 5.5)))
        self.events = EventTrack(events, sr)

    def layers(self, out: Mono, start: int, t: Mono) -> None:
        """Rain hiss, low patter, drops and chimes."""
        n = out.shape[0]
        density = self.density.at(t)[:, None]
        out += 0.12 * density * self.hiss.process(self.noise(n))
        out += 0.08 * self.patter.process(self.noise(n))
        impulses = np.zeros((n, 2), dtype=np.float32)
        mask = self.rng.random((n, 2)) < 90 / self.sample_rate
        impulses[mask] = self.rng.uniform(0.1, 0.5, int(mask.sum())).astype(np.float32)
        out += 0.5 * density * self.drops.process(impulses)
        self.events.mix(out, start)


TEXTURES: dict[str, Callable[[float, int, int, int], Texture]] = {"nature": Nature, "asmr": Asmr}
