"""diffusion-image on a toy FLUX checkpoint, loaded through ``AutoPipelineForText2Image``."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]


def _request(kind: str = "prompt", **spec: object):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.timeline import VisualSpec
    from aifilm.pipeline.visuals.base import VisualRequest

    return VisualRequest(
        spec=VisualSpec(kind, **spec),  # type: ignore[arg-type]
        width=96,
        height=54,
        duration=2.0,
        fps=12,
        title="Test Film",
    )


def test_flux_prompt_and_character_shots(flux_model: Path, tmp_path: Path) -> None:
    from aifilm.pipeline.visuals.diffusion_image import DiffusionImage

    backend = DiffusionImage(model=flux_model, steps=2, base_size=64, device="cpu")
    assert backend.family() == "flux"
    request = _request(prompt="a crow by a pot of water", seed=3)
    # FLUX packs 8x latents in 2x2 patches: sides in 16-pixel steps, in the frame's shape.
    assert backend.size_for(request) == (80, 48)
    visual = backend.render(request, tmp_path / "a")
    with Image.open(visual.path) as im:
        assert im.format == "PNG" and im.size == (96, 54) and im.mode == "RGB"
    assert backend.render(request, tmp_path / "b").path.read_bytes() == visual.path.read_bytes()
    other = backend.render(_request(prompt="a crow by a pot of water", seed=4), tmp_path / "c")
    assert other.path.read_bytes() != visual.path.read_bytes()

    # A character's picture through FLUX's image-to-image pipeline (same weights).
    picture = tmp_path / "kaka.png"
    Image.new("RGB", (80, 60), (200, 30, 30)).save(picture)
    shot = _request("image", image=picture, character="Kaka")
    assert backend.mode(shot) == "image"
    with Image.open(backend.render(shot, tmp_path / "img2img").path) as im:
        assert im.size == (96, 54)
