"""diffusion-video on toy LTX-Video and CogVideoX checkpoints: image-to-video, text-to-video,
and CogVideoX 1.5.

Each model is saved with ``save_pretrained`` and loaded through the backend's own path
(``DiffusionPipeline.from_pretrained`` on the folder); the clips that reach the composer are
checked with ffprobe: exact frame count, size and duration, whatever the pipeline's own
frame and size rules.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ai.conftest import AI_MISSING, SKIP_REASON

pytestmark = [pytest.mark.ai, pytest.mark.skipif(bool(AI_MISSING), reason=SKIP_REASON)]


def _request(kind: str = "color", duration: float = 1.5, fps: int = 12, **spec: object):  # type: ignore[no-untyped-def]
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
        "steps": 2, "base_size": 64, "model_fps": 8, "device": "cpu",
        "animate": ("color", "image", "prompt", "generated"), **options,
    }  # fmt: skip
    return DiffusionVideo(model=model, **settings)


def _spy(monkeypatch: pytest.MonkeyPatch, cls: type) -> list[dict[str, Any]]:
    """Record the arguments of every call into a diffusers pipeline class (which still runs)."""
    calls: list[dict[str, Any]] = []
    real = cls.__call__

    @functools.wraps(real)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__call__", call)
    return calls


def _pixels(frames: list[Image.Image]) -> list[bytes]:
    return [f.tobytes() for f in frames]


def test_ltx_clip_has_exact_frames_size_and_duration(ltx_model: Path, tmp_path: Path) -> None:
    from aifilm.media.probe import probe

    # 12 frames asked for; LTX's VAE packs 8 frames per latent frame, so it makes 8k+1: 9.
    backend = _backend(ltx_model, frames=12)
    assert backend.pipeline_class() == "LTXImageToVideoPipeline"
    request = _request("color", color="#2266aa", duration=1.5, fps=12)
    frames = backend.generate(request, Image.new("RGB", (96, 54), "white"))
    # The frame's 16:9 shape near 64x64 pixels, in LTX's 32-pixel steps (not 64x64).
    assert len(frames) == 9 and {f.size for f in frames} == {(96, 64)}

    visual = backend.render(request, tmp_path / "clip")
    assert visual.kind == "video" and (visual.width, visual.height) == (96, 54)
    assert "9 frames at 96x64" in visual.note
    info = probe(visual.path)
    video = info.first("video")
    assert video is not None and (video.width, video.height) == (96, 54)
    assert video.frames == round(1.5 * 12) == 18 and video.fps == 12
    assert abs(info.duration - 1.5) < 0.01


def test_ltx_is_conditioned_on_the_still_and_the_prompt(
    ltx_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import LTXImageToVideoPipeline

    from aifilm.media.probe import probe

    calls = _spy(monkeypatch, LTXImageToVideoPipeline)
    backend = _backend(ltx_model, frames=9, segments=2, style="watercolor")
    still = Image.new("RGB", (96, 54), (200, 40, 40))
    # 2 s at the model's 8 fps wants 16 frames: two 9-frame generations, the second one
    # continuing from the first one's last frame (which it repeats: 9 + 8 frames).
    request = _request("prompt", prompt="a crow flying", duration=2.0)
    frames = backend.generate(request, still)
    assert len(frames) == 17 and len(calls) == 2
    first, second = calls
    assert first["prompt"] == "a crow flying, watercolor"
    assert first["num_frames"] == second["num_frames"] == 9
    assert first["frame_rate"] == 8 and (first["width"], first["height"]) == (96, 64)
    assert first["image"].size == (96, 64) and first["image"].getpixel((48, 32)) == (200, 40, 40)
    assert _pixels([second["image"]]) == _pixels([frames[8]])
    # The toy VAE decodes at a timestep, like LTX-Video 0.9.1+: decoded as Lightricks advise.
    assert first["decode_timestep"] == 0.05 and first["decode_noise_scale"] == 0.025

    # The prompt and the still both reach the model: changing either changes the clip.
    one = _backend(ltx_model, frames=9)
    base = _pixels(one.generate(_request("prompt", prompt="a crow flying"), still))
    other_prompt = one.generate(_request("prompt", prompt="water"), still)
    other_still = one.generate(
        _request("prompt", prompt="a crow flying"), Image.new("RGB", (96, 54), "blue")
    )
    assert base == _pixels(one.generate(_request("prompt", prompt="a crow flying"), still))
    assert _pixels(other_prompt) != base and _pixels(other_still) != base

    visual = backend.render(request, tmp_path / "long")
    video = probe(visual.path).first("video")
    assert video is not None and video.frames == 24


def test_cogvideox_generates_at_its_only_size(
    cogvideox_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import CogVideoXImageToVideoPipeline

    from aifilm.media.probe import probe

    calls = _spy(monkeypatch, CogVideoXImageToVideoPipeline)
    # Learned positional embeddings (as in CogVideoX-5b-I2V) fix the size at 64x32 here;
    # base_size 64 would otherwise make 64x64. 7 frames asked: CogVideoX makes 4k+1.
    backend = _backend(cogvideox_model, frames=7, attention_slicing=True)
    assert backend.pipeline_class() == "CogVideoXImageToVideoPipeline"
    request = _request("prompt", prompt="a crow by the water", duration=1.25, fps=8)
    frames = backend.generate(request, Image.new("RGB", (96, 54), "white"))
    assert len(frames) == 9 and {f.size for f in frames} == {(64, 32)}
    (call,) = calls
    assert call["num_frames"] == 9 and (call["width"], call["height"]) == (64, 32)
    assert call["prompt"] == "a crow by the water" and call["image"].size == (64, 32)
    assert call["guidance_scale"] == 6.0  # CogVideoX's own default for a local folder
    assert call["max_sequence_length"] == 16  # the transformer's text length, not 226

    visual = backend.render(request, tmp_path / "cog")
    info = probe(visual.path)
    video = info.first("video")
    assert video is not None and (video.width, video.height) == (96, 54)
    assert video.frames == 10 and abs(info.duration - 1.25) < 0.01


def test_local_folders_get_their_pipelines_defaults(
    ltx_model: Path, cogvideox_model: Path, svd_model: Path
) -> None:
    """Defaults (and so cache keys) follow the folder's pipeline class, read without loading."""
    from aifilm.pipeline.visuals.diffusion_video import DiffusionVideo

    got = {
        name: (b.gen_frames(), b.model_fps(), b.steps(), b.guidance(), b.identity()["frames"])
        for name, b in (
            ("ltx", DiffusionVideo(model=ltx_model, device="cpu")),
            ("cog", DiffusionVideo(model=cogvideox_model, device="cpu")),
            ("svd", DiffusionVideo(model=svd_model, device="cpu")),
        )
    }
    assert got == {
        "ltx": (121, 24, 40, 3.0, 121),
        "cog": (49, 8, 50, 6.0, 49),
        "svd": (14, 7, 25, 3.0, 14),
    }


def test_cogvideox_15_is_told_from_10_by_its_transformer(
    cogvideox_text_model: Path, cogvideox15_model: Path
) -> None:
    """CogVideoX 1.5 shares 1.0's pipeline classes; its transformer patches time in pairs
    (`patch_size_t`), and it was trained on 81 frames at 16 fps at 1360x768, not 49 frames
    at 8 fps at 720x480. Read from the folder, without loading the model."""
    from aifilm.pipeline.visuals.diffusion_video import DiffusionVideo

    hd = _request("prompt", prompt="a crow")
    hd = type(hd)(hd.spec, 1280, 720, hd.duration, hd.fps, hd.title)
    got = {}
    for name, model in (("1.0", cogvideox_text_model), ("1.5", cogvideox15_model)):
        backend = DiffusionVideo(model=model, device="cpu")
        assert backend.pipeline_class() == "CogVideoXPipeline" and backend.text_only()
        ident = backend.identity()
        got[name] = (backend.gen_frames(), backend.model_fps(), ident["frames"], ident["model_fps"])
        got[name] += (backend.steps(), backend.guidance(), backend.size_for(hd))
    assert got == {
        "1.0": (49, 8, 49, 8, 50, 6.0, (784, 448)),  # 720x480's area in 16:9, 16 px steps
        "1.5": (81, 16, 81, 16, 50, 6.0, (1360, 768)),
    }


def test_cogvideox_15_keeps_sides_within_its_rotary_grid(
    cogvideox15_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CogVideoX 1.5 slices rotary embeddings from its sample size's grid (96x48 here,
    1360x768 in CogVideoX1.5-5B): a vertical frame is made within it, in the frame's shape,
    where the larger side would fail inside the pipeline."""
    from diffusers import CogVideoXPipeline

    calls = _spy(monkeypatch, CogVideoXPipeline)
    backend = _backend(cogvideox15_model, frames=7)
    wide = _request("prompt", prompt="a crow by the water", duration=1.0, fps=8)
    tall = type(wide)(wide.spec, 54, 96, 1.0, 8, wide.title)
    pipe = backend.pipeline().model
    assert backend.size_for(wide, pipe) == (80, 48)  # fits: as without a bound
    assert backend.size_for(tall) == (48, 80)  # unbounded: taller than the grid's 48
    assert backend.size_for(tall, pipe) == (32, 48)
    frames = backend.generate(tall, None)
    # 7 frames asked: 4k+1 makes 9 (3 latent frames, padded to a pair and cut back).
    assert len(frames) == 9 and {f.size for f in frames} == {(32, 48)}
    (call,) = calls
    assert (call["width"], call["height"], call["num_frames"]) == (32, 48, 9)
    assert "image" not in call and call["max_sequence_length"] == 16


@pytest.mark.parametrize(
    ("fixture", "pipeline", "size"),
    [
        ("ltx_text_model", "LTXPipeline", (96, 64)),
        ("cogvideox_text_model", "CogVideoXPipeline", (80, 48)),
        ("cogvideox15_model", "CogVideoXPipeline", (80, 48)),
    ],
)
def test_text_to_video_makes_clips_from_the_prompt_alone(
    fixture: str,
    pipeline: str,
    size: tuple[int, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    import diffusers

    from aifilm.media.probe import probe
    from aifilm.pipeline.visuals.diffusion_video import DiffusionVideo

    model: Path = request.getfixturevalue(fixture)
    calls = _spy(monkeypatch, getattr(diffusers, pipeline))
    firsts: list[str] = []
    real_first = DiffusionVideo.first_frame

    def first_frame(self: Any, shot: Any, folder: Path) -> Any:
        firsts.append(shot.spec.kind)
        return real_first(self, shot, folder)

    monkeypatch.setattr(DiffusionVideo, "first_frame", first_frame)
    # image_model would make a first frame for image-to-video; text-to-video needs none.
    backend = _backend(model, frames=9, segments=3, style="watercolor", image_model="unused")
    assert backend.pipeline_class() == pipeline and backend.text_only()
    shot = _request("prompt", prompt="a crow flying", duration=1.5, fps=12)
    visual = backend.render(shot, tmp_path / "clip")
    assert firsts == []  # no still drawn or generated for it
    (call,) = calls  # one generation: nothing to continue a second one from
    assert call["prompt"] == "a crow flying, watercolor" and "image" not in call
    assert call["num_frames"] == 9 and (call["width"], call["height"]) == size
    assert call["negative_prompt"] == backend.options.negative_prompt
    assert visual.kind == "video" and f"9 frames at {size[0]}x{size[1]}" in (visual.note or "")
    info = probe(visual.path)
    video = info.first("video")
    assert video is not None and (video.width, video.height) == (96, 54)
    assert video.frames == round(1.5 * 12) == 18 and video.fps == 12
    assert abs(info.duration - 1.5) < 0.01

    # The prompt steers the clip: another prompt, another clip; the same, the same.
    base = _pixels(backend.generate(shot, None))
    assert base == _pixels(backend.generate(shot, None))
    assert _pixels(backend.generate(_request("prompt", prompt="water"), None)) != base

    # A shot of the user's own picture keeps it: a text-to-video clip could not show it.
    picture = tmp_path / "kaka.png"
    Image.new("RGB", (96, 54), (200, 30, 30)).save(picture)
    kept = backend.render(_request("image", image=picture), tmp_path / "own")
    assert kept.kind == "still" and "text only" in (kept.note or "") and len(calls) == 4
    with Image.open(kept.path) as im:
        assert im.size == (96, 54) and im.convert("RGB").getpixel((48, 27)) == (200, 30, 30)
