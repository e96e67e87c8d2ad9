"""diffusion-image on a toy Stable Diffusion checkpoint, loaded the way users' models are."""

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


def _backend(model: Path, **options: object):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.visuals.diffusion_image import DiffusionImage

    settings: dict[str, object] = {"steps": 2, "base_size": 64, "device": "cpu", **options}
    return DiffusionImage(model=model, **settings)


def test_prompt_shot_is_a_png_of_the_requested_size(sd_model: Path, tmp_path: Path) -> None:
    backend = _backend(sd_model)
    request = _request(prompt="a crow by a pot of water", text="A hot day", seed=7)
    assert backend.prompt_for(request) == "a crow by a pot of water, scene: A hot day"
    assert backend.size_for(request) == (64, 64)
    visual = backend.render(request, tmp_path / "a")
    assert visual.kind == "still" and (visual.width, visual.height) == (96, 54)
    with Image.open(visual.path) as im:
        assert im.format == "PNG" and im.size == (96, 54) and im.mode == "RGB"
    # Fixed seeds: the same request gives the same picture.
    again = backend.render(request, tmp_path / "b")
    assert again.path.read_bytes() == visual.path.read_bytes()


def test_character_shots_share_a_seed_and_use_the_picture(sd_model: Path, tmp_path: Path) -> None:
    backend = _backend(sd_model, strength=0.5)
    portrait = _request("generated", character="Kaka", text="Kaka", seed=1)
    other = _request("generated", character="Kaka", text="Kaka", seed=2)
    # Per character, not per shot: the same face wherever Kaka appears.
    assert backend.seed_for(portrait) == backend.seed_for(other)
    assert backend.prompt_for(portrait).startswith("portrait of Kaka")

    picture = tmp_path / "kaka.png"
    Image.new("RGB", (80, 60), (200, 30, 30)).save(picture)
    shot = _request("image", image=picture, character="Kaka")
    assert backend.mode(shot) == "image"
    visual = backend.render(shot, tmp_path / "img2img")
    with Image.open(visual.path) as im:
        assert im.size == (96, 54)
    # Strength 0 shows the given picture as it is (the stills backend's work).
    assert _backend(sd_model, strength=0.0).mode(shot) == "stills"


def test_title_cards_and_colours_come_from_stills(sd_model: Path, tmp_path: Path) -> None:
    from aifilm.pipeline.visuals.stills import Stills

    backend = _backend(sd_model)
    request = _request("color", color="#336699")
    ours = backend.render(request, tmp_path / "ours")
    theirs = Stills().render(request, tmp_path / "theirs")
    assert ours.path.read_bytes() == theirs.path.read_bytes()


def test_identity_covers_model_content_and_generation_settings(
    sd_model: Path, tmp_path: Path
) -> None:
    import shutil

    base = _backend(sd_model).identity()
    assert base["model"].startswith("sha256:") and base["dtype"] == "float32"
    assert base["steps"] == 2 and base["device"] == "cpu"
    for change in ({"steps": 3}, {"guidance": 2.0}, {"seed": 1}, {"strength": 0.3}):
        assert _backend(sd_model, **change).identity() != base, change
    copy = tmp_path / "copy"
    shutil.copytree(sd_model, copy)
    assert _backend(copy).identity()["model"] == base["model"]  # same content...
    config = copy / "unet" / "config.json"
    config.write_text(config.read_text().replace('"layers_per_block": 1', '"layers_per_block": 1 '))
    assert _backend(copy).identity()["model"] != base["model"]  # ...edited content differs


def test_model_loads_once_and_concurrent_shots_batch(sd_model: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from aifilm.models import loader

    loader.clear_loaded()
    before = len(loader.loads)
    backend = _backend(sd_model)
    requests = [_request(prompt=f"shot {i}", seed=i) for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        visuals = list(
            pool.map(lambda r: backend.render(r[1], tmp_path / str(r[0])), enumerate(requests))
        )
    assert len({v.path.read_bytes() for v in visuals}) == 4
    assert len(loader.loads) == before + 1  # four shots, one load
    batcher = backend.text_pipeline().batcher
    assert sum(batcher.batches[-4:]) >= 4 and max(batcher.batches) >= 1
    # A shot rendered alone matches the same shot rendered inside a batch.
    alone = backend.render(requests[3], tmp_path / "alone")
    with Image.open(alone.path) as a, Image.open(visuals[3].path) as b:
        import numpy as np

        diff = np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16))
        assert diff.max() <= 2
