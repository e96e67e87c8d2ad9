"""Model weights for the AI backends: which models exist, where they are, how they load.

- `catalog`: the model ids each AI backend knows, with licence and commercial-use terms.
- `hub`: a model named by a Hugging Face hub id or a local folder, found in the HF cache
  or on disk. Nothing downloads unless allowed (`aifilm models pull NAME`, or
  ``AIFILM_ALLOW_DOWNLOADS=1``); a missing model raises `ModelNotFoundError` naming the
  missing file or folder and the command that fetches it.
- `device`: CUDA, Apple MPS or CPU; half precision on a GPU; CPU offload and attention
  slicing when memory is short.
- `loader`: each pipeline loaded once per process and shared by every shot.

Nothing here imports torch at import time; `import aifilm` stays light.
"""

from __future__ import annotations

from aifilm.models.catalog import MODELS, ModelInfo, known_models, model_info
from aifilm.models.hub import (
    ModelNotFoundError,
    downloads_allowed,
    model_fingerprint,
    pull_model,
    resolve_model,
)

__all__ = [
    "MODELS",
    "ModelInfo",
    "ModelNotFoundError",
    "downloads_allowed",
    "known_models",
    "model_fingerprint",
    "model_info",
    "pull_model",
    "resolve_model",
]
