"""Play a PrettyMIDI through a SoundFont: MIDI channels, voices, and the stereo mix.

The MIDI becomes a list of voices (one per note and matching region) and, per
channel, step curves of its controllers: volume x expression (cubed, as
TinySoundFont has it), pan and pitch wheel. Blocks are mixed as they are asked
for; a voice is rendered when its note starts and dropped when it has sounded.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from aifilm.pipeline.music.soundfont.reader import SoundFont
from aifilm.pipeline.music.soundfont.samples import Wave
from aifilm.pipeline.music.soundfont.voice import (
    CONTROL_FRAMES,
    FAST_RELEASE,
    Voice,
    VoiceRenderer,
)

if TYPE_CHECKING:
    import pretty_midi

DRUM_CHANNEL = 9


class StepCurve:
    """A controller's value over output frames: changes at frames, held in between."""

    def __init__(self, initial: float) -> None:
        self.frames: list[int] = [0]
        self.values: list[float] = [initial]
        self._arrays: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None = None

    def set(self, frame: int, value: float) -> None:
        """From ``frame`` on (events arrive in time order) the value is ``value``."""
        self.frames.append(frame)
        self.values.append(value)
        self._arrays = None

    def _np(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        if self._arrays is None:
            self._arrays = (np.asarray(self.frames, np.int64), np.asarray(self.values))
        return self._arrays

    def at(self, frame: int) -> float:
        """The value at ``frame``."""
        frames, values = self._np()
        return float(values[int(np.searchsorted(frames, frame, side="right")) - 1])

    def span(self, start: int, n: int) -> npt.NDArray[np.float64] | float:
        """The values over frames ``start .. start+n``: a number where it does not change."""
        frames, values = self._np()
        lo = int(np.searchsorted(frames, start, side="right"))
        hi = int(np.searchsorted(frames, start + n, side="left"))
        first = float(values[lo - 1])
        if hi <= lo:
            return first
        cuts = np.concatenate([[start], frames[lo:hi], [start + n]]) - start
        return np.repeat(values[lo - 1 : hi], np.diff(cuts))


@dataclass
class _Channel:
    """One MIDI channel: its preset and controller curves."""

    bank: int = 0
    program: int = 0
    volume: StepCurve = field(default_factory=lambda: StepCurve(1.0))
    pan: StepCurve = field(default_factory=lambda: StepCurve(0.0))
    bend: StepCurve = field(default_factory=lambda: StepCurve(0.0))  # semitones


def _channel_curves(instrument: pretty_midi.Instrument, rate: int) -> _Channel:
    """Volume (CC7 x CC11, cubed), pan (CC10) and pitch wheel, as TinySoundFont reads them."""
    state = _Channel(
        bank=128 if instrument.is_drum else 0,
        program=0 if instrument.is_drum else int(instrument.program),
    )
    volume, expression, pan = 16383, 16383, 8192  # 14-bit, as MIDI CC MSBs leave them
    events = sorted(
        [(round(c.time * rate), 0, c.number, c.value) for c in instrument.control_changes]
        + [(round(b.time * rate), 1, 0, b.pitch) for b in instrument.pitch_bends]
    )
    for frame, kind, number, value in events:
        if kind == 1:
            state.bend.set(frame, value / 8192 * 2.0)
        elif number in (7, 11):
            if number == 7:
                volume = (volume & 0x7F) | (value << 7)
            else:
                expression = (expression & 0x7F) | (value << 7)
            state.volume.set(frame, ((volume / 16383) * (expression / 16383)) ** 3)
        elif number == 10:
            pan = (pan & 0x7F) | (value << 7)
            state.pan.set(frame, pan / 16383 - 0.5)
    return state


def _pan_gains(pan: float) -> tuple[float, float]:
    if pan <= -0.5:
        return 1.0, 0.0
    if pan >= 0.5:
        return 0.0, 1.0
    return math.sqrt(0.5 - pan), math.sqrt(0.5 + pan)


def plan_voices(
    midi: pretty_midi.PrettyMIDI, font: SoundFont, rate: int, gain_db: float
) -> tuple[list[Voice], dict[int, _Channel]]:
    """Every voice the MIDI starts, sorted by start, and each channel's controller curves."""
    melodic = [c for c in range(16) if c != DRUM_CHANNEL]
    voices: list[Voice] = []
    channels: dict[int, _Channel] = {}
    master = 10 ** (gain_db / 20)
    for instrument in midi.instruments:
        if instrument.is_drum:
            channel = DRUM_CHANNEL
        elif melodic:
            channel = melodic.pop(0)
        else:
            raise ValueError("a recipe used more than 15 melodic instruments")
        state = _channel_curves(instrument, rate)
        channels[channel] = state
        regions = font.regions(state.bank, state.program)
        for note in sorted(instrument.notes, key=lambda n: (n.start, n.pitch)):
            if note.velocity <= 0:
                continue
            start = round(note.start * rate)
            held = max(1, round(note.end * rate) - start)
            pan = state.pan.at(start)
            for region in regions:
                if not region.matches(note.pitch, note.velocity):
                    continue
                left, right = _pan_gains(region.pan + pan)
                gain = master * 10 ** (-region.attenuation_db / 20) * note.velocity / 127
                voices.append(
                    Voice(
                        region,
                        channel,
                        note.pitch,
                        note.velocity,
                        start,
                        held,
                        None,
                        gain,
                        left,
                        right,
                    )
                )
    voices.sort(key=lambda v: (v.start, v.channel, v.key))
    return _exclusive_cuts(voices), channels


def _exclusive_cuts(voices: list[Voice]) -> list[Voice]:
    """A voice of an exclusive class is cut when the next voice of that class starts."""
    last: dict[tuple[int, int], int] = {}
    out = list(voices)
    for i, voice in enumerate(out):
        group = voice.region.exclusive_class
        if not group:
            continue
        slot = (voice.channel, group)
        if slot in last:
            j = last[slot]
            previous = out[j]
            out[j] = replace(previous, cut=voice.start - previous.start)
        last[slot] = i
    return out


class SampleSynth:
    """Plays a PrettyMIDI through a SoundFont as a stream of stereo blocks."""

    def __init__(self, font: SoundFont, rate: int, gain_db: float = 0.0) -> None:
        self.font = font
        self.rate = rate
        self.gain_db = gain_db
        self.renderer = VoiceRenderer(font, rate)

    def blocks(
        self, midi: pretty_midi.PrettyMIDI, total_frames: int, block_frames: int
    ) -> Iterator[Wave]:
        """Stereo float32 blocks of at most ``block_frames``, ``total_frames`` in all."""
        voices, channels = plan_voices(midi, self.font, self.rate, self.gain_db)
        live: list[tuple[Voice, Wave]] = []
        upcoming = iter(voices)
        pending = next(upcoming, None)
        position = 0
        while position < total_frames:
            n = min(block_frames, total_frames - position)
            end = position + n
            while pending is not None and pending.start < end:
                horizon = (
                    pending.start
                    + pending.held
                    + round(max(pending.region.volume.release, FAST_RELEASE) * self.rate)
                    + CONTROL_FRAMES
                )
                bend = channels[pending.channel].bend.span(pending.start, horizon - pending.start)
                live.append((pending, self.renderer.render(pending, bend)))
                pending = next(upcoming, None)
            mixes: dict[int, Wave] = {}
            still: list[tuple[Voice, Wave]] = []
            for voice, wave in live:
                lo = max(0, position - voice.start)
                hi = min(len(wave), end - voice.start)
                if hi > lo:
                    at = voice.start + lo - position
                    mix = mixes.get(voice.channel)
                    if mix is None:
                        mix = mixes[voice.channel] = np.zeros((2, n), np.float32)
                    seg = wave[lo:hi]
                    mix[0, at : at + hi - lo] += seg * np.float32(voice.gain * voice.left)
                    mix[1, at : at + hi - lo] += seg * np.float32(voice.gain * voice.right)
                if voice.start + len(wave) > end:
                    still.append((voice, wave))
            live = still
            block = np.zeros((2, n), np.float32)
            for channel, mix in mixes.items():
                level = channels[channel].volume.span(position, n)
                if isinstance(level, np.ndarray):
                    block += mix * level.astype(np.float32)
                else:
                    block += mix * np.float32(level)
            yield np.ascontiguousarray(block.T)
            position = end


__all__ = ["SampleSynth", "StepCurve", "plan_voices"]
