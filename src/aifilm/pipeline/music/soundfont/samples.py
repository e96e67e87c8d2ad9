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
    """A region's sample as it is or low-pass filtered, read at fixed-point positions.

    Positions count source frames from the region's start, rising as the voice
    plays: up to the loop (and a few passes into it, while the filter settles) a
    voice reads the *head* copy, the sample filtered from its start; after that it
    reads the *loop* copy, one loop pass filtered as the periodic signal it is, in
    its steady state. The head copy is only made for the cutoffs a voice has when
    it starts, so long sweeps cost one small FFT of the loop per step.
    """

    UNROLL = 2048  # source frames of loop a voice reads from the head copy

    def __init__(self, font: SoundFont, region: Region) -> None:
        self.region = region
        if region.loops:
            head = font.samples[region.start : region.loop_end]
            self.loop = font.samples[region.loop_start : region.loop_end].astype(np.float32)
            self.period = len(self.loop)
            passes = max(1, math.ceil(self.UNROLL / self.period))
            self.base = np.concatenate([head, np.tile(self.loop, passes)]).astype(np.float32)
            self.wrap_from = len(self.base) - self.period  # the head copy's last pass
        else:
            raw = font.samples[region.start : region.end]
            self.base = np.concatenate([raw, np.zeros(1, np.float32)]).astype(np.float32)
            self.loop = np.zeros(0, np.float32)
            self.period = 0
            self.wrap_from = len(self.base)
        self.heads: dict[int, Version] = {}
        self.loops: dict[int, Version] = {}
        self.spectrum: npt.NDArray[np.complex128] | None = None

    @property
    def nbytes(self) -> int:
        """Memory held by the copies made so far."""
        copies = [*self.heads.values(), *self.loops.values()]
        return sum(v.nbytes + s.nbytes for v, s, _ in copies)

    @property
    def frames(self) -> int:
        """Source frames an unlooped sample has (a voice ends there)."""
        return len(self.base) - 1

    def read_run(self, step: int, start: int, stride: int, count: int) -> Wave:
        """``count`` frames from fixed-point ``start``, ``stride`` per frame, at cutoff ``step``.

        Inside the loop the sound repeats: a table of a whole number of loop passes
        (about `TABLE_FRAMES` long) is read once and tiled. Rounding the table to
        whole frames detunes by at most 1/(2 * table length), under half a cent,
        and each run starts again from the exact phase.
        """
        loop_start = self.wrap_from << FRACTION_BITS
        if not self.period or start < loop_start:  # the way in, from the head copy
            entry = count if not self.period else min(count, -(-(loop_start - start) // stride))
            head = _read(self._head(step), start + stride * np.arange(entry, dtype=np.int64))
            if entry == count:
                return head
            rest = self.read_run(step, start + stride * entry, stride, count - entry)
            return np.concatenate([head, rest])
        one_pass = self.period << FRACTION_BITS
        phase = (start - loop_start) % one_pass
        passes = max(1, round(TABLE_FRAMES * stride / one_pass))
        frames = round(passes * one_pass / stride)
        table = frames if 2 * frames <= count else count
        pos = phase + stride * np.arange(table, dtype=np.int64)
        np.remainder(pos, one_pass, out=pos)
        values = _read(self._loop(step), pos)
        return values if table == count else np.resize(values, count)

    def read_positions(self, step: int, pos: npt.NDArray[np.int64]) -> Wave:
        """Values at rising fixed-point positions (a gliding pitch), at cutoff ``step``."""
        if not self.period:
            return _read(self._head(step), pos)
        loop_start = self.wrap_from << FRACTION_BITS
        entry = int(np.searchsorted(pos, loop_start))
        looped = np.remainder(pos[entry:] - loop_start, self.period << FRACTION_BITS)
        return np.concatenate(
            [_read(self._head(step), pos[:entry]), _read(self._loop(step), looped)]
        )

    def _head(self, step: int) -> Version:
        """The sample from its start, low-passed at ``step`` (`OPEN`: as it is).

        A filtered copy comes at twice the source rate, interpolated band-limited
        by the same FFT that filters it: TinySoundFont filters after its linear
        interpolation, which takes the interpolation's images away with the highs,
        and reading a 2x copy keeps those images as small. The unfiltered copy is
        read as it is, as TinySoundFont reads it.
        """
        if step not in self.heads:
            if step == OPEN:
                data, factor = self.base, 1
            else:
                padded = np.concatenate([self.base, self.loop])  # the loop goes on past it
                n = 1 << math.ceil(math.log2(len(padded) + 2048))
                if self.spectrum is None:  # the same for every cutoff
                    self.spectrum = np.fft.rfft(padded, n=n)
                data, factor = _lowpass_2x(self.spectrum, n, step, self.region.filter_q), 2
            nxt = data[self.wrap_from * factor] if self.period else np.float32(0.0)
            self.heads[step] = _version(data[: len(self.base) * factor], nxt, factor)
        return self.heads[step]

    def _loop(self, step: int) -> Version:
        """One loop pass low-passed at ``step`` as a periodic signal: the filter's steady state."""
        if step not in self.loops:
            if step == OPEN:
                data, factor = self.loop, 1
            else:
                spectrum = np.fft.rfft(self.loop)
                data, factor = _lowpass_2x(spectrum, self.period, step, self.region.filter_q), 2
            self.loops[step] = _version(data, data[0], factor)
        return self.loops[step]


def _lowpass_2x(spectrum: npt.NDArray[np.complex128], n: int, step: int, q_cb: float) -> Wave:
    """The signal of ``spectrum`` (rfft of ``n``) low-passed at ``step``, at twice the rate."""
    nu = 2 ** (step * FILTER_STEP_CENTS / 1200)  # cycles per source frame
    wide = np.zeros(n + 1, np.complex128)  # zero-padded: the band-limited 2x signal
    wide[: n // 2 + 1] = spectrum * lowpass_response(nu, q_cb, n)
    if n % 2 == 0:  # the Nyquist bin is shared by its two halves once the length doubles
        wide[n // 2] *= 0.5
    return (np.fft.irfft(wide, n=2 * n) * 2).astype(np.float32)


def _version(data: Wave, nxt: np.float32 | float, factor: int) -> Version:
    """Values with one more frame (so i + 1 can always be read) and the slope to each next."""
    values = np.append(data, np.float32(nxt)).astype(np.float32)
    return values, np.append(np.diff(values), np.float32(0)).astype(np.float32), factor


def _read(version: Version, pos: npt.NDArray[np.int64]) -> Wave:
    """Linearly interpolated values at fixed-point positions."""
    values, slopes, factor = version
    shift = FRACTION_BITS - (factor - 1)  # a 2x copy has twice the frames
    i = pos >> shift
    f = (pos & ((1 << shift) - 1)).astype(np.float32)
    f *= np.float32(1.0 / (1 << shift))
    f *= slopes[i]
    f += values[i]
    return f


__all__ = ["OPEN", "SampleBank", "cutoff_steps", "lowpass_response"]
