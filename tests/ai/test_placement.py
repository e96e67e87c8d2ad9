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
