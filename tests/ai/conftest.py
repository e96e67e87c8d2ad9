"""Fixtures for the AI backends: toy-size models built once per session, no network."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

AI_MISSING = [
    m for m in ("torch", "diffusers", "transformers") if importlib.util.find_spec(m) is None
]
SKIP_REASON = f"AI extra not installed (missing {', '.join(AI_MISSING)}): pip install 'aifilm[ai]'"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No hub access and an empty HF cache: only the toy models exist."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path_factory.getbasetemp() / "hf-cache"))
    monkeypatch.delenv("AIFILM_ALLOW_DOWNLOADS", raising=False)


@pytest.fixture(scope="session")
def sd_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy Stable Diffusion checkpoint folder."""
    from ai.tiny_models import tiny_stable_diffusion

    return tiny_stable_diffusion(tmp_path_factory.mktemp("tiny-sd"))


@pytest.fixture(scope="session")
def svd_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy Stable Video Diffusion checkpoint folder."""
    from ai.tiny_models import tiny_stable_video_diffusion

    return tiny_stable_video_diffusion(tmp_path_factory.mktemp("tiny-svd"))


@pytest.fixture(scope="session")
def musicgen_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy MusicGen checkpoint folder (model and processor)."""
    from ai.tiny_models import tiny_musicgen

    return tiny_musicgen(tmp_path_factory.mktemp("tiny-musicgen"))


@pytest.fixture(scope="session")
def ltx_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy LTX-Video image-to-video checkpoint folder."""
    from ai.tiny_models import tiny_ltx

    return tiny_ltx(tmp_path_factory.mktemp("tiny-ltx"))


@pytest.fixture(scope="session")
def cogvideox_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy CogVideoX image-to-video checkpoint folder (fixed size, like CogVideoX-5b-I2V)."""
    from ai.tiny_models import tiny_cogvideox

    return tiny_cogvideox(tmp_path_factory.mktemp("tiny-cogvideox"))


@pytest.fixture(scope="session")
def ltx_text_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy LTX-Video text-to-video checkpoint folder (``LTXPipeline``)."""
    from ai.tiny_models import tiny_ltx

    return tiny_ltx(tmp_path_factory.mktemp("tiny-ltx-t2v"), image_to_video=False)


@pytest.fixture(scope="session")
def cogvideox_text_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy CogVideoX 1.0 text-to-video checkpoint folder (like CogVideoX-2b)."""
    from ai.tiny_models import tiny_cogvideox

    return tiny_cogvideox(tmp_path_factory.mktemp("tiny-cogvideox-t2v"), image_to_video=False)


@pytest.fixture(scope="session")
def cogvideox15_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy CogVideoX 1.5 text-to-video checkpoint folder (like CogVideoX1.5-5B)."""
    from ai.tiny_models import tiny_cogvideox

    folder = tmp_path_factory.mktemp("tiny-cogvideox15")
    return tiny_cogvideox(folder, image_to_video=False, version="1.5")


@pytest.fixture(scope="session")
def sdxl_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy Stable Diffusion XL checkpoint folder."""
    from ai.tiny_models import tiny_stable_diffusion_xl

    return tiny_stable_diffusion_xl(tmp_path_factory.mktemp("tiny-sdxl"))


@pytest.fixture(scope="session")
def flux_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy FLUX text-to-image checkpoint folder."""
    from ai.tiny_models import tiny_flux

    return tiny_flux(tmp_path_factory.mktemp("tiny-flux"))


@pytest.fixture(scope="session")
def sd3_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A toy Stable Diffusion 3 checkpoint folder."""
    from ai.tiny_models import tiny_stable_diffusion_3

    return tiny_stable_diffusion_3(tmp_path_factory.mktemp("tiny-sd3"))
