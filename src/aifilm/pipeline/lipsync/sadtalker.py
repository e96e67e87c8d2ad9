"""SadTalker's checkpoints: found, loaded and checked; not yet a backend.

SadTalker (OpenTalker/SadTalker, Apache-2.0) animates a whole head from one picture and
speech with five networks. Its v0.0.2 release ships them as two files:

- ``SadTalker_V0.0.2_256.safetensors`` (or ``_512``): the networks' weights under the
  prefixes ``audio2exp.`` (speech to expression coefficients), ``audio2pose.`` (speech
  to head pose, a conditional VAE), ``face_3drecon.`` (the ResNet-50 that fits a 3D face
  model to the picture), ``kp_extractor.`` (face keypoints) and ``generator.`` (the
  face renderer, facevid2vid with SPADE);
- ``mapping_00229-model.pth.tar`` (crop and resize modes) or ``mapping_00109-model.pth.tar``
  (full mode): the mapping network from coefficients to keypoint motion, under
  ``"mapping"``.

This module resolves those files (a folder, or a hub id in the Hugging Face cache, as
`aifilm models pull vinthony/SadTalker` fetches them), reads them and checks that every
network's weights are there, naming the exact file and what is wrong otherwise. The
networks themselves and the inference path (3D face fitting, the coefficient models,
keypoint transformation, rendering) are not implemented here yet, so no `sadtalker`
backend is registered: a backend that cannot render would only fail mid-film.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aifilm.models.checkpoint import CheckpointError, load_tensors, resolve_checkpoint

REPO = "vinthony/SadTalker"
NETWORKS = ("audio2exp", "audio2pose", "face_3drecon", "kp_extractor", "generator")
MAPPING = {"crop": "mapping_00229-model.pth.tar", "full": "mapping_00109-model.pth.tar"}
_HINT = f"fetch the release files again: aifilm models pull {REPO}"


@dataclass(frozen=True)
class SadTalkerFiles:
    """Where SadTalker's two checkpoint files are."""

    networks: Path  # SadTalker_V0.0.2_<size>.safetensors
    mapping: Path  # mapping_<...>-model.pth.tar


def find_sadtalker(
    model: str | Path = REPO,
    *,
    size: Literal[256, 512] = 256,
    preprocess: Literal["crop", "full"] = "crop",
    allow_download: bool | None = None,
) -> SadTalkerFiles:
    """The checkpoint files for `size` and `preprocess`, or `ModelNotFoundError` naming the
    missing file and the pull command."""
    networks = resolve_checkpoint(
        model,
        (f"SadTalker_V0.0.2_{size}.safetensors",),
        what="SadTalker",
        allow_download=allow_download,
    )
    mapping = resolve_checkpoint(
        model, (MAPPING[preprocess],), what="SadTalker", allow_download=allow_download
    )
    return SadTalkerFiles(networks, mapping)


def split_networks(tensors: Mapping[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """Each network's state dict (prefix removed), as SadTalker loads them; every one of
    `NETWORKS` must be there."""
    found: dict[str, dict[str, Any]] = {name: {} for name in NETWORKS}
    for key, value in tensors.items():
        prefix, _, rest = key.partition(".")
        if prefix in found and rest:
            found[prefix][rest] = value
    missing = [name for name, state in found.items() if not state]
    if missing:
        raise CheckpointError(
            f"{path} is not a SadTalker checkpoint: no weights for {', '.join(missing)} "
            f"(it needs {', '.join(NETWORKS)})",
            hint=_HINT,
        )
    return found


def load_sadtalker(files: SadTalkerFiles) -> dict[str, dict[str, Any]]:
    """The six networks' state dicts: the five of the safetensors file and ``mapping``."""
    networks = split_networks(
        load_tensors(files.networks, what="SadTalker", hint=_HINT), files.networks
    )
    saved = load_tensors(files.mapping, what="SadTalker mapping", hint=_HINT)
    mapping = saved.get("mapping")
    if not isinstance(mapping, Mapping) or not mapping:
        raise CheckpointError(
            f"{files.mapping} is not a SadTalker mapping checkpoint: no 'mapping' weights "
            f"(it holds {', '.join(sorted(map(str, saved))[:5]) or 'nothing'})",
            hint=_HINT,
        )
    networks["mapping"] = dict(mapping)
    return networks
