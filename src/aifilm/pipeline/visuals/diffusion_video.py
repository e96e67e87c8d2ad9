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

import dataclasses
import inspect
import json
import math
import shutil
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from aifilm.media.ffmpeg import run_ffmpeg
from aifilm.models.loader import Loaded, load_diffusers, pipeline_class
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


@dataclass(frozen=True)
class VideoFamily:
    """What a family of video pipelines needs, and its defaults where the catalog has none."""

    prefix: str  # pipeline class names starting with it
    frame_step: int  # frames come in k*step+1 (the VAE's temporal compression); 1: any count
    multiple: int  # generated sides are multiples of this
    frames: int  # frames per generation
    fps: int  # the frame rate its motion was trained at
    steps: int
    guidance: float
    native: tuple[int, int]  # the size it was trained at (width, height)


FAMILIES = (
    VideoFamily("StableVideoDiffusion", 1, 64, 14, 7, 25, 3.0, (1024, 576)),
    # LTX's pipelines refuse sides that are not multiples of 32 (its VAE's compression).
    VideoFamily("LTX", 8, 32, 121, 24, 40, 3.0, (768, 512)),
    # CogVideoX 1.0 (2b, 5b, 5b-I2V): 8x VAE times 2x2 patches; 49 frames at 8 fps, 720x480.
    VideoFamily("CogVideoX", 4, 16, 49, 8, 50, 6.0, (720, 480)),
)
# CogVideoX 1.5 (CogVideoX1.5-5B, -I2V): the same pipeline classes, told apart by a transformer
# that patches time too (`patch_size_t`); 81 frames (16N+1 on its card) at 16 fps, 1360x768.
COGVIDEOX_15 = VideoFamily("CogVideoX", 4, 16, 81, 16, 50, 6.0, (1360, 768))


def family_of(pipeline: str | None, transformer: dict[str, Any] | None = None) -> VideoFamily:
    """The family of a pipeline class name (Stable Video Diffusion's when unknown); a
    CogVideoX transformer config with ``patch_size_t`` makes it CogVideoX 1.5."""
    for family in FAMILIES:
        if pipeline and pipeline.startswith(family.prefix):
            if family.prefix == "CogVideoX" and (transformer or {}).get("patch_size_t"):
                return COGVIDEOX_15
            return family
    return FAMILIES[0]


def transformer_config(folder: Path) -> dict[str, Any]:
    """A pipeline folder's ``transformer/config.json``, read without loading the model;
    empty where there is none."""
    try:
        data = json.loads((folder / "transformer" / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def frames_for(pipeline: str, wanted: int, step: int | None = None) -> int:
    """Frames a pipeline makes near `wanted`: k*step+1 where its VAE compresses time by
    `step` (LTX 8k+1, CogVideoX 4k+1), any count for SVD. The pipelines round other
    counts down themselves, so a shot would get fewer frames than it was planned with."""
    step = step or family_of(pipeline).frame_step
    if step <= 1:
        return max(2, wanted)
    return max(step + 1, step * round((wanted - 1) / step) + 1)


class DiffusionVideo(ModelBackend, VisualsBackend):
    """Video clips from each shot's still (Stable Video Diffusion, LTX-Video, CogVideoX), or
    from its prompt alone (LTX-Video and CogVideoX text-to-video)."""

    name: ClassVar[str] = "diffusion-video"
    description: ClassVar[str] = (
        "Image- or text-to-video with diffusers (Stable Video Diffusion, LTX-Video, CogVideoX; GPU)"
    )
    requires: ClassVar[tuple[str, ...]] = ("torch", "diffusers", "transformers", "PIL")
    license: ClassVar[str] = "Apache-2.0 (diffusers) + MIT (aifilm)"
    weights_license: ClassVar[str | None] = (
        "per model: Stable Video Diffusion under the Stability AI Community License "
        "(free below USD 1M annual revenue; first released non-commercial), CogVideoX-2b "
        "Apache-2.0; see `aifilm models list`"
    )
    commercial_use: ClassVar[bool] = False  # of the default model; model_licence() per model
    timed: ClassVar[bool] = True
    version: ClassVar[str] = "2"  # 2: text-only pipelines skip the still; family sizes

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

    def pipeline_class(self) -> str | None:
        """The pipeline class the model's folder names (``model_index.json``), read without
        loading the model; None while the model is not on disk."""
        from aifilm.models.hub import ModelNotFoundError

        try:
            return pipeline_class(self.model_folder())
        except ModelNotFoundError:
            return None

    def family(self) -> VideoFamily:
        """The model's pipeline family: its frame and size rules and default settings."""
        from aifilm.models.hub import ModelNotFoundError

        try:
            transformer = transformer_config(self.model_folder())
        except ModelNotFoundError:
            transformer = {}
        return family_of(self.pipeline_class(), transformer)

    def text_only(self) -> bool:
        """Whether the model makes video from the prompt alone (no first frame)."""
        return self.pipeline_class() in TEXT_TO_VIDEO

    def steps(self) -> int:
        """Denoising steps: the option, else the model's own default."""
        info = self.info
        return self.options.steps or (info.steps if info else self.family().steps)

    def guidance(self) -> float:
        """Guidance scale (SVD: the maximum of its frame-wise ramp)."""
        info = self.info
        if self.options.guidance is not None:
            return self.options.guidance
        return info.guidance if info else self.family().guidance

    def gen_frames(self) -> int:
        """Frames per generation (before rounding to what the pipeline can make)."""
        info = self.info
        known = info.frames if info else 0
        return self.options.frames or known or self.family().frames

    def model_fps(self) -> int:
        """The frame rate the model's motion was trained at."""
        info = self.info
        known = info.fps if info else 0
        return self.options.model_fps or known or self.family().fps

    def size_for(self, request: VisualRequest, pipe: Any = None) -> tuple[int, int]:
        """Generation size: the frame's shape near the model's native pixel count, in the
        pipeline's size steps, within the largest size the loaded `pipe` can make
        (CogVideoX 1.5); or the only size it can make (CogVideoX-5b-I2V's learned positional
        embeddings fix it at 720x480)."""
        fixed = fixed_size(pipe) if pipe is not None else None
        if fixed:
            return fixed
        info = self.info
        native = info.native if info else self.family().native
        base = self.options.base_size or round(math.sqrt(native[0] * native[1]))
        multiple = self.family().multiple
        if pipe is not None:
            multiple = max(multiple, spatial_multiple(pipe))
        size = generation_size(request.width, request.height, base, multiple)
        largest = max_size(pipe) if pipe is not None else None
        return fit_within(size, largest, multiple) if largest else size

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
        """Write the shot's clip (or, for kinds not animated, its still) into `out_dir`.

        A text-to-video model makes a clip from the prompt alone: no first frame is drawn
        or generated for it, and a shot of the user's own picture (kind ``image``) keeps the
        picture as a still rather than lose it to a clip that cannot show it."""
        from PIL import Image

        out_dir.mkdir(parents=True, exist_ok=True)
        text_only = self.text_only()
        if request.spec.kind not in self.options.animate:
            return self.first_frame(request, out_dir)
        if text_only and request.spec.kind == "image":
            kept = self.first_frame(request, out_dir)
            reason = f"{Path(str(self.options.model)).name} makes video from text only"
            return dataclasses.replace(kept, note=f"the shot's own picture kept ({reason})")
        work = Path(tempfile.mkdtemp(prefix=".frames-", dir=out_dir))
        try:
            first = None
            if not text_only:
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
        made = f"{len(frames)} frames at {frames[0].width}x{frames[0].height}" if frames else ""
        note = f"animated by {Path(str(self.options.model)).name} ({made})"
        return Visual(path=path, kind="video", width=width, height=height, note=note)

    def generate(self, request: VisualRequest, first: Image.Image | None) -> list[Image.Image]:
        """The clip's frames at generation size: one generation, or several chained; `first`
        is the still image-to-video pipelines start from (text-to-video ones take none)."""
        from PIL import ImageOps

        loaded = self.pipeline()
        pipe = loaded.model
        kind = type(pipe).__name__
        from aifilm.errors import UserError

        if kind not in IMAGE_TO_VIDEO + TEXT_TO_VIDEO:
            raise UserError(
                f"model {self.options.model} loads as {kind}, not a video pipeline",
                hint="use an image-to-video model such as "
                "stabilityai/stable-video-diffusion-img2vid-xt (aifilm models list)",
            )
        if first is None and kind in IMAGE_TO_VIDEO:
            raise UserError(
                f"model {self.options.model} ({kind}) animates a first frame, and none was given",
                hint="pass the shot's still, or use a text-to-video model (CogVideoX-2b)",
            )
        width, height = self.size_for(request, pipe)
        per = frames_for(kind, self.gen_frames(), temporal_step(pipe))
        wanted = math.ceil(request.duration * self.model_fps())
        segments = min(self.options.segments, max(1, -(-wanted // per)))
        if kind in TEXT_TO_VIDEO:
            segments = 1  # nothing to continue from
        seed = shot_seed(
            self.options.seed, request.spec.seed, request.spec.character, self.options.seed_per
        )
        # Cover-fit: a fixed generation size may not have the frame's shape; the clip is
        # cover-fitted back to the frame, so the still is cropped, never squashed.
        image = None
        if first is not None and kind in IMAGE_TO_VIDEO:
            image = ImageOps.fit(first.convert("RGB"), (width, height), centering=(0.5, 0.5))
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
        image: Image.Image | None,
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
            # CogVideoX's positional embeddings cover exactly this many prompt tokens.
            text_length = _config(getattr(pipe, "transformer", None), "max_text_seq_length")
            if "max_sequence_length" in accepted and isinstance(text_length, int):
                kwargs["max_sequence_length"] = text_length
            # Timestep-aware LTX VAEs (0.9.1 on) decode with a little noise, as Lightricks
            # recommend; decoding at timestep 0 leaves them blurry.
            if "decode_timestep" in accepted and _config(
                getattr(pipe, "vae", None), "timestep_conditioning"
            ):
                kwargs.update(decode_timestep=0.05, decode_noise_scale=0.025)
        kwargs = {k: v for k, v in kwargs.items() if k in accepted}

        def run(_items: list[None]) -> list[list[Image.Image]]:
            clip: list[Image.Image] = list(pipe(**kwargs).frames[0])
            return [clip]

        return loaded.batcher.submit(("video", id(kwargs)), None, run)


def _config(module: Any, key: str) -> Any:
    """A value of a pipeline component's config, None where it has none."""
    config = getattr(module, "config", None)
    return getattr(config, key, None) if config is not None else None


def temporal_step(pipe: Any) -> int | None:
    """How many frames one latent frame holds in `pipe`'s VAE (LTX 8, CogVideoX 4)."""
    for attr in ("vae_temporal_compression_ratio", "vae_scale_factor_temporal"):
        value = getattr(pipe, attr, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def spatial_multiple(pipe: Any) -> int:
    """The step generated sides must come in: the VAE's compression times the patch size."""
    for attr in ("vae_spatial_compression_ratio", "vae_scale_factor_spatial"):
        value = getattr(pipe, attr, None)
        if isinstance(value, int) and value > 0:
            patch = _config(getattr(pipe, "transformer", None), "patch_size")
            return value * (patch if isinstance(patch, int) and patch > 0 else 1)
    return 8


def max_size(pipe: Any) -> tuple[int, int] | None:
    """The largest (width, height) a pipeline can make, if bounded: CogVideoX 1.5 slices its
    rotary position embeddings from a grid of the transformer's sample size (1360x768 for
    CogVideoX1.5-5B), and a larger side fails inside the pipeline with a tensor size error."""
    transformer = getattr(pipe, "transformer", None)
    if not _config(transformer, "patch_size_t"):
        return None
    if not _config(transformer, "use_rotary_positional_embeddings"):
        return None
    return _sample_size(pipe)


def fit_within(size: tuple[int, int], largest: tuple[int, int], multiple: int) -> tuple[int, int]:
    """`size` scaled down, keeping its shape, to fit `largest`, in `multiple` steps (the
    bound's sides are in those steps, so rounding never leaves it)."""
    scale = min(1.0, largest[0] / size[0], largest[1] / size[1])
    if scale >= 1.0:
        return size
    return (
        min(largest[0], max(multiple, round(size[0] * scale / multiple) * multiple)),
        min(largest[1], max(multiple, round(size[1] * scale / multiple) * multiple)),
    )


def fixed_size(pipe: Any) -> tuple[int, int] | None:
    """(width, height) a pipeline is bound to, if any: a CogVideoX transformer with learned
    positional embeddings (CogVideoX-5b-I2V) makes only the size it was trained at."""
    if not _config(getattr(pipe, "transformer", None), "use_learned_positional_embeddings"):
        return None
    return _sample_size(pipe)


def _sample_size(pipe: Any) -> tuple[int, int] | None:
    """The transformer's sample grid in pixels (latent size times the VAE's scale)."""
    transformer = getattr(pipe, "transformer", None)
    scale = getattr(pipe, "vae_scale_factor_spatial", None)
    width = _config(transformer, "sample_width")
    height = _config(transformer, "sample_height")
    if isinstance(scale, int) and isinstance(width, int) and isinstance(height, int):
        return width * scale, height * scale
    return None


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
