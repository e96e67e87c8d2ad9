"""diffusion-image on toy SDXL, FLUX and Stable Diffusion 3 checkpoints, loaded through
``AutoPipelineForText2Image`` (and image-to-image over the same weights) as users' models are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
        ("sdxl_model", "sdxl", ("StableDiffusionXLPipeline", "StableDiffusionXLImg2ImgPipeline")),
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
    # Frame-shaped, in 16-pixel steps for FLUX and SD3 (8x latents in 2x2 patches), 64 for
    # the UNet families.
    assert backend.size_for(shot) == ((64, 64) if family == "sdxl" else (80, 48))
    # A local folder's default area is its family's native one (1024 px square), not SD 1.5's.
    native = DiffusionImage(model=model, device="cpu").size_for(shot)
    assert native == ((1344, 768) if family == "sdxl" else (1360, 768))
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


def test_sdxl_gets_both_text_encoders_and_its_size_conditioning(
    sdxl_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SDXL's UNet takes both CLIP encoders' hidden states side by side, the second one's
    pooled embedding and the six size numbers (``add_time_ids``) of the size generated; the
    picture reaches the composer at the frame's size."""
    import torch
    from diffusers import UNet2DConditionModel

    import aifilm
    from aifilm.media.probe import probe
    from aifilm.pipeline.visuals.diffusion_image import DiffusionImage

    seen: list[dict[str, Any]] = []
    real = UNet2DConditionModel.forward

    def forward(self: Any, sample: Any, *args: Any, **kw: Any) -> Any:
        text = kw.get("encoder_hidden_states", args[1] if len(args) > 1 else None)
        added = kw.get("added_cond_kwargs") or {}
        seen.append({"latents": tuple(sample.shape), "text": tuple(text.shape)})
        seen[-1].update({k: v.detach().clone() for k, v in added.items()})
        return real(self, sample, *args, **kw)

    monkeypatch.setattr(UNet2DConditionModel, "forward", forward)
    backend = DiffusionImage(model=sdxl_model, steps=2, base_size=128, guidance=5.0, device="cpu")
    assert backend.family() == "sdxl"
    visual = backend.render(_request(prompt="a crow by a pot of water"), tmp_path / "a")
    assert len(seen) == 2  # two steps, each one batch of negative and positive prompts
    first = seen[0]
    # 192x128 generated (the frame's shape near 128 px square, in 64 px steps): the toy
    # VAE's 2x latents, guidance doubling the batch.
    assert first["latents"] == (2, 4, 64, 96)
    assert first["text"] == (2, 77, 32)  # 16 + 16: both encoders' hidden states
    assert tuple(first["text_embeds"].shape) == (2, 16)  # the second encoder's pooled output
    # add_time_ids: original (height, width), crop corner, target (height, width).
    expected = torch.tensor([[128.0, 192.0, 0.0, 0.0, 128.0, 192.0]] * 2)
    assert torch.equal(first["time_ids"].float(), expected)
    with Image.open(visual.path) as im:
        assert im.size == (96, 54)

    # Through a whole render: the shot's picture is in the film at the film's size.
    (tmp_path / "project.yaml").write_text(
        "title: SDXL\nduration: 10s\noutput: {resolution: 192x108, fps: 12, quality: draft}\n"
        "scenes:\n  - shots:\n      - prompt: a crow over a dry field\n"
    )
    result = aifilm.render(
        aifilm.Project.load(tmp_path / "project.yaml"), tmp_path / "out", visuals=backend
    )
    video = probe(result.video).first("video")
    assert video is not None and (video.width, video.height) == (192, 108)
    # On the target or up to 1 % under it (the stretch grid, plan/timing.py), give or take
    # half a frame per shot (each shot is rounded to whole frames on its own): 12 fps here.
    assert 10 * 0.99 - 3 * 0.5 / 12 <= result.duration <= 10 + 3 * 0.5 / 12
    assert len(seen) == 4 and torch.equal(seen[2]["time_ids"].float(), expected)
