"""Video clips from Runway's API (https://docs.dev.runwayml.com/api/): a shot's still
brought to life by Gen-4 Turbo (or Gen-3 Alpha Turbo).

The task protocol, exactly: ``POST /v1/image_to_video`` with ``Authorization: Bearer
<key>`` and ``X-Runway-Version: 2024-11-06``, body ``{"model", "promptImage", "promptText",
"ratio", "duration", "seed"}`` (``promptImage`` a data URI of the first frame: the featured
character's picture, else the shot's offline picture); the answer is ``{"id"}``.
``GET /v1/tasks/{id}`` is polled until its ``status`` (PENDING, THROTTLED, RUNNING) is
SUCCEEDED (``output``: URLs of the clip, fetched), FAILED (``failure``, ``failureCode``:
``SAFETY.*`` is refused content) or CANCELLED; past the time limit the task is cancelled
with ``DELETE /v1/tasks/{id}``. Errors are ``{"error": ...}`` (401 a bad key, 429 too
many requests; 400 "not enough credits" is an exhausted quota).

A clip is 5 or 10 s (the shortest that fills the shot, else 10 s looped); Runway bills
per second of clip.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import httpx
from pydantic import Field

from aifilm.pipeline.visuals.remote import (
    GenerationError,
    Job,
    RemoteOptions,
    RemoteVisuals,
    data_uri,
    ratio_of,
)
from aifilm.pipeline.web_api import Failure, default_failure, json_body

API_VERSION = "2024-11-06"
RATIOS = {
    "gen4_turbo": ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672"),
    "gen3a_turbo": ("1280:768", "768:1280"),
}
_WAITING = ("PENDING", "THROTTLED", "RUNNING")


class RunwayVideo(RemoteVisuals):
    """Generated clips from Runway (image to video)."""

    name = "runway"
    description = "Runway Gen-4 Turbo image-to-video over its task API"
    provider = "Runway"
    api_key_env = "RUNWAYML_API_SECRET"
    base_env = "AIFILM_RUNWAY_API_BASE"
    default_base = "https://api.dev.runwayml.com"
    key_help = "Keys: https://dev.runwayml.com/"
    quota_hint = "buy credits at https://dev.runwayml.com/ (organization billing)"
    license = "MIT"
    weights_license = "Runway models via its API (outputs yours under Runway's terms)"
    terms = "Runway Terms of Use (https://runwayml.com/terms-of-use)"
    output = "video"
    timed: ClassVar[bool] = True

    class Options(RemoteOptions):
        model: str = Field("gen4_turbo", description="gen4_turbo or gen3a_turbo.")
        time_limit_s: float = Field(900.0, gt=0, le=7200)
        poll_s: float = Field(5.0, gt=0, le=60)

    options: Options

    def headers(self, key: str) -> dict[str, str]:
        """The bearer key and the API version every call names."""
        return {"Authorization": f"Bearer {key}", "X-Runway-Version": API_VERSION}

    def classify(self, response: httpx.Response) -> Failure:
        """Runway's `{"error": ...}` bodies; 'credits' in a 400 is an exhausted quota."""
        body = json_body(response)
        message = None
        if isinstance(body, dict):
            message = str(body.get("error") or body.get("message") or "")[:300] or None
        if response.status_code in (400, 402) and message and "credit" in message.lower():
            return Failure("quota", message)
        return default_failure(response, message)

    def billed_seconds(self, seconds: float) -> float:
        """A 5 s clip when it fills the shot, else a 10 s one."""
        return 5.0 if seconds <= 5.0 else 10.0

    def generate(self, job: Job, out_dir: Path) -> bytes:
        """Submit the task, poll it, fetch its clip."""
        key = self.key()
        headers = self.headers(key)
        ratios = RATIOS.get(self.options.model, RATIOS["gen4_turbo"])
        body = {
            "model": self.options.model,
            "promptImage": data_uri(job.first_frame(out_dir)),
            "promptText": job.prompt[:1000],
            "ratio": ratio_of(job.width, job.height, ratios),
            "duration": int(self.billed_seconds(job.duration)),
            "seed": job.seed % 4294967295,
        }
        created = self.answer(
            self.call("POST", "/v1/image_to_video", json=body, key=key, headers=headers), "task"
        )
        task = created.get("id")
        if not isinstance(task, str) or not task:
            raise GenerationError("the task answer had no id")

        def poll() -> dict[str, object] | None:
            state = self.answer(
                self.call("GET", f"/v1/tasks/{task}", key=key, headers=headers), "task"
            )
            return None if state.get("status") in _WAITING else state

        try:
            done = self.wait(poll, f"Runway task {task}")
        except GenerationError:
            self.cancel("DELETE", f"/v1/tasks/{task}", key)
            raise
        status = done.get("status")
        if status != "SUCCEEDED":
            code = str(done.get("failureCode") or "")
            said = str(done.get("failure") or status)[:300]
            if code.startswith("SAFETY"):
                raise GenerationError(f"the content was refused ({code}): {said}")
            raise GenerationError(f"the task {str(status).lower()}: {said}")
        output = done.get("output")
        url = output[0] if isinstance(output, list) and output else None
        if not isinstance(url, str):
            raise GenerationError("the task succeeded without an output")
        return self.fetch(url, key)
