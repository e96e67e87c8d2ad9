"""Consistent characters in diffusion-image: a character's picture conditions every shot they
appear in (image-to-image, or an IP-Adapter when one is configured), seeded per character.
Toy Stable Diffusion and IP-Adapter checkpoints, loaded through the normal paths."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]


@pytest.fixture(scope="module")
def adapter(sd_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ai.tiny_ip_adapter import tiny_ip_adapter

    return tiny_ip_adapter(tmp_path_factory.mktemp("ip-adapter"), sd_model)


def _request(kind: str = "prompt", **spec: object):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.timeline import VisualSpec
    from aifilm.pipeline.visuals.base import VisualRequest

    return VisualRequest(VisualSpec(kind, **spec), 96, 54, 2.0, 12, "Test Film")  # type: ignore[arg-type]


def _backend(model: Path, **options: object):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.visuals.diffusion_image import DiffusionImage

    settings: dict[str, object] = {"steps": 2, "base_size": 64, "device": "cpu", **options}
    return DiffusionImage(model=model, **settings)


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def _picture(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (80, 60), colour).save(path)
    return path


def test_planned_prompt_shots_carry_the_characters_picture(tmp_path: Path) -> None:
    from aifilm.pipeline.plan.timing import resolve_visual
    from aifilm.spec.loader import load_project_yaml

    _picture(tmp_path / "kaka.png", (200, 30, 30))
    project = load_project_yaml(
        """\
title: T
characters:
  - {name: Kaka, voice: child, image: kaka.png}
  - {name: Owl, voice: mature}
scenes:
  - title: Forest
    shots:
      - {prompt: a crow by a pot, show: Kaka}
      - {prompt: an owl on a branch, dialogue: [{Owl: Hoo.}]}
      - {prompt: the empty forest}
""",
        filename="project.yaml",
        base_dir=tmp_path,
    )
    scene = project.scenes[0]
    specs = [resolve_visual(project, scene, 0, shot) for shot in scene.shots]
    assert (specs[0].featuring, specs[0].reference) == ("Kaka", tmp_path / "kaka.png")
    assert (specs[1].featuring, specs[1].reference) == ("Owl", None)  # a generated portrait
    assert (specs[2].featuring, specs[2].reference) == (None, None)


def test_picture_conditions_prompt_shots_by_image_to_image(sd_model: Path, tmp_path: Path) -> None:
    from aifilm.pipeline.cache import cache_key

    backend = _backend(sd_model)
    red = _picture(tmp_path / "red.png", (220, 20, 20))
    blue = _picture(tmp_path / "blue.png", (20, 20, 220))
    shot = _request(prompt="a crow by a pot", text="Forest", featuring="Kaka", reference=red)
    other = _request(prompt="a crow flying", text="Sky", featuring="Kaka", reference=red, seed=9)
    assert backend.mode(shot) == "image"
    assert backend.prompt_for(shot).startswith("a crow by a pot, featuring Kaka")
    assert backend.seed_for(shot) == backend.seed_for(other)  # the character's seed
    first = backend.render(shot, tmp_path / "a")
    again = backend.render(shot, tmp_path / "b")
    assert first.path.read_bytes() == again.path.read_bytes()  # re-renders match
    bluer = backend.render(
        _request(prompt="a crow by a pot", text="Forest", featuring="Kaka", reference=blue),
        tmp_path / "c",
    )
    red_px, blue_px = _pixels(first.path), _pixels(bluer.path)
    assert np.abs(red_px - blue_px).mean() > 1  # the picture shows through
    # the cache key holds the picture's content, not its name
    key = cache_key("visuals", backend.identity(), asdict(shot))
    _picture(red, (20, 220, 20))
    assert cache_key("visuals", backend.identity(), asdict(shot)) != key
    # scene_strength 0: text only
    assert _backend(sd_model, scene_strength=0.0).mode(shot) == "text"


def test_characters_without_a_picture_reuse_their_portrait(sd_model: Path, tmp_path: Path) -> None:
    backend = _backend(sd_model)
    shots = [
        _request(prompt=f"an owl, scene {i}", text="Night", featuring="Owl", seed=i)
        for i in range(2)
    ]
    for i, shot in enumerate(shots):
        assert backend.mode(shot) == "image"
        backend.render(shot, tmp_path / str(i))
    assert list(backend._portraits) == [("Owl", (64, 64))]  # made once, used by both shots
    portrait = backend.render(
        _request("generated", character="Owl", text="Owl"), tmp_path / "portrait"
    )
    made = np.asarray(backend._portraits[("Owl", (64, 64))], dtype=np.int16)
    assert made.shape == (64, 64, 3) and portrait.kind == "still"


def test_ip_adapter_conditions_shots_through_the_picture(
    sd_model: Path, adapter: Path, tmp_path: Path
) -> None:
    from aifilm.models import loader

    loader.clear_loaded()
    plain = _backend(sd_model)
    scenery = _request(prompt="an empty forest", text="Forest", seed=3)
    before = plain.render(scenery, tmp_path / "before")

    guided = _backend(
        sd_model, ip_adapter=str(adapter), ip_adapter_weights="ip-adapter_tiny.safetensors"
    )
    red = _picture(tmp_path / "red.png", (220, 20, 20))
    blue = _picture(tmp_path / "blue.png", (20, 20, 220))
    shot = _request(prompt="a crow by a pot", text="Forest", featuring="Kaka", reference=red)
    portrait = _request("image", image=red, character="Kaka")
    assert guided.mode(shot) == "text" and guided.mode(portrait) == "text"
    assert guided.identity()["ip_adapter"].startswith("sha256:")
    with_red = guided.render(shot, tmp_path / "red")
    text = guided.text_pipeline()
    assert text.extra["ip_adapter"] == guided.adapter()
    assert text.model.image_encoder is not None  # loaded from the adapter's folder
    with_blue = guided.render(
        _request(prompt="a crow by a pot", text="Forest", featuring="Kaka", reference=blue),
        tmp_path / "blue",
    )
    assert np.abs(_pixels(with_red.path) - _pixels(with_blue.path)).mean() > 1
    again = guided.render(shot, tmp_path / "red-again")
    assert again.path.read_bytes() == with_red.path.read_bytes()
    guided.render(portrait, tmp_path / "portrait")
    # Shots without a picture on the same pipeline are as without the adapter (scale 0).
    after = plain.render(scenery, tmp_path / "after")
    assert np.abs(_pixels(after.path) - _pixels(before.path)).max() <= 2
    loader.clear_loaded()


def test_missing_adapter_files_are_named(sd_model: Path, tmp_path: Path) -> None:
    from aifilm.models.hub import ModelNotFoundError

    (tmp_path / "models").mkdir()
    guided = _backend(sd_model, ip_adapter=str(tmp_path))
    red = _picture(tmp_path / "red.png", (220, 20, 20))
    shot = _request(prompt="a crow", text="Forest", featuring="Kaka", reference=red)
    with pytest.raises(ModelNotFoundError, match=r"models/ip-adapter_sd15\.safetensors") as info:
        guided.render(shot, tmp_path / "out")
    assert "ip_adapter_weights" in str(info.value.hint)
    assert guided.identity()["ip_adapter"] == "missing"
    hub = _backend(sd_model, ip_adapter="h94/IP-Adapter")
    with pytest.raises(ModelNotFoundError, match="Hugging Face cache") as info:
        hub.render(shot, tmp_path / "out2")
    assert "AIFILM_ALLOW_DOWNLOADS=1" in str(info.value.hint)
