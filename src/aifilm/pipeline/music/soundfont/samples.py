"""A region's sample ready to play: unrolled through its loop, low-pass filtered, read fast.

TinySoundFont low-passes every voice at the output rate, sample by sample. Here
the filter runs once per cutoff step on the short source sample instead, in its
own time base (reading a sample ``ratio`` times faster scales its frequencies by
``ratio``), with one FFT. Voices then read the copy for their current cutoff.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

from aifilm.pipeline.music.soundfont.reader import Region, SoundFont

Wave = npt.NDArray[np.float32]
Version = tuple[Wave, Wave, int]  # values, slope to the next value, oversampling (1 or 2)

FILTER_STEP_CENTS = 200.0  # the cutoff moves in whole tones: about 12 copies per octave swept
FRACTION_BITS = 24  # positions are fixed-point source frames
TABLE_FRAMES = 8192  # a steady loop is read this many frames at a time, then repeated
OPEN = 1 << 30  # the cutoff step of an open (bypassed) filter


@functools.lru_cache(maxsize=16)
def _unit_circle(n: int) -> tuple[npt.NDArray[np.complex128], npt.NDArray[np.complex128]]:
    """z**-1 and z**-2 on the rfft grid of size ``n``."""
    z = np.exp(-2j * np.pi * np.arange(n // 2 + 1) / n)
    return z, z * z


def lowpass_response(nu: float, q_cb: float, n: int) -> npt.NDArray[np.complex128]:
    """TinySoundFont's biquad low-pass (cutoff ``nu`` cycles/frame) on an rfft grid of ``n``."""
    q_inv = 1.0 / 10 ** (q_cb / 200)
    k = math.tan(math.pi * max(nu, 1e-4))  # lower cutoffs lose the DC gain to rounding
    norm = 1 / (1 + k * q_inv + k * k)
    a0 = k * k * norm
    b1 = 2 * (k * k - 1) * norm
    b2 = (1 - k * q_inv + k * k) * norm
    z, z2 = _unit_circle(n)
    return np.asarray(a0 * (1 + 2 * z + z2) / (1 + b1 * z + b2 * z2))


def cutoff_steps(
    cents: npt.NDArray[np.float64], ratio: npt.NDArray[np.float64], rate: int
) -> npt.NDArray[np.int64]:
    """Filter cutoffs (absolute cents at the output rate) as steps in the source's time base.

    The output cutoff ``f`` is ``f / ratio`` in the source. `OPEN` marks no filtering:
    above 13500 cents, as TinySoundFont has it, or at the source's Nyquist.
    """
    nu = 8.176 * np.exp2(cents / 1200) / rate / ratio
    steps = np.round(np.log2(np.maximum(nu, 1e-9)) * 1200 / FILTER_STEP_CENTS).astype(np.int64)
    open_ = (cents > 13500) | (np.exp2(steps * FILTER_STEP_CENTS / 1200) >= 0.499)
    return np.where(open_, OPEN, steps)


class SampleBank:
    """A region's sample, unrolled through a few loops, as it is or low-pass filtered.

    Positions are fixed-point source frames from the region's start; past the
    unrolled part a position wraps into its last loop pass, which by then carries
    the filter's steady state.
    """

    UNROLL = 2048  # source frames of loop to run through, enough for the filter to settle

    def __init__(self, font: SoundFont, region: Region) -> None:
        self.region = region
        if region.loops:
            head = font.samples[region.start : region.loop_end]
            loop = font.samples[region.loop_start : region.loop_end]
            passes = max(2, math.ceil(self.UNROLL / len(loop)))
            self.base = np.concatenate([head, np.tile(loop, passes)]).astype(np.float32)
            self.period = len(loop)
            self.wrap_from = len(self.base) - self.period
            # one more pass after it, so the filter sees the loop go on past the read part
            self.padded = np.concatenate([self.base, loop]).astype(np.float32)
        else:
            raw = font.samples[region.start : region.end]
            self.base = np.concatenate([raw, np.zeros(1, np.float32)]).astype(np.float32)
            self.period = 0
            self.wrap_from = len(self.base)
            self.padded = self.base
        self.versions: dict[int, Version] = {}
        self.spectrum: npt.NDArray[np.complex128] | None = None

    @property
    def nbytes(self) -> int:
        """Memory held by the copies made so far."""
        return sum(v.nbytes + s.nbytes for v, s, _ in self.versions.values())

    @property
    def frames(self) -> int:
        """Source frames a voice may read before it must wrap (or, unlooped, end)."""
        return len(self.base) - 1

    def wrap(self, pos: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Fold rising fixed-point positions past the unrolled part into its last loop pass."""
        if not self.period:
            return pos
        start = self.wrap_from << FRACTION_BITS
        first = int(np.searchsorted(pos, start))
        if first < len(pos):
            tail = pos[first:] - start
            np.remainder(tail, self.period << FRACTION_BITS, out=tail)
            pos[first:] = tail + start
        return pos

    def read(self, version: Version, pos: npt.NDArray[np.int64]) -> Wave:
        """Linearly interpolated values at fixed-point positions (already wrapped)."""
        values, slopes, factor = version
        shift = FRACTION_BITS - (factor - 1)  # a 2x copy has twice the frames
        i = pos >> shift
        f = (pos & ((1 << shift) - 1)).astype(np.float32)
        f *= np.float32(1.0 / (1 << shift))
        f *= slopes[i]
        f += values[i]
        return f

    def read_steady(self, version: Version, start: int, step: int, count: int) -> Wave:
        """``count`` frames from fixed-point ``start`` at a constant ``step`` per frame.

        Once inside the loop the sound repeats: a table of a whole number of loop
        passes (about `TABLE_FRAMES` long) is read once and tiled. Rounding the
        table to whole frames detunes by at most 1/(2 * table length), under half
        a cent, and each call starts again from the exact phase.
        """
        one_pass = self.period << FRACTION_BITS
        loop_start = self.wrap_from << FRACTION_BITS
        if self.period and start < loop_start:  # the way in: read it, then the loop
            entry = min(count, -(-(loop_start - start) // step))
            head = self.read(version, self.wrap(start + step * np.arange(entry, dtype=np.int64)))
            if entry == count:
                return head
            rest = self.read_steady(version, start + step * entry, step, count - entry)
            return np.concatenate([head, rest])
        if self.period:
            passes = max(1, round(TABLE_FRAMES * step / one_pass))
            frames = round(passes * one_pass / step)
            if 2 * frames <= count:
                pos = start - loop_start + step * np.arange(frames, dtype=np.int64)
                np.remainder(pos, one_pass, out=pos)
                return np.resize(self.read(version, pos + loop_start), count)
        pos = start + step * np.arange(count, dtype=np.int64)
        return self.read(version, self.wrap(pos))

    def version(self, step: int) -> Version:
        """The sample low-passed at cutoff ``step`` (`OPEN`: as it is).

        A filtered copy comes at twice the source rate, interpolated band-limited
        by the same FFT that filters it: TinySoundFont filters after its linear
        interpolation, which takes the interpolation's images away with the highs,
        and reading a 2x copy keeps those images as small. The unfiltered copy is
        read as it is, as TinySoundFont reads it.
        """
        if step not in self.versions:
            if step == OPEN:
                data, factor = self.base, 1
            else:
                data, factor = self._filtered(step), 2
            # one frame past the end, so interpolation may read i + 1 anywhere
            nxt = data[self.wrap_from * factor] if self.period else np.float32(0.0)
            values = np.append(data[: len(self.base) * factor], nxt).astype(np.float32)
            slopes = np.append(np.diff(values), np.float32(0)).astype(np.float32)
            self.versions[step] = (values, slopes, factor)
        return self.versions[step]

    def _filtered(self, step: int) -> Wave:
        nu = 2 ** (step * FILTER_STEP_CENTS / 1200)  # cycles per source frame
        n = 1 << math.ceil(math.log2(len(self.padded) + 2048))
        if self.spectrum is None:  # the same for every cutoff
            self.spectrum = np.fft.rfft(self.padded, n=n)
        spectrum = self.spectrum * lowpass_response(nu, self.region.filter_q, n)
        wide = np.zeros(n + 1, np.complex128)  # the spectrum zero-padded: a 2x band-limited copy
        wide[: n // 2 + 1] = spectrum
        return (np.fft.irfft(wide, n=2 * n) * 2).astype(np.float32)


__all__ = ["OPEN", "SampleBank", "cutoff_steps", "lowpass_response"]
