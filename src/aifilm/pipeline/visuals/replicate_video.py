"""Video clips from the video models Replicate serves (Wan, MiniMax, ...), from the shot's
prompt, or from a still when one is known (the featured character's picture, else the
offline picture of the shot, given to the model's ``image`` input).

The protocol is Replicate's (`replicate.ReplicatePredictions`: create, poll, fetch,
cancel past the time limit). A model makes a clip of its own length (``clip_seconds``,
5 s by default); a longer shot plays it looped, and the cost counts that one clip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from aifilm.pipeline.visuals.remote import Job, data_uri
from aifilm.pipeline.visuals.replicate import ReplicateOptions, ReplicatePredictions


class ReplicateVideo(ReplicatePredictions):
    """Generated clips from a video model on Replicate."""

    name = "replicate-video"
    description = "Replicate video models (Wan 2.2, MiniMax, ...) from a prompt or a still"
    output = "video"
    timed: ClassVar[bool] = True
    weights_license = "each model's own licence (Wan 2.2: Apache-2.0)"

    class Options(ReplicateOptions):
        model: str = Field(
            "wan-video/wan-2.2-i2v-fast",
            description="owner/name of a video model, or owner/name:version.",
        )
        image_input: str | None = Field(
            "image", description="The model's first-frame input (None: prompt only)."
        )
        clip_seconds: float = Field(5.0, gt=0, le=30, description="Seconds the model makes.")
        time_limit_s: float = Field(900.0, gt=0, le=7200)
        poll_s: float = Field(5.0, gt=0, le=60)

    options: Options

    def billed_seconds(self, seconds: float) -> float:
        """One clip of the model's length, whatever the shot's."""
        return self.options.clip_seconds

    def generate(self, job: Job, out_dir: Path) -> bytes:
        """One prediction of a clip, from the still when the model takes one."""
        inputs: dict[str, Any] = {"prompt": job.prompt, "seed": job.seed}
        inputs["aspect_ratio"] = "9:16" if job.height > job.width else "16:9"
        name = self.options.image_input
        if name:
            inputs[name] = data_uri(job.first_frame(out_dir))
        data: bytes = self.predict({**inputs, **self.options.inputs})
        return data
