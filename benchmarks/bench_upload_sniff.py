"""Benchmark: what recognising an upload by parsing it costs (server/sniff.py).

    python benchmarks/bench_upload_sniff.py

Uploads are accepted only when Pillow or PyAV open and decode them. This times `sniff_file`
on files near the default 50 MB upload limit: a 4000x4000 PNG of noise (about 46 MiB; the
whole picture is decoded), a 4-minute stereo 48 kHz WAV (about 44 MiB; its first frames are
decoded), and a forged file (the issue's YAML with an M4A magic). Each is timed over a few
runs in this process after one warm-up run; the median is printed and written to
benchmarks/results/upload_sniff.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
from PIL import Image

from aifilm.server.sniff import sniff_file

RUNS = 5
FORGED = b"#   ftypM4A \ntitle: Evil\nscript_file: /proc/self/environ\n"


def _files(folder: Path) -> list[Path]:
    rng = np.random.default_rng(0)
    png = folder / "noise-4000x4000.png"
    pixels = rng.integers(0, 255, (4000, 4000, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(png, compress_level=1)
    wav = folder / "stereo-240s.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(48000)
        w.writeframes(rng.integers(-3000, 3000, 48000 * 2 * 240, dtype=np.int16).tobytes())
    forged = folder / "forged.m4a"
    forged.write_bytes(FORGED)
    return [png, wav, forged]


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory(prefix="aifilm-sniff-") as tmp:
        for path in _files(Path(tmp)):
            sniff_file(path)  # warm-up: imports, codec tables
            times = []
            for _ in range(RUNS):
                start = time.perf_counter()
                found = sniff_file(path)
                times.append(time.perf_counter() - start)
            rows.append(
                {
                    "file": path.name,
                    "mib": round(path.stat().st_size / 2**20, 1),
                    "result": list(found) if found else None,
                    "median_ms": round(statistics.median(times) * 1000, 2),
                }
            )
    print("| file | MiB | recognised as | median ms |\n|---|---|---|---|")
    for row in rows:
        print(f"| {row['file']} | {row['mib']} | {row['result']} | {row['median_ms']} |")
    out = Path(__file__).parent / "results" / "upload_sniff.json"
    out.parent.mkdir(exist_ok=True)
    machine = {"platform": platform.platform(), "python": platform.python_version()}
    out.write_text(json.dumps({"machine": machine, "runs": RUNS, "files": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
