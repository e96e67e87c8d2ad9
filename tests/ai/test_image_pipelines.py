"""diffusion-image on toy FLUX and Stable Diffusion 3 checkpoints, loaded through
``AutoPipelineForText2Image`` (and image-to-image over the same weights) as users' models are."""

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


@pytest.mark.parametrize(
    ("fixture", "family", "pipelines"),
    [
        ("flux_model", "flux", ("FluxPipeline", "FluxImg2ImgPipeline")),
        ("sd3_model", "sd3", ("StableDiffusion3Pipeline", "StableDiffusion3Img2ImgPipeline")),
    ],
)
def test_prompt_and_character_shots(
    fixture: str,
    family: str,
    pipelines: tuple[str, str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    from aifilm.pipeline.visuals.diffusion_image import DiffusionImage

    model: Path = request.getfixturevalue(fixture)
    backend = DiffusionImage(model=model, steps=2, base_size=64, device="cpu")
    assert backend.family() == family
    assert type(backend.text_pipeline().model).__name__ == pipelines[0]
    shot = _request(prompt="a crow by a pot of water", seed=3)
    # Sides in 16-pixel steps (FLUX and SD3 latents are 8x, in 2x2 patches), frame-shaped.
    assert backend.size_for(shot) == (80, 48)
    visual = backend.render(shot, tmp_path / "a")
    with Image.open(visual.path) as im:
        assert im.format == "PNG" and im.size == (96, 54) and im.mode == "RGB"
    assert backend.render(shot, tmp_path / "b").path.read_bytes() == visual.path.read_bytes()
    other = backend.render(_request(prompt="a crow by a pot of water", seed=4), tmp_path / "c")
    assert other.path.read_bytes() != visual.path.read_bytes()

    # A character's picture through the family's image-to-image pipeline (same weights).
    picture = tmp_path / "kaka.png"
    Image.new("RGB", (80, 60), (200, 30, 30)).save(picture)
    character = _request("image", image=picture, character="Kaka")
    assert backend.mode(character) == "image"
    with Image.open(backend.render(character, tmp_path / "img2img").path) as im:
        assert im.size == (96, 54)
    from aifilm.models.loader import derive_pipeline

    derived = derive_pipeline(backend.text_pipeline(), "AutoPipelineForImage2Image")
    assert type(derived.model).__name__ == pipelines[1]
