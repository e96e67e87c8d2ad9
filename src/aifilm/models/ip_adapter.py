"""IP-Adapter: a picture conditions a diffusion pipeline through its own image encoder, so a
character looks the same in every shot while the prompt sets the scene.

The adapter is the published layout (``h94/IP-Adapter``): ``<subfolder>/<weights>``
(``models/ip-adapter_sd15.safetensors``, ``sdxl_models/ip-adapter_sdxl.safetensors``) with
the CLIP image encoder saved beside it (``<subfolder>/image_encoder``), named by a hub id
or a local folder, loaded by diffusers' own ``load_ip_adapter``. Nothing downloads unless
``AIFILM_ALLOW_DOWNLOADS=1``.

The adapter lives in the shared pipeline's UNet, so every call into that pipeline then needs
a picture: shots without one get a blank picture at scale 0, which leaves the UNet's
output exactly as without the adapter. Calls go through the pipeline's `Batcher`, so a scale
set for one batch never leaks into another.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aifilm.models.hub import (
    ModelNotFoundError,
    cached_snapshot,
    downloads_allowed,
    is_local,
    model_fingerprint,
)
from aifilm.models.loader import Loaded

_LOCK = threading.Lock()


@dataclass(frozen=True)
class AdapterSpec:
    """Which IP-Adapter to load: a hub id or folder, its subfolder, weights and encoder."""

    source: str
    subfolder: str = "models"
    weights: str = "ip-adapter_sd15.safetensors"
    encoder: str = "image_encoder"

    @property
    def encoder_path(self) -> str:
        """The encoder's folder inside the source, as diffusers resolves it."""
        if "/" in self.encoder:
            return self.encoder
        return f"{self.subfolder}/{self.encoder}" if self.subfolder else self.encoder

    def needed(self) -> list[str]:
        """Files the adapter needs, relative to its source folder."""
        weights = f"{self.subfolder}/{self.weights}" if self.subfolder else self.weights
        return [weights, f"{self.encoder_path}/config.json"]


def resolve_adapter(spec: AdapterSpec) -> Path | None:
    """The adapter's folder, or None when it may be downloaded; `ModelNotFoundError` naming
    the missing file and how to get it otherwise."""
    if is_local(spec.source):
        folder: Path | None = Path(spec.source).expanduser()
        where = str(folder)
    else:
        folder = cached_snapshot(spec.source)
        where = f"the Hugging Face cache ({spec.source})"
    missing = [n for n in spec.needed() if folder is None or not (folder / n).is_file()]
    if not missing:
        return folder
    if not is_local(spec.source) and downloads_allowed():
        return None
    fetch = (
        f"run: hf download {spec.source} --include '{spec.needed()[0]}' '{spec.encoder_path}/*'"
        if not is_local(spec.source)
        else "copy them from the adapter's repository (e.g. h94/IP-Adapter)"
    )
    raise ModelNotFoundError(
        f"IP-Adapter {spec.source}: missing {', '.join(missing)} in {where}",
        hint=f"{fetch}, or set AIFILM_ALLOW_DOWNLOADS=1 to let renders fetch it; options "
        "ip_adapter_subfolder, ip_adapter_weights and ip_adapter_encoder name other files",
    )


def adapter_fingerprint(spec: AdapterSpec) -> str:
    """What identifies the adapter's content, for cache keys ('missing' if not here)."""
    try:
        folder = resolve_adapter(spec)
    except ModelNotFoundError:
        return "missing"
    return model_fingerprint(folder) if folder is not None else f"hub:{spec.source}"


def attach(loaded: Loaded, spec: AdapterSpec) -> None:
    """Load the adapter into the pipeline once (replacing another one); call it from inside
    the pipeline's batcher so no batch is running meanwhile."""
    with _LOCK:
        if loaded.extra.get("ip_adapter") == spec:
            return
        pipe = loaded.model
        if not hasattr(pipe, "load_ip_adapter"):
            from aifilm.errors import UnsupportedError

            raise UnsupportedError(
                f"the model {loaded.folder} ({type(pipe).__name__}) takes no IP-Adapter",
                hint="use a Stable Diffusion 1.5 or SDXL model, or leave ip_adapter unset "
                "(characters then condition their shots by image-to-image)",
            )
        if loaded.extra.get("ip_adapter") is not None:
            pipe.unload_ip_adapter()
        folder = resolve_adapter(spec)
        pipe.load_ip_adapter(
            str(folder) if folder is not None else spec.source,
            subfolder=spec.subfolder,
            weight_name=spec.weights,
            image_encoder_folder=spec.encoder,
            local_files_only=folder is not None,
        )
        encoder = getattr(pipe, "image_encoder", None)
        if encoder is not None:
            encoder.to(loaded.placement.device)
        loaded.extra["ip_adapter"] = spec


def call_kwargs(
    loaded: Loaded, picture: Any, scale: float, size: tuple[int, int]
) -> dict[str, Any]:
    """The pipeline arguments for one batch: the reference picture at `scale`, or, when the
    pipeline carries an adapter but the batch has no picture, a blank one at scale 0."""
    if loaded.extra.get("ip_adapter") is None:
        return {}
    from PIL import Image

    pipe = loaded.model
    if picture is None:
        pipe.set_ip_adapter_scale(0.0)
        return {"ip_adapter_image": Image.new("RGB", size, "black")}
    pipe.set_ip_adapter_scale(scale)
    return {"ip_adapter_image": picture}
