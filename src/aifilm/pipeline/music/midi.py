"""The default music backend: genre recipes played through a General MIDI soundfont.

Each genre in `aifilm.spec.vocabulary.GENRES` has a recipe (see
`aifilm.pipeline.music.recipes`) that writes a `pretty_midi.PrettyMIDI` for the
requested length, seed and tempo; `aifilm.pipeline.music.soundfont` plays it with
the TimGM6mb soundfont that ships inside the ``pretty_midi`` wheel. ``nature``
and ``asmr`` are synthesised with numpy instead.

The track is rendered once, block by block (about 2.7 s each), into a float32
spool file beside the output while peak and loudness are measured; then one
gain (loudness about -20 dBFS RMS, peak at most -1.5 dBFS) and the fades are
applied as the spool is read back and written as 16-bit PCM. Nothing longer than
a block is held in memory, so a ten-minute track renders in a few tens of MB
(and about 230 MB of temporary disk).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from aifilm.errors import UnsupportedError, UserError
from aifilm.pipeline.backend import HealthCheck
from aifilm.pipeline.music.base import MusicBackend, MusicRequest, MusicTrack
from aifilm.spec.vocabulary import GENRE_IDS

if TYPE_CHECKING:
    import pretty_midi

    from aifilm.pipeline.music.recipes.dsp import Block

SYNTH_GAIN_DB = -12.0  # headroom for dense chords; levels are set afterwards anyway


def soundfont_path() -> Path:
    """The General MIDI soundfont bundled in the pretty_midi wheel."""
    import pretty_midi

    return Path(pretty_midi.__file__).parent / "TimGM6mb.sf2"


def soundfont_blocks(
    midi: pretty_midi.PrettyMIDI, total_frames: int, sample_rate: int, block_frames: int
) -> Iterator[Block]:
    """Play ``midi`` through the soundfont: stereo float32 blocks, ``total_frames`` in all."""
    from aifilm.pipeline.music.soundfont import SampleSynth, load

    synth = SampleSynth(load(soundfont_path()), sample_rate, SYNTH_GAIN_DB)
    return synth.blocks(midi, total_frames, block_frames)


class MidiMusic(MusicBackend):
    """Genre recipes (MIDI) played through the General MIDI soundfont bundled with pretty_midi."""

    name: ClassVar[str] = "midi"
    description: ClassVar[str] = (
        "Offline genre recipes (Indian, Western, chant backings, nature, ASMR) played through "
        "the TimGM6mb General MIDI soundfont"
    )
    requires: ClassVar[tuple[str, ...]] = ("pretty_midi",)
    license: ClassVar[str] = "MIT"
    weights_license: ClassVar[str | None] = (
        "TimGM6mb soundfont (Tim Brechbill), shipped inside the MIT-licensed pretty_midi wheel "
        "with no licence note of its own; Debian distributes it as GPL-2"
    )
    version: ClassVar[str] = "2"  # 2: aifilm's own SoundFont player replaced TinySoundFont

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
            spooled,
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

        out.parent.mkdir(parents=True, exist_ok=True)
        spool = out.with_name(out.name + ".spool")
        try:
            peak, rms = measure(stream, spool=spool)
            gain = level_gain(peak, rms)
            write_stream(out, spooled(spool), total, rate, request.duration, gain)
        finally:
            spool.unlink(missing_ok=True)
        return MusicTrack(path=out, duration=total / rate, sample_rate=rate, genre=request.genre)

    @classmethod
    def health(cls) -> list[HealthCheck]:
        """pretty_midi and the soundfont inside its wheel."""
        fixes = {"pretty_midi": "pip install pretty_midi"}
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
