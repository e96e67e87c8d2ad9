"""What the AI backends share: model and device options, model resolution, identity, health."""

from __future__ import annotations

import importlib.util
import math
import os
import zlib
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from aifilm.models.catalog import ModelInfo, known_models, model_info
from aifilm.models.device import (
    INSTALL_HINT,
    DeviceChoice,
    DtypeChoice,
    OffloadChoice,
    Placement,
    available_device,
    describe_device,
    place,
)
from aifilm.models.hub import Layout, ModelNotFoundError, model_fingerprint, resolve_model
from aifilm.pipeline.backend import Backend, BackendOptions, HealthCheck

MODEL_ENV = {
    "diffusion-image": "AIFILM_IMAGE_MODEL",
    "diffusion-video": "AIFILM_VIDEO_MODEL",
    "musicgen": "AIFILM_MUSIC_MODEL",
    "wav2lip": "AIFILM_WAV2LIP_MODEL",
    "sadtalker": "AIFILM_SADTALKER_MODEL",
}


def default_model(backend: str) -> str:
    """The model a backend uses when none is named: ``AIFILM_*_MODEL``, else the catalog's
    first entry for it."""
    env = MODEL_ENV.get(backend)
    if env and os.environ.get(env):
        return os.environ[env]
    return known_models(backend)[0].id


class ModelOptions(BackendOptions):
    """Options every AI backend takes: which model, and where and how to run it."""

    model: str | Path = Field(
        "", description="Hub id or local folder (default: AIFILM_*_MODEL or the catalog's)."
    )
    revision: str | None = Field(None, description="Branch, tag or commit of a hub model.")
    device: DeviceChoice = "auto"
    dtype: DtypeChoice = "auto"
    offload: OffloadChoice = "auto"
    attention_slicing: bool | None = None
    seed: int = Field(0, description="Added to every shot's seed: change it to re-roll.")


class ModelBackend(Backend):
    """Mixin of the AI backends: model resolution, placement, identity and doctor checks."""

    extra: ClassVar[str | None] = "ai"
    layout: ClassVar[Layout] = "diffusers"
    # The weights' terms where they do not depend on the model chosen (one published set).
    fixed_weights_licence: ClassVar[str | None] = None
    options: ModelOptions

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        if not str(self.options.model):
            self.options.model = default_model(self.name)
        self._folder: Path | None = None
        self._placement: Placement | None = None
        # The licence is the chosen model's, not the default's (reports, server checks).
        terms = self.model_licence()
        object.__setattr__(self, "weights_license", terms["weights_license"])
        object.__setattr__(self, "commercial_use", terms["commercial_use"])

    @property
    def info(self) -> ModelInfo | None:
        """The catalog entry of the chosen model, if it is a known hub id."""
        return model_info(str(self.options.model))

    def model_folder(self) -> Path:
        """The chosen model's folder, resolved once (`ModelNotFoundError` if missing)."""
        if self._folder is None:
            self._folder = resolve_model(
                self.options.model, layout=self.layout, revision=self.options.revision
            )
        return self._folder

    def placement(self) -> Placement:
        """Device, dtype and offload for the chosen model on this machine."""
        if self._placement is None:
            info = self.info
            o = self.options
            self._placement = place(
                o.device,
                o.dtype,
                o.offload,
                o.attention_slicing,
                half=info.dtype if info else "float16",
                need_gb=info.vram_gb if info else 0.0,
            )
        return self._placement

    def identity(self) -> dict[str, Any]:
        """Backend, options, and the model's content fingerprint and precision: a new
        snapshot of the model, or other weights in the same folder, makes new cache keys."""
        ident = super().identity()
        try:
            ident["model"] = self.model_fingerprint()
        except ModelNotFoundError:
            ident["model"] = "missing"  # rendering will raise the helpful error
        placement = self.placement()
        ident["device"] = placement.device
        ident["dtype"] = placement.dtype
        return ident

    def model_fingerprint(self) -> Any:
        """What identifies the chosen weights' content (`ModelNotFoundError` if missing):
        the model folder's fingerprint; backends with checkpoint files fingerprint those."""
        return model_fingerprint(self.model_folder())

    @classmethod
    def find_model(cls, name: str) -> str:
        """Where the configured model `name` is on disk, for `aifilm doctor`, without
        downloading (`ModelNotFoundError` naming what is missing otherwise)."""
        folder = resolve_model(name, layout=cls.layout, allow_download=False)
        return f"{name} at {folder}"

    def model_licence(self) -> dict[str, Any]:
        """Licence terms of the chosen model, for a server deciding what paying users get."""
        info = self.info
        return {
            "model": str(self.options.model),
            "code_license": self.license,
            "weights_license": info.weights_license
            if info
            else f"unknown model {self.options.model}: read its model card "
            f"(this backend's known models: {type(self).weights_license})",
            "commercial_use": bool(info.commercial_use) if info else False,
        }

    @classmethod
    def health(cls) -> list[HealthCheck]:
        """Modules, the device found, and whether the configured model is on disk."""
        checks = []
        for module in cls.requires:
            found = importlib.util.find_spec(module) is not None
            checks.append(
                HealthCheck(
                    f"python module {module}",
                    found,
                    "installed" if found else "missing",
                    None if found else INSTALL_HINT,
                )
            )
        device = available_device()
        checks.append(HealthCheck("device", device != "none", describe_device()))
        name = default_model(cls.name)
        try:
            checks.append(HealthCheck("model", True, cls.find_model(name)))
        except ModelNotFoundError as exc:
            checks.append(HealthCheck("model", False, exc.message, exc.hint))
        info = model_info(name)
        licence = info.licence_line if info is not None else cls.fixed_weights_licence
        if licence:
            checks.append(HealthCheck("weights licence", True, licence))
        return checks


def shot_seed(base: int, spec_seed: int, character: str | None, per: str) -> int:
    """The seed of a shot: per character (the same face in every shot) or per shot."""
    if character and per == "character":
        spec_seed = zlib.crc32(character.casefold().encode())
    return (spec_seed + base) % 2**32


def generation_size(width: int, height: int, base: int, multiple: int = 64) -> tuple[int, int]:
    """A size with the frame's aspect ratio and about `base`² pixels, in `multiple` steps."""
    aspect = width / max(1, height)
    gw = math.sqrt(base * base * aspect)
    gh = gw / aspect
    return (
        max(multiple, round(gw / multiple) * multiple),
        max(multiple, round(gh / multiple) * multiple),
    )
