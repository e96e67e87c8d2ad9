"""Pictures from Stability AI's v2beta Stable Image API (https://platform.stability.ai/docs).

``POST /v2beta/stable-image/generate/{ultra|core|sd3}`` as multipart/form-data with
``Authorization: Bearer <key>`` and ``Accept: application/json``; the fields are
``prompt``, ``aspect_ratio`` (the nearest of 21:9 ... 9:21 to the frame), ``seed``,
``output_format=png``, ``negative_prompt``, ``model`` (sd3 only: sd3.5-large,
sd3.5-large-turbo, sd3.5-medium) and, for Ultra and SD 3.5, the featured character's
picture as ``image`` with ``strength`` (image-to-image: the character's picture shapes the
shot). The answer is ``{"image": <base64>, "finish_reason": "SUCCESS"|"CONTENT_FILTERED",
"seed"}``; errors are ``{"name", "errors": [...]}`` (401 a bad key, 402 no credits left,
403 ``content_moderation``, 429 too many requests).
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
from pydantic import Field

from aifilm.pipeline.visuals.remote import (
    GenerationError,
    Job,
    RemoteOptions,
    RemoteVisuals,
    ratio_of,
)
from aifilm.pipeline.web_api import Failure, default_failure, json_body

ASPECTS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
_SD3 = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3-large", "sd3-medium")


class StabilityImages(RemoteVisuals):
    """Generated pictures from Stability AI (Stable Image Ultra, Core, SD 3.5)."""

    name = "stability"
    description = "Stability AI Stable Image (Ultra, Core, SD 3.5) over its REST API"
    provider = "Stability AI"
    api_key_env = "STABILITY_API_KEY"
    base_env = "AIFILM_STABILITY_API_BASE"
    default_base = "https://api.stability.ai"
    key_help = "Keys: https://platform.stability.ai/account/keys"
    quota_hint = "buy credits at https://platform.stability.ai/account/credits"
    license = "MIT"  # aifilm's client code; the pictures follow Stability's terms
    weights_license = "Stability AI models via its API (outputs yours under its terms of service)"
    terms = "Stability AI Terms of Service (https://stability.ai/terms-of-use)"

    class Options(RemoteOptions):
        model: str = Field(
            "core",
            description="core, ultra, or an SD 3.5 model (sd3.5-large, -large-turbo, -medium).",
        )
        style_preset: str | None = Field(
            None, description="Core's style preset, e.g. photographic, anime, cinematic."
        )
        reference_strength: float = Field(
            0.7,
            gt=0,
            le=1,
            description="How far from the character's picture a shot may go "
            "(Ultra and SD 3.5 image-to-image; 1: ignore the picture).",
        )

    options: Options

    def classify(self, response: httpx.Response) -> Failure:
        """Stability's error body: a name and a list of messages."""
        body = json_body(response)
        message = None
        if isinstance(body, dict):
            errors = body.get("errors")
            said = "; ".join(str(e) for e in errors) if isinstance(errors, list) else ""
            message = f"{body.get('name', 'error')}: {said}".strip(": ")[:300]
            if body.get("name") == "content_moderation":
                return Failure("other", f"the prompt was refused ({message})")
        if response.status_code == 402:
            return Failure("quota", message or "payment required")
        return default_failure(response, message)

    def generate(self, job: Job, out_dir: Path) -> bytes:
        """One synchronous generation."""
        key = self.key()
        model = self.options.model
        endpoint = "sd3" if model in _SD3 or model.startswith("sd3") else model
        if endpoint not in ("ultra", "core", "sd3"):
            raise GenerationError(f"unknown model {model!r}; use core, ultra or sd3.5-large")
        fields: dict[str, str] = {
            "prompt": job.prompt[:10000],
            "seed": str(job.seed),
            "output_format": "png",
        }
        if endpoint == "sd3":
            fields["model"] = model
        if self.options.negative_prompt and not model.endswith("turbo"):
            fields["negative_prompt"] = self.options.negative_prompt
        if self.options.style_preset and endpoint == "core":
            fields["style_preset"] = self.options.style_preset
        files: dict[str, tuple[str | None, bytes | str, str | None]] = {}
        if job.reference is not None and endpoint in ("ultra", "sd3"):
            files["image"] = (job.reference.name, job.reference.read_bytes(), None)
            fields["strength"] = f"{self.options.reference_strength:g}"
            if endpoint == "sd3":
                fields["mode"] = "image-to-image"
        else:
            fields["aspect_ratio"] = ratio_of(job.width, job.height, ASPECTS)
        # multipart/form-data even without a file: fields as parts without a file name.
        parts = {name: (None, value, None) for name, value in fields.items()}
        response = self.call(
            "POST",
            f"/v2beta/stable-image/generate/{endpoint}",
            key=key,
            headers={**self.headers(key), "Accept": "application/json"},
            files={**parts, **files},
        )
        body = self.answer(response, "generation")
        reason = body.get("finish_reason")
        if reason == "CONTENT_FILTERED":
            raise GenerationError("the picture was filtered by Stability's content moderation")
        if not isinstance(body.get("image"), str):
            raise GenerationError("the answer held no picture")
        try:
            return base64.b64decode(body["image"], validate=True)
        except ValueError:
            raise GenerationError("the answer's picture was not base64") from None
