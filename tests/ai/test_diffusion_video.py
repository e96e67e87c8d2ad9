"""diffusion-video on a toy Stable Video Diffusion checkpoint: clips of exact length."""

from __future__ import annotations

from pathlib import Path

import pytest

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]


def _request(kind: str = "color", duration: float = 1.25, fps: int = 8, **spec: object):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.timeline import VisualSpec
    from aifilm.pipeline.visuals.base import VisualRequest

    return VisualRequest(
        spec=VisualSpec(kind, **spec),  # type: ignore[arg-type]
        width=96,
        height=54,
        duration=duration,
        fps=fps,
        title="Test Film",
    )


def _backend(model: Path, **options: object):  # type: ignore[no-untyped-def]
    from aifilm.pipeline.visuals.diffusion_video import DiffusionVideo

    settings: dict[str, object] = {
        "steps": 2, "base_size": 64, "frames": 3, "model_fps": 4, "device": "cpu",
        "animate": ("color", "image", "prompt", "generated"), **options,
    }  # fmt: skip
    return DiffusionVideo(model=model, **settings)


def test_clip_has_round_duration_times_fps_frames(svd_model: Path, tmp_path: Path) -> None:
    from aifilm.media.probe import probe

    backend = _backend(svd_model)
    assert backend.timed
    request = _request("color", color="#2266aa", duration=1.25, fps=8)
    visual = backend.render(request, tmp_path / "clip")
    assert visual.kind == "video" and (visual.width, visual.height) == (96, 54)
    info = probe(visual.path)
    video = info.first("video")
    assert video is not None and (video.width, video.height) == (96, 54)
    assert video.frames == round(1.25 * 8) == 10
    assert video.fps == 8
    assert abs(info.duration - 1.25) < 0.01


def test_long_shot_chains_segments_from_the_last_frame(svd_model: Path, tmp_path: Path) -> None:
    from aifilm.media.probe import probe

    backend = _backend(svd_model, segments=3)
    request = _request("color", color="#aa6622", duration=1.5, fps=6)
    # 1.5 s at 4 fps wants 6 model frames: two 3-frame generations, the second
    # continuing from the first one's last frame (which it repeats, so 5 frames).
    from PIL import Image

    frames = backend.generate(request, Image.new("RGB", (64, 64), "white"))
    assert len(frames) == 5
    visual = backend.render(request, tmp_path / "long")
    assert probe(visual.path).first("video").frames == 9  # type: ignore[union-attr]


def test_title_cards_stay_stills(svd_model: Path, tmp_path: Path) -> None:
    backend = _backend(svd_model, animate=("image", "prompt", "generated"))
    visual = backend.render(_request("title", text="The End"), tmp_path / "t")
    assert visual.kind == "still" and visual.path.suffix == ".png"


def test_prompt_shot_first_frame_from_diffusion_image(
    svd_model: Path, sd_model: Path, tmp_path: Path
) -> None:
    from aifilm.media.probe import probe

    backend = _backend(svd_model, image_model=str(sd_model))
    ident = backend.identity()
    assert ident["image"]["backend"] == "diffusion-image" and ident["frames"] == 3
    visual = backend.render(
        _request("prompt", prompt="a crow flying", duration=0.5), tmp_path / "p"
    )
    assert visual.kind == "video" and probe(visual.path).first("video").frames == 4  # type: ignore[union-attr]
