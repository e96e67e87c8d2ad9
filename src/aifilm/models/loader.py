"""Load each model once per process and share it: every shot of a film, every film of a run.

Loaded models are kept in a small cache keyed by (what, folder, device, dtype, offload),
so the second shot costs no load. Each carries a `Batcher`: the visuals stage renders
shots on several threads, and while one batch runs on the model, the other threads' requests
queue; the next run takes every queued request that can share a batch (same size, steps and
guidance), so a GPU runs N shots in one pass where the pipeline allows it, and one at a time
otherwise. Pipelines are never called from two threads at once (schedulers keep state).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from aifilm.models.device import Placement

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_LOADED = 3  # models kept in memory at once; the least recently used one is dropped


@dataclass
class _Job(Generic[Item, Result]):
    key: Hashable
    item: Item
    run: Callable[[list[Item]], Sequence[Result]]
    done: bool = False
    result: Result | None = None
    error: BaseException | None = None


class Batcher:
    """Serialises calls into one model and batches the requests that queue meanwhile."""

    def __init__(self, max_batch: int = 1) -> None:
        self.max_batch = max(1, max_batch)
        self._queue: list[_Job[Any, Any]] = []
        self._queue_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self.batches: list[int] = []  # sizes of the batches run, for tests and reports

    def submit(
        self,
        key: Hashable,
        item: Item,
        run: Callable[[list[Item]], Sequence[Result]],
    ) -> Result:
        """Run `item` (possibly together with other queued items of the same `key`)."""
        job: _Job[Item, Result] = _Job(key, item, run)
        with self._queue_lock:
            self._queue.append(job)
        with self._run_lock:
            if not job.done:
                with self._queue_lock:
                    mates = [j for j in self._queue if j.key == key and j is not job]
                    batch = [job, *mates[: self.max_batch - 1]]
                    for j in batch:
                        self._queue.remove(j)
                self.batches.append(len(batch))
                try:
                    results = list(job.run([j.item for j in batch]))
                    if len(results) != len(batch):
                        raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
                except BaseException as exc:
                    for j in batch:
                        j.error, j.done = exc, True
                else:
                    for j, r in zip(batch, results, strict=True):
                        j.result, j.done = r, True
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]


@dataclass
class Loaded:
    """A model in memory, with the batcher every call into it goes through."""

    model: Any
    folder: Path
    placement: Placement
    batcher: Batcher = field(default_factory=Batcher)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. the processor of a model


_LOADED: dict[Hashable, Loaded] = {}
_LOCK = threading.Lock()
_KEY_LOCKS: dict[Hashable, threading.Lock] = {}
loads: list[Hashable] = []  # every key actually loaded, in order (tests check reuse)


def get_or_load(key: Hashable, load: Callable[[], Loaded]) -> Loaded:
    """The model loaded under `key`, loading it once (other threads wait for that load)."""
    with _LOCK:
        found = _LOADED.pop(key, None)
        if found is not None:
            _LOADED[key] = found  # most recently used last
            return found
        key_lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with key_lock:
        with _LOCK:
            if key in _LOADED:
                return _LOADED[key]
        loaded = load()
        with _LOCK:
            _LOADED[key] = loaded
            loads.append(key)
            while len(_LOADED) > MAX_LOADED:
                _LOADED.pop(next(iter(_LOADED)))
        return loaded


def clear_loaded() -> None:
    """Forget every loaded model (and free GPU memory)."""
    with _LOCK:
        _LOADED.clear()
    import sys

    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


class _EmptyFp32Warning(logging.Filter):
    """Drops diffusers' "modules ... should be kept in float32: []" warning: its pipelines
    (Stable Video Diffusion's VAE upcast) cast a model whose list is empty, and it warns
    anyway, once per shot."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("should be kept in float32: []" in message and "Casting directly" in message)


def _quiet_diffusers() -> None:
    target = logging.getLogger("diffusers.models.modeling_utils")
    if not any(isinstance(f, _EmptyFp32Warning) for f in target.filters):
        target.addFilter(_EmptyFp32Warning())


def place_pipeline(pipe: Any, placement: Placement) -> Any:
    """Move a diffusers pipeline to its device, or set up CPU offload, and slicing."""
    _quiet_diffusers()
    if placement.offload == "model":
        pipe.enable_model_cpu_offload()
    elif placement.offload == "sequential":
        pipe.enable_sequential_cpu_offload()
    else:
        pipe.to(placement.device)
    if placement.attention_slicing and hasattr(pipe, "enable_attention_slicing"):
        pipe.enable_attention_slicing()
    if placement.offload != "none":
        vae = getattr(pipe, "vae", None)
        for method in ("enable_tiling", "enable_slicing"):  # decode big frames in pieces
            if vae is not None and hasattr(vae, method):
                # SVD's temporal VAE has neither (NotImplementedError): it decodes in chunks.
                with contextlib.suppress(NotImplementedError):
                    getattr(vae, method)()
    if hasattr(pipe, "set_progress_bar_config"):
        pipe.set_progress_bar_config(disable=True)
    return pipe


def dtype_kwarg(library: str) -> str:
    """``dtype`` where the library takes it (diffusers 0.36+, transformers 4.56+), else
    ``torch_dtype``, which newer releases deprecate."""
    if library == "diffusers":
        try:
            from diffusers.utils.deprecation_utils import _resolve_dtype  # noqa: F401
        except ImportError:
            return "torch_dtype"
        return "dtype"
    import transformers

    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return "dtype" if (major, minor) >= (4, 56) else "torch_dtype"


def pipeline_class(folder: Path) -> str | None:
    """The pipeline class a diffusers folder names in its ``model_index.json`` (read without
    loading anything), or None where there is none."""
    try:
        index = json.loads((folder / "model_index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = index.get("_class_name") if isinstance(index, dict) else None
    return name if isinstance(name, str) else None


def weights_variant(folder: Path, variant: str | None) -> str | None:
    """`variant` if the folder holds weights of that variant (``*.fp16.safetensors``)."""
    if variant and next(folder.glob(f"*/*.{variant}.safetensors"), None) is not None:
        return variant
    return None


def load_diffusers(
    folder: Path,
    placement: Placement,
    *,
    auto_class: str = "DiffusionPipeline",
    variant: str | None = None,
    max_batch: int = 1,
) -> Loaded:
    """Load a diffusers pipeline folder (once per process) through `diffusers.<auto_class>`."""
    key = ("diffusers", auto_class, str(folder), placement)

    def load() -> Loaded:
        import diffusers

        cls = getattr(diffusers, auto_class)
        kwargs: dict[str, Any] = {dtype_kwarg("diffusers"): placement.torch_dtype()}
        kwargs["local_files_only"] = True
        chosen = weights_variant(folder, variant)
        if chosen:
            kwargs["variant"] = chosen
        pipe = cls.from_pretrained(str(folder), **kwargs)
        return Loaded(place_pipeline(pipe, placement), folder, placement, Batcher(max_batch))

    return get_or_load(key, load)


def derive_pipeline(
    base: Loaded, auto_class: str, *, max_batch: int = 1, share_batcher: bool = True
) -> Loaded:
    """Another task's pipeline over the same loaded weights (``from_pipe``: no extra memory),
    e.g. image-to-image from a text-to-image pipeline."""
    key = ("derived", auto_class, str(base.folder), base.placement)

    def load() -> Loaded:
        import diffusers

        pipe = getattr(diffusers, auto_class).from_pipe(base.model)
        if hasattr(pipe, "set_progress_bar_config"):
            pipe.set_progress_bar_config(disable=True)
        # Same weights: calls into both go through one batcher, so they never overlap.
        batcher = base.batcher if share_batcher else Batcher(max_batch)
        return Loaded(pipe, base.folder, base.placement, batcher)

    return get_or_load(key, load)
