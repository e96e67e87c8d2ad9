"""One voice (a region sounding for one note) rendered to mono float32, as TinySoundFont would.

Sample read at the note's pitch, the volume envelope per frame; the modulation
envelope, the LFOs, the pitch wheel and the filter's cutoff move every
`CONTROL_FRAMES` frames, as in TinySoundFont. Voices that sound the same (same
region, key, length and pitch: the recipes repeat drum strokes and chords) are
rendered once.
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aifilm.pipeline.music.soundfont.reader import Envelope, Region, SoundFont
from aifilm.pipeline.music.soundfont.samples import (
    FRACTION_BITS,
    SampleBank,
    Wave,
    cutoff_steps,
)

CONTROL_FRAMES = 64  # how often modulation moves (TinySoundFont's effect block)
FAST_RELEASE = 0.01  # seconds: a voice cut by its exclusive class fades this fast
SILENT = 1e-5  # -100 dB of the voice's gain: below this, for good, it has ended
EXP_DECAY = 9.226  # exponential segments end 80 dB down (e**-9.226), as TinySoundFont's do
VELOCITY_STEP = 8  # the modulation envelope's velocity-scaled attack, in steps of 8


@dataclass(frozen=True)
class Voice:
    """One region sounding for one note."""

    region: Region
    channel: int
    key: int
    velocity: int
    start: int  # output frame of the note-on
    held: int  # frames from note-on to note-off
    cut: int | None  # frames to an exclusive-class cut, if one comes
    gain: float  # velocity, attenuation and master gain, linear
    left: float
    right: float


def volume_envelope(env: Envelope, held: int, rate: int, limit: int) -> Wave:
    """The SF2 volume envelope per frame: linear attack, 80 dB exponential decay and release.

    Only what sounds is computed: the decay up to the note-off (or its end), then the
    release from the level reached.
    """
    delay, attack, hold = (round(x * rate) for x in (env.delay, env.attack, env.hold))
    decay = round(env.decay * rate)
    slope = -EXP_DECAY / max(1, decay)
    if decay <= 0:
        settle = 0
    elif env.sustain <= 0:
        settle = decay  # down 80 dB, then silent
    else:
        settle = min(decay, round(math.log(env.sustain) / slope))
    top = delay + attack + hold  # where the decay starts
    decaying = min(settle, max(0, held - top))
    shape = np.concatenate(
        [
            np.zeros(min(delay, held), np.float32),
            np.arange(min(attack, max(0, held - delay)), dtype=np.float32) / max(1, attack),
            np.ones(min(hold, max(0, held - delay - attack)), np.float32),
            np.exp(slope * np.arange(decaying, dtype=np.float32)).astype(np.float32),
        ]
    )
    if held < top + settle:  # released before the sustain
        level = (
            0.0
            if held < delay
            else (held - delay) / max(1, attack)
            if held < delay + attack
            else 1.0
            if held < top
            else math.exp(slope * (held - top))
        )
        body = shape[:held]
    elif env.sustain <= 0:
        return shape[:limit]  # decayed to silence while the key is still down
    else:
        body = np.concatenate([shape, np.full(held - len(shape), env.sustain, np.float32)])
        level = env.sustain
    release = max(1, round((env.release if env.release > 0 else FAST_RELEASE) * rate))
    out: Wave = np.concatenate([body, _fade(level, release)])[:limit]
    return out


def _fade(level: float, frames: int) -> Wave:
    """An exponential fade from ``level``, 80 dB over ``frames``, stopped once under `SILENT`."""
    slope = -EXP_DECAY / frames
    audible = 0 if level <= SILENT else min(frames, math.ceil(math.log(SILENT / level) / slope))
    fade: Wave = (level * np.exp(slope * np.arange(audible, dtype=np.float32))).astype(np.float32)
    return fade


def modulation_envelope(
    env: Envelope, held: int, velocity: int, rate: int, times: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """The SF2 modulation envelope (linear segments) at frames ``times``.

    Its attack shortens with velocity (full length at 1, an eighth at 127).
    """
    attack = env.attack * (145 - velocity) / 144
    decay = env.decay * (1 - env.sustain)
    x = np.cumsum([0.0, env.delay, attack, env.hold, decay]) * rate
    y = np.array([0.0, 0.0, 1.0, 1.0, env.sustain])
    if attack <= 0:  # straight to the top
        y[1] = 1.0
    level = float(np.interp(held, x, y))
    release = max(1.0, (env.release if env.release > 0 else FAST_RELEASE) * rate)
    keep = x < held
    xs = np.concatenate([x[keep], [held, held + release]])
    ys = np.concatenate([y[keep], [level, 0.0]])
    return np.asarray(np.interp(times, xs, ys), dtype=np.float64)


def triangle_lfo(
    delay: float, freq: float, rate: int, times: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """A triangle LFO, 0 rising, between -1 and 1, after ``delay`` seconds, at ``times``."""
    phase = np.maximum(0.0, times - delay * rate) * (4 * freq / rate)
    wave = 1.0 - np.abs(np.mod(phase + 1.0, 4.0) - 2.0)
    return np.where(times < delay * rate, 0.0, wave)


class VoiceRenderer:
    """Renders voices to mono float32 at unit gain, unpanned, reusing repeats."""

    def __init__(
        self, font: SoundFont, rate: int, cache_bytes: int = 16 << 20, bank_bytes: int = 64 << 20
    ) -> None:
        self.font = font
        self.bank_bytes = bank_bytes
        self.rate = rate
        self.banks: OrderedDict[int, SampleBank] = OrderedDict()
        self.cache: OrderedDict[tuple[object, ...], Wave] = OrderedDict()
        self.cache_bytes = cache_bytes
        self.cached = 0

    def bank(self, region: Region) -> SampleBank:
        """The region's sample bank; the least recently used go past `bank_bytes`."""
        key = id(region)
        if key in self.banks:
            self.banks.move_to_end(key)
            return self.banks[key]
        while len(self.banks) > 1 and sum(b.nbytes for b in self.banks.values()) > self.bank_bytes:
            self.banks.popitem(last=False)
        bank = SampleBank(self.font, region)
        self.banks[key] = bank
        return bank

    def render(self, voice: Voice, bend: npt.NDArray[np.float64] | float) -> Wave:
        """The voice's sound; ``bend`` is the pitch wheel in semitones (per frame if it moves)."""
        key = None
        if not isinstance(bend, np.ndarray):
            region = voice.region
            by_velocity = region.modulation.attack > 0 and (
                region.mod_env_to_pitch or region.mod_env_to_filter_fc
            )
            key = (
                id(region),
                voice.key,
                voice.velocity // VELOCITY_STEP if by_velocity else 0,
                -(-voice.held // CONTROL_FRAMES),
                voice.cut,
                bend,
            )
            hit = self.cache.get(key)
            if hit is not None:
                self.cache.move_to_end(key)
                return hit
        wave = self._render(voice, bend)
        if key is not None and wave.nbytes <= self.cache_bytes // 32:  # long notes rarely repeat
            self.cache[key] = wave
            self.cached += wave.nbytes
            while self.cached > self.cache_bytes and len(self.cache) > 1:
                _, old = self.cache.popitem(last=False)
                self.cached -= old.nbytes
        return wave

    def _amplitude(self, voice: Voice, held: int) -> Wave:
        """The volume envelope, cut short by an exclusive class; it ends once inaudible."""
        region, rate = voice.region, self.rate
        limit = held + round(max(region.volume.release, FAST_RELEASE) * rate) + 1
        if voice.cut is not None:
            limit = min(limit, voice.cut + round(FAST_RELEASE * rate))
        amp = volume_envelope(region.volume.for_key(voice.key), held, rate, limit)
        if voice.cut is not None and voice.cut < len(amp):
            fast = _fade(float(amp[voice.cut]), round(FAST_RELEASE * rate))
            amp = np.concatenate([amp[: voice.cut], fast])
        return amp

    def _render(self, voice: Voice, bend: npt.NDArray[np.float64] | float) -> Wave:
        region, rate = voice.region, self.rate
        held = -(-voice.held // CONTROL_FRAMES) * CONTROL_FRAMES
        amp = self._amplitude(voice, held)
        n = len(amp)
        if n == 0:
            return amp
        blocks = -(-n // CONTROL_FRAMES)
        times = np.arange(blocks, dtype=np.int64) * CONTROL_FRAMES
        note = voice.key + region.tune_cents / 100
        pitch = region.root_key + (note - region.root_key) * region.scale_tuning / 100
        wheel = bend[np.minimum(times, len(bend) - 1)] if isinstance(bend, np.ndarray) else bend
        cents = np.full(blocks, (pitch - region.root_key) * 100) + np.asarray(wheel) * 100
        fc = np.full(blocks, float(region.filter_fc))
        if region.mod_env_to_pitch or region.mod_env_to_filter_fc:
            velocity = (voice.velocity // VELOCITY_STEP) * VELOCITY_STEP + VELOCITY_STEP // 2
            envelope = region.modulation.for_key(voice.key)
            mod_env = modulation_envelope(envelope, held, velocity, rate, times)
            cents += mod_env * region.mod_env_to_pitch
            fc += mod_env * region.mod_env_to_filter_fc
        mod_lfo = None
        if region.mod_lfo_to_pitch or region.mod_lfo_to_filter_fc or region.mod_lfo_to_volume:
            mod_lfo = triangle_lfo(region.mod_lfo_delay, region.mod_lfo_freq, rate, times)
            cents += mod_lfo * region.mod_lfo_to_pitch
            fc += mod_lfo * region.mod_lfo_to_filter_fc
        if region.vib_lfo_to_pitch:
            vib = triangle_lfo(region.vib_lfo_delay, region.vib_lfo_freq, rate, times)
            cents += vib * region.vib_lfo_to_pitch
        ratio = (region.sample_rate / rate) * np.exp2(cents / 1200)
        step = np.round(ratio * (1 << FRACTION_BITS)).astype(np.int64)
        starts = np.zeros(blocks + 1, np.int64)
        np.cumsum(step * CONTROL_FRAMES, out=starts[1:])
        bank = self.bank(region)
        if not region.loops:  # the voice ends with its sample
            end = bank.frames << FRACTION_BITS
            b = int(np.searchsorted(starts, end)) - 1
            if b < blocks:
                n = min(n, b * CONTROL_FRAMES + int((end - starts[b]) // step[b]))
                blocks = -(-n // CONTROL_FRAMES)
        cutoffs = cutoff_steps(fc[:blocks], ratio[:blocks], rate)
        out = self._read(bank, step[:blocks], starts[:blocks], cutoffs, n)
        out *= amp[:n]
        if mod_lfo is not None and region.mod_lfo_to_volume:
            gain = np.power(10.0, mod_lfo * (region.mod_lfo_to_volume / 200)).astype(np.float32)
            out *= np.repeat(gain, CONTROL_FRAMES)[:n]
        return out

    @staticmethod
    def _read(
        bank: SampleBank,
        step: npt.NDArray[np.int64],
        starts: npt.NDArray[np.int64],
        cutoffs: npt.NDArray[np.int64],
        n: int,
    ) -> Wave:
        """The sample read block by block: ``step`` per frame from ``starts``, filtered."""
        out = np.empty(n, np.float32)
        blocks = len(step)
        pitch_moves = np.flatnonzero(np.diff(step)) + 1
        if len(pitch_moves) > 32:  # a gliding pitch (LFO, envelope): every frame's position
            offsets = np.arange(CONTROL_FRAMES, dtype=np.int64)
            pos = (starts[:, None] + step[:, None] * offsets).reshape(-1)[:n]
            edges = np.flatnonzero(np.diff(cutoffs)) + 1
            bounds = [0, *edges.tolist(), blocks]
            for a, b in itertools.pairwise(bounds):
                lo, hi = a * CONTROL_FRAMES, min(n, b * CONTROL_FRAMES)
                out[lo:hi] = bank.read_positions(int(cutoffs[a]), pos[lo:hi])
            return out
        # a pitch in steps (the wheel) or none: runs of one pitch and one cutoff
        edges = np.union1d(pitch_moves, np.flatnonzero(np.diff(cutoffs)) + 1)
        bounds = [0, *edges.tolist(), blocks]
        for a, b in itertools.pairwise(bounds):
            lo, hi = a * CONTROL_FRAMES, min(n, b * CONTROL_FRAMES)
            out[lo:hi] = bank.read_run(int(cutoffs[a]), int(starts[a]), int(step[a]), hi - lo)
        return out


__all__ = ["Voice", "VoiceRenderer", "modulation_envelope", "triangle_lfo", "volume_envelope"]
