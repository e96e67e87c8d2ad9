"""Benchmark: the music backend's numpy SoundFont synthesiser against TinySoundFont.

    python benchmarks/bench_music_synth.py [--seconds 60] [--genres folk,pop] [--no-reference]

For each MIDI genre it renders ``--seconds`` of the genre's recipe (seed 0) through
the TimGM6mb soundfont twice: with `aifilm.pipeline.music.soundfont.SampleSynth`
(what aifilm ships) and, when it is installed (``pip install --no-deps
tinysoundfont``: it is not a dependency), with TinySoundFont, the synthesiser it
replaced, driven exactly as aifilm 0.1.0 drove it. Both run at -12 dB gain, 48 kHz.

It reports, per genre: render time (wall and CPU) of each, the dry mix's RMS and
peak (dBFS) and clipping (samples at or past full scale), and the spectrum: energy
per octave band relative to the whole, for each synthesiser and their difference.
A cold run (first genre in the process: the soundfont parsed and its samples
filtered) is reported apart from warm ones. Prints a markdown table and writes
benchmarks/results/music-synth.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

RATE = 48000
BLOCK = 1 << 17
GAIN_DB = -12.0
EDGES = (0, 125, 250, 500, 1000, 2000, 4000, 8000, 16000, 24001)
HERE = Path(__file__).resolve().parent


def tinysoundfont_render(midi: Any, frames: int) -> Iterator[npt.NDArray[np.float32]]:
    """TinySoundFont driven event by event, as aifilm 0.1.0's music backend drove it."""
    import tinysoundfont

    from aifilm.pipeline.music.midi import soundfont_path

    synth = tinysoundfont.Synth(gain=GAIN_DB, samplerate=RATE)
    sfid = synth.sfload(str(soundfont_path()), max_voices=192)
    melodic = [c for c in range(16) if c != 9]
    events: list[tuple[int, int, int, int, int]] = []
    for instrument in midi.instruments:
        channel = 9 if instrument.is_drum else melodic.pop(0)
        drum = int(instrument.is_drum)
        events.append((0, 0, channel, instrument.program, drum))
        events += [
            (round(c.time * RATE), 1, channel, c.number, c.value)
            for c in instrument.control_changes
        ]
        events += [
            (round(b.time * RATE), 2, channel, b.pitch + 8192, 0) for b in instrument.pitch_bends
        ]
        for note in instrument.notes:
            events.append((round(note.start * RATE), 4, channel, note.pitch, note.velocity))
            events.append((round(note.end * RATE), 3, channel, note.pitch, 0))
    events.sort()
    index = position = 0
    while position < frames:
        n = min(BLOCK, frames - position)
        block = np.zeros((n, 2), dtype=np.float32)
        done = 0
        while done < n:
            now = position + done
            while index < len(events) and events[index][0] <= now:
                _, kind, channel, a, b = events[index]
                if kind == 4:
                    synth.noteon(channel, a, b)
                elif kind == 3:
                    synth.noteoff(channel, a)
                elif kind == 2:
                    synth.pitchbend(channel, a)
                elif kind == 1:
                    synth.control_change(channel, a, b)
                else:
                    synth.program_select(
                        channel, sfid, 128 if b else 0, 0 if b else a, is_drums=bool(b)
                    )
                index += 1
            upto = events[index][0] if index < len(events) else frames
            step = max(1, min(n - done, upto - now))
            synth.generate_simple(step, buffer=memoryview(block[done : done + step].data).cast("B"))
            done += step
        yield block
        position += n


def numpy_render(midi: Any, frames: int) -> Iterator[npt.NDArray[np.float32]]:
    """The synthesiser aifilm ships."""
    from aifilm.pipeline.music.midi import soundfont_path
    from aifilm.pipeline.music.soundfont import SampleSynth, load

    return SampleSynth(load(soundfont_path()), RATE, GAIN_DB).blocks(midi, frames, BLOCK)


def timed(
    render: Callable[[Any, int], Iterator[npt.NDArray[np.float32]]], midi: Any, frames: int
) -> tuple[npt.NDArray[np.float32], float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    audio = np.concatenate(list(render(midi, frames)))
    return audio, time.perf_counter() - wall, time.process_time() - cpu


def levels(audio: npt.NDArray[np.float32]) -> dict[str, Any]:
    """RMS and peak in dBFS, clipped samples, and energy per octave band (dB of the total)."""
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    peak = float(np.max(np.abs(audio)))
    mono = audio.mean(axis=1)
    power = np.abs(np.fft.rfft(mono)) ** 2
    freqs = np.fft.rfftfreq(len(mono), 1 / RATE)
    bands = np.array(
        [power[(freqs >= lo) & (freqs < hi)].sum() for lo, hi in itertools.pairwise(EDGES)]
    )
    return {
        "rms_dbfs": round(20 * np.log10(max(rms, 1e-12)), 2),
        "peak_dbfs": round(20 * np.log10(max(peak, 1e-12)), 2),
        "clipped": int(np.count_nonzero(np.abs(audio) >= 1.0)),
        "bands_db": [round(float(10 * np.log10(b / power.sum() + 1e-15)), 1) for b in bands],
    }


def main() -> None:
    from aifilm.pipeline.music.recipes import RECIPES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--genres", default="", help="comma-separated (default: every MIDI genre)")
    parser.add_argument("--no-reference", action="store_true", help="skip TinySoundFont")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default: benchmarks/results/music-synth.json for a full run)",
    )
    args = parser.parse_args()
    genres = args.genres.split(",") if args.genres else [g for g, r in RECIPES.items() if r.midi]
    reference = not args.no_reference
    if reference:
        try:
            import tinysoundfont  # noqa: F401
        except ImportError:
            reference = False
            print("TinySoundFont is not installed: timing aifilm's synthesiser alone")
    frames = round(args.seconds * RATE)
    rows = []
    for i, genre in enumerate(genres):
        midi = RECIPES[genre].build(args.seconds, 0, None)
        ours, wall, cpu = timed(numpy_render, midi, frames)
        row: dict[str, Any] = {
            "genre": genre,
            "tracks": len(midi.instruments),
            "notes": sum(len(x.notes) for x in midi.instruments),
            "cold": i == 0,
            "numpy": {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), **levels(ours)},
        }
        if reference:
            theirs, wall, cpu = timed(tinysoundfont_render, midi, frames)
            row["tinysoundfont"] = {
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                **levels(theirs),
            }
        rows.append(row)
        print(json.dumps(row), flush=True)

    labels = [f"{lo // 1000 if lo >= 1000 else lo}{'k' if lo >= 1000 else ''}" for lo in EDGES[:-1]]
    print(f"\n{args.seconds:g} s per genre, 48 kHz stereo; CPU seconds (wall in brackets)\n")
    head = "| genre | tracks | numpy CPU s | TSF CPU s | RMS dBFS | peak dBFS | clipped |"
    print(head + " band diff dB (" + " ".join(labels) + " Hz) |")
    print("|---" * 8 + "|")
    for row in rows:
        ours = row["numpy"]
        theirs = row.get("tinysoundfont")
        name = row["genre"] + (" (cold)" if row["cold"] else "")
        cells = [name, str(row["tracks"]), f"{ours['cpu_s']:.2f} ({ours['wall_s']:.2f})"]
        if theirs:
            diff = " ".join(
                f"{a - b:+.1f}" for a, b in zip(ours["bands_db"], theirs["bands_db"], strict=False)
            )
            cells += [
                f"{theirs['cpu_s']:.2f} ({theirs['wall_s']:.2f})",
                f"{ours['rms_dbfs']:.1f} / {theirs['rms_dbfs']:.1f}",
                f"{ours['peak_dbfs']:.1f} / {theirs['peak_dbfs']:.1f}",
                f"{ours['clipped']} / {theirs['clipped']}",
                diff,
            ]
        else:
            cells += [
                "-",
                f"{ours['rms_dbfs']:.1f}",
                f"{ours['peak_dbfs']:.1f}",
                str(ours["clipped"]),
                "-",
            ]
        print("| " + " | ".join(cells) + " |")
    out = args.out
    if out is None:
        if args.genres or not reference or args.seconds != 60.0:
            return  # a partial run does not replace the recorded comparison
        out = HERE / "results" / "music-synth.json"
    out.write_text(
        json.dumps(
            {
                "machine": {"platform": platform.platform(), "python": platform.python_version()},
                "seconds": args.seconds,
                "band_edges_hz": list(EDGES),
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
