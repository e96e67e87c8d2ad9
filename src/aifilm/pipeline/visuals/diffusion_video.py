"""Image-to-video visuals: each shot's still brought to life by a video diffusion model.

The first frame is the shot's still (the `stills` backend's picture, or, with `image_model`
set, a `diffusion-image` picture for prompt and generated shots); the video model animates
it: Stable Video Diffusion (image only), LTX-Video and CogVideoX image-to-video (image and
the shot's prompt), or CogVideoX / LTX text-to-video (prompt only). A shot longer than one
generation continues from the last frame for up to `segments` generations, and the frames
are spread over the shot: the clip always has exactly ``round(duration * fps)`` frames at
the film's rate, at the requested size, encoded as H.264 by FFmpeg. Shots whose kind is not
in `animate` (title cards, colours) stay stills.

Output depends on the shot's length, so the backend is `timed`: a shot re-timed by an
edit is generated again.
"""

from __future__ import annotations

import inspect
import math
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from aifilm.media.ffmpeg import run_ffmpeg
from aifilm.models.loader import Loaded, load_diffusers
from aifilm.models.options import ModelBackend, ModelOptions, generation_size, shot_seed
from aifilm.pipeline.visuals.base import Visual, VisualRequest, VisualsBackend

if TYPE_CHECKING:
    from PIL import Image

CLIP_FILE = "clip.mp4"
# Pipelines that take the first frame, and those that make video from the prompt alone.
IMAGE_TO_VIDEO = (
    "StableVideoDiffusionPipeline",
    "LTXImageToVideoPipeline",
    "LTXConditionPipeline",
    "CogVideoXImageToVideoPipeline",
)
TEXT_TO_VIDEO = ("LTXPipeline", "CogVideoXPipeline")


def frames_for(pipeline: str, wanted: int) -> int:
    """Frames a pipeline can make near `wanted`: LTX takes 8k+1, CogVideoX 4k+1, SVD any."""
    if pipeline.startswith("LTX"):
        return max(9, 8 * round((wanted - 1) / 8) + 1)
    if pipeline.startswith("CogVideoX"):
        return max(5, 4 * round((wanted - 1) / 4) + 1)
    return max(2, wanted)


class DiffusionVideo(ModelBackend, VisualsBackend):
    """Video clips from each shot's still (Stable Video Diffusion, LTX-Video, CogVideoX)."""

    name: ClassVar[str] = "diffusion-video"
    description: ClassVar[str] = "Image-to-video with diffusers (Stable Video Diffusion; GPU)"
    requires: ClassVar[tuple[str, ...]] = ("torch", "diffusers", "transformers", "PIL")
    license: ClassVar[str] = "Apache-2.0 (diffusers) + MIT (aifilm)"
    weights_license: ClassVar[str | None] = (
        "per model: Stable Video Diffusion under the Stability AI Community License "
        "(free below USD 1M annual revenue; first released non-commercial), CogVideoX-2b "
        "Apache-2.0; see `aifilm models list`"
    )
    commercial_use: ClassVar[bool] = False  # of the default model; model_licence() per model
    timed: ClassVar[bool] = True
    version: ClassVar[str] = "1"

    class Options(ModelOptions):
        """How clips are generated."""

        image_model: str | None = Field(
            None, description="diffusion-image model for prompt/generated first frames."
        )
        animate: tuple[str, ...] = Field(
            ("image", "prompt", "generated"), description="Shot kinds made into clips."
        )
        steps: int | None = Field(None, ge=1, le=500, description="Default: the model's.")
        guidance: float | None = Field(None, ge=0, le=50, description="Default: the model's.")
        frames: int | None = Field(None, ge=2, le=257, description="Frames per generation.")
        model_fps: int | None = Field(None, ge=1, le=60, description="The model's frame rate.")
        segments: int = Field(
            1, ge=1, le=20, description="Generations per shot, each from the last frame."
        )
        motion: int = Field(127, ge=1, le=255, description="SVD motion bucket: more, faster.")
        noise_aug_strength: float = Field(0.02, ge=0, le=1)
        decode_chunk_size: int = Field(8, ge=1, le=64)
        negative_prompt: str = "blurry, distorted, low quality, jittery"
        style: str = ""
        seed_per: Literal["character", "shot"] = "character"
        base_size: int | None = Field(None, ge=64, le=2048)
        interpolate: bool = Field(False, description="Blend frames to the film's rate.")

    options: Options

    def steps(self) -> int:
        """Denoising steps: the option, else the model's own default."""
        info = self.info
        return self.options.steps or (info.steps if info else 25)

    def guidance(self) -> float:
        """Guidance scale (SVD: the maximum of its frame-wise ramp)."""
        info = self.info
        if self.options.guidance is not None:
            return self.options.guidance
        return info.guidance if info else 3.0

    def gen_frames(self) -> int:
        """Frames per generation."""
        info = self.info
        return self.options.frames or (info.frames if info and info.frames else 14)

    def model_fps(self) -> int:
        """The frame rate the model's motion was trained at."""
        info = self.info
        return self.options.model_fps or (info.fps if info and info.fps else 7)

    def size_for(self, request: VisualRequest) -> tuple[int, int]:
        """Generation size: the frame's shape near the model's native pixel count."""
        info = self.info
        if self.options.base_size:
            base = self.options.base_size
        elif info:
            base = round(math.sqrt(info.native[0] * info.native[1]))
        else:
            base = 768
        return generation_size(request.width, request.height, base, 64)

    def identity(self) -> dict[str, Any]:
        """Options plus the model fingerprint, dtype, resolved steps, guidance and frames."""
        ident = super().identity()
        ident.update(
            steps=self.steps(),
            guidance=self.guidance(),
            frames=self.gen_frames(),
            model_fps=self.model_fps(),
        )
        if self.options.image_model:
            ident["image"] = self._image_backend().identity()
        return ident

    # --- first frame ----------------------------------------------------------------------

    def _image_backend(self) -> Any:
        from aifilm.pipeline.visuals.diffusion_image import DiffusionImage

        o = self.options
        return DiffusionImage(
            model=o.image_model,
            device=o.device,
            dtype=o.dtype,
            offload=o.offload,
            seed=o.seed,
            style=o.style,
            base_size=o.base_size,
            steps=o.steps,
        )

    def first_frame(self, request: VisualRequest, folder: Path) -> Visual:
        """The shot's still: from `diffusion-image` when `image_model` is set, else `stills`."""
        from aifilm.pipeline.visuals.stills import Stills

        if self.options.image_model and request.spec.kind in ("prompt", "generated"):
            backend: VisualsBackend = self._image_backend()
        else:
            backend = Stills()
        return backend.render(request, folder)

    # --- the clip -------------------------------------------------------------------------

    def pipeline(self) -> Loaded:
        """The video pipeline, loaded once per process."""
        info = self.info
        return load_diffusers(
            self.model_folder(),
            self.placement(),
            auto_class="DiffusionPipeline",
            variant=info.variant if info else None,
        )

    def prompt_for(self, request: VisualRequest) -> str:
        """The prompt for pipelines that take one."""
        spec = request.spec
        parts = [spec.prompt or spec.text or (spec.character or "") or request.title or ""]
        parts.append(self.options.style)
        return ", ".join(p for p in parts if p) or "a gentle camera move"

    def render(self, request: VisualRequest, out_dir: Path) -> Visual:
        """Write the shot's clip (or, for kinds not animated, its still) into `out_dir`."""
        from PIL import Image

        out_dir.mkdir(parents=True, exist_ok=True)
        if request.spec.kind not in self.options.animate:
            return self.first_frame(request, out_dir)
        work = Path(tempfile.mkdtemp(prefix=".frames-", dir=out_dir))
        try:
            still = self.first_frame(request, work / "first")
            with Image.open(still.path) as im:
                first = im.convert("RGB")
            frames = self.generate(request, first)
            width, height = request.width - request.width % 2, request.height - request.height % 2
            path = out_dir / CLIP_FILE
            encode_clip(
                frames,
                path,
                duration=request.duration,
                fps=request.fps,
                size=(width, height),
                work=work,
                interpolate=self.options.interpolate,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        note = f"animated by {Path(str(self.options.model)).name} ({len(frames)} frames)"
        return Visual(path=path, kind="video", width=width, height=height, note=note)

    def generate(self, request: VisualRequest, first: Image.Image) -> list[Image.Image]:
        """The clip's frames at generation size: one generation, or several chained."""
        loaded = self.pipeline()
        pipe = loaded.model
        kind = type(pipe).__name__
        if kind not in IMAGE_TO_VIDEO + TEXT_TO_VIDEO:
            from aifilm.errors import UserError

            raise UserError(
                f"model {self.options.model} loads as {kind}, not a video pipeline",
                hint="use an image-to-video model such as "
                "stabilityai/stable-video-diffusion-img2vid-xt (aifilm models list)",
            )
        width, height = self.size_for(request)
        per = frames_for(kind, self.gen_frames())
        wanted = math.ceil(request.duration * self.model_fps())
        segments = min(self.options.segments, max(1, -(-wanted // per)))
        if kind in TEXT_TO_VIDEO:
            segments = 1  # nothing to continue from
        seed = shot_seed(
            self.options.seed, request.spec.seed, request.spec.character, self.options.seed_per
        )
        image = first.resize((width, height))
        frames: list[Image.Image] = []
        for n in range(segments):
            made = self._one(pipe, kind, request, image, (width, height), per, seed + n, loaded)
            frames.extend(made if n == 0 else made[1:])  # a continuation repeats its first frame
            image = made[-1]
        return frames

    def _one(
        self,
        pipe: Any,
        kind: str,
        request: VisualRequest,
        image: Image.Image,
        size: tuple[int, int],
        frames: int,
        seed: int,
        loaded: Loaded,
    ) -> list[Image.Image]:
        import torch

        accepted = inspect.signature(pipe.__call__).parameters
        width, height = size
        kwargs: dict[str, Any] = {
            "height": height,
            "width": width,
            "num_frames": frames,
            "num_inference_steps": self.steps(),
            "generator": torch.Generator("cpu").manual_seed(seed % 2**32),
            "output_type": "pil",
        }
        if kind == "StableVideoDiffusionPipeline":
            kwargs.update(
                image=image,
                min_guidance_scale=1.0,
                max_guidance_scale=self.guidance(),
                fps=self.model_fps(),
                motion_bucket_id=self.options.motion,
                noise_aug_strength=self.options.noise_aug_strength,
                decode_chunk_size=self.options.decode_chunk_size,
            )
        else:
            kwargs.update(prompt=self.prompt_for(request), guidance_scale=self.guidance())
            if "negative_prompt" in accepted:
                kwargs["negative_prompt"] = self.options.negative_prompt
            if kind in IMAGE_TO_VIDEO:
                kwargs["image"] = image
            if "frame_rate" in accepted:
                kwargs["frame_rate"] = self.model_fps()
        kwargs = {k: v for k, v in kwargs.items() if k in accepted}

        def run(_items: list[None]) -> list[list[Image.Image]]:
            clip: list[Image.Image] = list(pipe(**kwargs).frames[0])
            return [clip]

        return loaded.batcher.submit(("video", id(kwargs)), None, run)


def encode_clip(
    frames: list[Image.Image],
    out: Path,
    *,
    duration: float,
    fps: int,
    size: tuple[int, int],
    work: Path,
    interpolate: bool = False,
) -> int:
    """Spread `frames` over `duration` and write exactly ``round(duration * fps)`` frames of
    `size` (cover-cropped) to an H.264 MP4; returns that frame count."""
    count = max(1, round(duration * fps))
    folder = work / "frames"
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(frames):
        frame.convert("RGB").save(folder / f"f{i:05d}.png", compress_level=1)
    rate = Fraction(len(frames) / max(duration, 1e-3)).limit_denominator(1001)
    width, height = size
    retime = f"minterpolate=fps={fps}:mi_mode=blend" if interpolate else f"fps={fps}"
    chain = ",".join(
        [
            retime,
            f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=lanczos",
            f"crop={width}:{height}",
            "setsar=1",
            f"tpad=stop_mode=clone:stop={count}",
            "format=yuv420p",
        ]
    )
    run_ffmpeg(
        ["-framerate", f"{rate.numerator}/{rate.denominator}", "-i", folder / "f%05d.png",
         "-vf", chain, "-frames:v", str(count), "-r", str(fps), "-c:v", "libx264",
         "-preset", "veryfast", "-crf", "17", "-an", "-movflags", "+faststart", out],
        what="encoding a generated clip",
    )  # fmt: skip
    return count
