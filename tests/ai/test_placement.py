"""Placing a loaded pipeline: offload and VAE slicing must suit every VAE diffusers has."""

from __future__ import annotations

import pytest

pytest.importorskip("diffusers")

from diffusers import AutoencoderKL, AutoencoderKLTemporalDecoder

from aifilm.models.device import Placement
from aifilm.models.loader import place_pipeline

pytestmark = pytest.mark.ai


class _OffloadedPipe:
    """A pipeline whose model offload only records that it was asked (no CUDA here)."""

    def __init__(self, vae: object) -> None:
        self.vae = vae
        self.offloaded = False

    def enable_model_cpu_offload(self) -> None:
        self.offloaded = True


def _small(cls: type) -> object:
    return cls(block_out_channels=(32,), down_block_types=("DownEncoderBlock2D",),
               latent_channels=4, layers_per_block=1)  # fmt: skip


def test_offload_places_a_temporal_vae_it_cannot_tile() -> None:
    """Stable Video Diffusion's VAE has neither tiling nor slicing (diffusers raises
    NotImplementedError; it decodes `decode_chunk_size` frames at a time instead):
    offloading such a pipeline still works. Found on an H100, where it failed."""
    pipe = _OffloadedPipe(_small(AutoencoderKLTemporalDecoder))
    place_pipeline(pipe, Placement("cuda", "float16", "model", False))
    assert pipe.offloaded


def test_offload_tiles_and_slices_an_image_vae() -> None:
    pipe = _OffloadedPipe(_small(AutoencoderKL))
    place_pipeline(pipe, Placement("cuda", "float16", "model", False))
    assert pipe.vae.use_tiling and pipe.vae.use_slicing  # type: ignore[attr-defined]


def test_the_empty_float32_list_warning_of_diffusers_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Stable Video Diffusion casts its VAE to float32 and back for every shot; diffusers
    then warns about an empty list of float32 modules. Placed pipelines stay quiet about
    that, and other warnings still show."""
    import logging

    import torch

    place_pipeline(
        _OffloadedPipe(_small(AutoencoderKL)), Placement("cpu", "float32", "model", False)
    )
    vae = _small(AutoencoderKLTemporalDecoder)
    with caplog.at_level(logging.WARNING, logger="diffusers"):
        vae.to(dtype=torch.float32)  # type: ignore[attr-defined]
        logging.getLogger("diffusers.models.modeling_utils").warning("another warning")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["another warning"], messages
