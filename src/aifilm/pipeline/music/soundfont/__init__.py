"""The music backend's General MIDI synthesiser: SoundFont 2 sample playback in numpy.

`reader` parses an SF2 file into regions, `samples` prepares a region's sample
(looped, filtered), `voice` renders one note, `synth` turns a MIDI file into
channels and mixes the voices into stereo blocks. It replaces TinySoundFont,
which cannot be a declared dependency (its wheel requires PyAudio), and plays the
genres as it did: docs/music.md has the comparison.
"""

from aifilm.pipeline.music.soundfont.reader import Region, SoundFont, load, parse
from aifilm.pipeline.music.soundfont.synth import SampleSynth

__all__ = ["Region", "SampleSynth", "SoundFont", "load", "parse"]
