"""The default music backend: genre recipes played through a General MIDI soundfont.

Each genre in `aifilm.spec.vocabulary.GENRES` has a recipe (see
`aifilm.pipeline.music.recipes`) that writes a `pretty_midi.PrettyMIDI` for the
requested length, seed and tempo; ``tinysoundfont`` plays it with the TimGM6mb
soundfont that ships inside the ``pretty_midi`` wheel. ``nature`` and ``asmr``
are synthesised with numpy instead.

The track is made in two streamed passes over blocks of about 2.7 s: the first
measures peak and loudness, the second applies one gain (loudness about
-20 dBFS RMS, peak at most -1.5 dBFS), the fades, and writes 16-bit PCM as it
goes. Nothing longer than a block is held as float audio, so a ten-minute
track renders in a few tens of MB.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from aifilm.errors import UnsupportedError, UserError
from aifilm.pipeline.backend import HealthCheck
from aifilm.pipeline.music.base import MusicBackend, MusicRequest, MusicTrack
from aifilm.spec.vocabulary import GENRE_IDS

if TYPE_CHECKING:
    import pretty_midi

    from aifilm.pipeline.music.recipes.dsp import Block

DRUM_CHANNEL = 9
SYNTH_GAIN_DB = -12.0  # tinysoundfont clips easily at 0 dB; levels are set afterwards anyway

# Event kinds, in the order they apply at one instant: note-offs before note-ons so a
# repeated pitch is struck again rather than cut.
_PROGRAM, _CONTROL, _BEND, _OFF, _ON = range(5)


def soundfont_path() -> Path:
    """The General MIDI soundfont bundled in the pretty_midi wheel."""
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def _channels(midi: pretty_midi.PrettyMIDI) -> list[int]:
    melodic = [c for c in range(16) if c != DRUM_CHANNEL]
    channels = []
    for instrument in midi.instruments:
        if instrument.is_drum:
            channels.append(DRUM_CHANNEL)
        elif melodic:
            channels.append(melodic.pop(0))
        else:
            raise ValueError("a recipe used more than 15 melodic instruments")
    return channels


def midi_events(
    midi: pretty_midi.PrettyMIDI, sample_rate: int
) -> list[tuple[int, int, int, int, int]]:
    """Every event as ``(frame, kind, channel, a, b)``, sorted for playback."""
    events: list[tuple[int, int, int, int, int]] = []
    for instrument, channel in zip(midi.instruments, _channels(midi), strict=True):
        events.append((0, _PROGRAM, channel, instrument.program, int(instrument.is_drum)))
        for cc in instrument.control_changes:
            events.append((round(cc.time * sample_rate), _CONTROL, channel, cc.number, cc.value))
        for bend in instrument.pitch_bends:
            events.append((round(bend.time * sample_rate), _BEND, channel, bend.pitch + 8192, 0))
        for note in instrument.notes:
            events.append(
                (round(note.start * sample_rate), _ON, channel, note.pitch, note.velocity)
            )
            events.append((round(note.end * sample_rate), _OFF, channel, note.pitch, 0))
    events.sort()
    return events


def soundfont_blocks(
    midi: pretty_midi.PrettyMIDI, total_frames: int, sample_rate: int, block_frames: int
) -> Iterator[Block]:
    """Play ``midi`` through the soundfont: stereo float32 blocks, ``total_frames`` in all."""
    import tinysoundfont

    synth = tinysoundfont.Synth(gain=SYNTH_GAIN_DB, samplerate=sample_rate)
    sfid = synth.sfload(str(soundfont_path()), max_voices=192)
    events = midi_events(midi, sample_rate)
    index = 0
    position = 0
    while position < total_frames:
        n = min(block_frames, total_frames - position)
        block = np.zeros((n, 2), dtype=np.float32)
        done = 0
        while done < n:
            now = position + done
            while index < len(events) and events[index][0] <= now:
                _frame, kind, channel, a, b = events[index]
                if kind == _ON:
                    synth.noteon(channel, a, b)
                elif kind == _OFF:
                    synth.noteoff(channel, a)
                elif kind == _BEND:
                    synth.pitchbend(channel, a)
                elif kind == _CONTROL:
                    synth.control_change(channel, a, b)
                else:
                    synth.program_select(
                        channel, sfid, 128 if b else 0, a if not b else 0, is_drums=bool(b)
                    )
                index += 1
            upto = events[index][0] if index < len(events) else total_frames
            step = max(1, min(n - done, upto - now))
            synth.generate_simple(step, buffer=memoryview(block[done : done + step].data).cast("B"))
            done += step
        yield block
        position += n


class MidiMusic(MusicBackend):
    """Genre recipes (MIDI) played through the General MIDI soundfont bundled with pretty_midi."""

    name: ClassVar[str] = "midi"
    description: ClassVar[str] = (
        "Offline genre recipes (Indian, Western, chant backings, nature, ASMR) played through "
        "the TimGM6mb General MIDI soundfont"
    )
    requires: ClassVar[tuple[str, ...]] = ("pretty_midi", "tinysoundfont")
    license: ClassVar[str] = "MIT"
    weights_license: ClassVar[str | None] = (
        "TimGM6mb soundfont (Tim Brechbill), shipped inside the MIT-licensed pretty_midi wheel "
        "with no licence note of its own; Debian distributes it as GPL-2"
    )
    version: ClassVar[str] = "1"

    def genres(self) -> list[str]:
        """Every genre id of the vocabulary."""
        return list(GENRE_IDS)

    def compose(self, request: MusicRequest, out: Path) -> MusicTrack:
        """Write ``request`` as 16-bit stereo WAV to ``out``, exactly ``request.duration`` long."""
        if request.genre not in GENRE_IDS:
            raise UnsupportedError(
                f"the music backend 'midi' has no genre '{request.genre}'",
                hint="choose one of: " + ", ".join(GENRE_IDS),
            )
        if not request.duration > 0:
            raise UserError(f"music length must be more than 0 seconds (got {request.duration})")
        self.require()
        from aifilm.pipeline.music.recipes import RECIPES
        from aifilm.pipeline.music.recipes.dsp import (
            BLOCK_FRAMES,
            Reverb,
            frame_count,
            level_gain,
            measure,
            write_stream,
        )

        recipe = RECIPES[request.genre]
        rate = request.sample_rate
        total = frame_count(request.duration, rate)
        midi = recipe.build(request.duration, request.seed, request.tempo) if recipe.midi else None

        def stream() -> Iterator[Block]:
            if midi is not None:
                dry: Iterator[Block] = soundfont_blocks(midi, total, rate, BLOCK_FRAMES)
            else:
                assert recipe.texture is not None
                dry = recipe.texture(request.duration, request.seed, rate, BLOCK_FRAMES).blocks()
            room = Reverb(rate, recipe.reverb, BLOCK_FRAMES)
            for block in dry:
                yield room.process(block)

        peak, rms = measure(stream)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_stream(out, stream, total, rate, request.duration, level_gain(peak, rms))
        return MusicTrack(path=out, duration=total / rate, sample_rate=rate, genre=request.genre)

    @classmethod
    def health(cls) -> list[HealthCheck]:
        """The two modules, with install commands that work (tinysoundfont needs --no-deps)."""
        fixes = {
            "tinysoundfont": "pip install --no-deps tinysoundfont",
            "pretty_midi": "pip install pretty_midi",
        }
        checks = []
        for check in super().health():
            module = check.name.removeprefix("python module ")
            if not check.ok and module in fixes:
                check = HealthCheck(check.name, check.ok, check.detail, fixes[module])
            checks.append(check)
        if all(c.ok for c in checks):
            path = soundfont_path()
            found = path.is_file()
            checks.append(
                HealthCheck(
                    "General MIDI soundfont",
                    found,
                    str(path),
                    None if found else "pip install --force-reinstall pretty_midi",
                )
            )
        return checks
