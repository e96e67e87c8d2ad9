"""Where a model runs and in what precision: CUDA, Apple MPS or the CPU.

``auto`` picks CUDA, then MPS, then the CPU. On a GPU weights load in half precision
(float16, or bfloat16 for models published in it); the CPU runs float32. When the GPU has
less free memory than a model needs, pipelines are offloaded to the CPU component by
component and attention is computed in slices.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any, Literal

from aifilm.errors import MissingDependencyError, UserError

DeviceChoice = Literal["auto", "cuda", "mps", "cpu"]
DtypeChoice = Literal["auto", "float16", "bfloat16", "float32"]
OffloadChoice = Literal["auto", "none", "model", "sequential"]
INSTALL_HINT = "pip install 'aifilm[ai]' (install torch first: see docs/ai-backends.md)"


def require_torch() -> Any:
    """The torch module, or `MissingDependencyError` with the install command."""
    if importlib.util.find_spec("torch") is None:
        raise MissingDependencyError("the AI backends need torch", hint=INSTALL_HINT)
    import torch

    return torch


def available_device() -> str:
    """The best device on this machine: 'cuda', 'mps' or 'cpu' ('none' without torch)."""
    if importlib.util.find_spec("torch") is None:
        return "none"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def describe_device() -> str:
    """The device the AI backends would use, in words (for `aifilm doctor`)."""
    device = available_device()
    if device == "none":
        return "torch not installed"
    if device == "cuda":
        import torch

        free, total = torch.cuda.mem_get_info(0)
        name = torch.cuda.get_device_name(0)
        return f"CUDA {name}, {free / 2**30:.0f} of {total / 2**30:.0f} GiB free"
    return "Apple MPS" if device == "mps" else "CPU only (slow: minutes per image)"


@dataclass(frozen=True)
class Placement:
    """A decided device, dtype and memory plan for one model."""

    device: str  # "cuda" | "mps" | "cpu"
    dtype: str  # "float16" | "bfloat16" | "float32"
    offload: str  # "none" | "model" | "sequential"
    attention_slicing: bool

    def torch_dtype(self) -> Any:
        """The torch dtype object."""
        return getattr(require_torch(), self.dtype)


def place(
    device: DeviceChoice = "auto",
    dtype: DtypeChoice = "auto",
    offload: OffloadChoice = "auto",
    attention_slicing: bool | None = None,
    *,
    half: str = "float16",
    need_gb: float = 0.0,
) -> Placement:
    """Decide device, precision and offload for a model that needs about `need_gb` of GPU
    memory and is published in `half` precision."""
    torch = require_torch()
    found = available_device()
    chosen = found if device == "auto" else device
    if chosen == "cuda" and not torch.cuda.is_available():
        raise UserError("device 'cuda' was asked for but CUDA is not available", hint=_DEVICE)
    if chosen == "mps" and found != "mps":
        raise UserError("device 'mps' was asked for but Apple MPS is not available", hint=_DEVICE)
    if dtype == "auto":
        if chosen == "cuda":
            bf16_ok = half != "bfloat16" or torch.cuda.is_bf16_supported()
            dtype = half if bf16_ok else "float16"  # type: ignore[assignment]
        elif chosen == "mps":
            dtype = "float16"
        else:
            dtype = "float32"
    short = False
    if chosen == "cuda":
        free, _total = torch.cuda.mem_get_info()
        short = need_gb > 0 and free / 2**30 < need_gb * 1.1
    if offload == "auto":
        offload = "model" if short else "none"
    if chosen != "cuda":
        offload = "none"  # offload moves weights to a CUDA device and back; nothing to gain
    if attention_slicing is None:
        attention_slicing = short or chosen == "mps"
    return Placement(chosen, str(dtype), str(offload), bool(attention_slicing))


_DEVICE = "use device: auto (CUDA, then Apple MPS, then the CPU), or device: cpu"
