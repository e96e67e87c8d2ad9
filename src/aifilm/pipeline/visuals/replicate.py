"""Pictures from the many open models Replicate serves (FLUX, SDXL, ...), by its
predictions API (https://replicate.com/docs/reference/http).

The asynchronous protocol, exactly: ``POST /v1/models/{owner}/{name}/predictions`` (an
official model) or ``POST /v1/predictions`` with ``"version"`` (``owner/name:version``),
body ``{"input": {...}}``, ``Authorization: Bearer <token>``; the answer (201) is a
prediction ``{"id", "status", "urls": {"get", "cancel"}, "output", "error"}``. Its
``urls.get`` is polled until ``status`` is ``succeeded`` (``output``: a URL or a list of
URLs, fetched), ``failed`` (``error``: e.g. NSFW content detected), ``canceled`` or
``aborted``; past the time limit the prediction is cancelled with ``POST urls.cancel``.
Errors are problem documents ``{"title", "detail", "status"}`` (401 a bad token, 402 no
credit, 422 invalid input, 429 throttled with Retry-After).

The featured character's picture goes to the model's image input (``reference_input``:
``input_image`` for FLUX Kontext, known by name) as a data URI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

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

ASPECTS = ("21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16", "9:21")
# Models whose picture input is known, by name (others: the reference_input option).
_REFERENCE_INPUTS = {"flux-kontext": "input_image", "flux-redux": "redux_image"}
_DONE = ("succeeded", "failed", "canceled", "aborted")


class ReplicateOptions(RemoteOptions):
    """What Replicate's backends share."""

    inputs: dict[str, Any] = Field(
        default_factory=dict, description="More inputs for the model, as its page lists them."
    )
    reference_input: str | None = Field(
        None, description="The model's input that takes a picture (default: known by name)."
    )


class ReplicatePredictions(RemoteVisuals):
    """Replicate's prediction protocol: create, poll `urls.get`, cancel past the limit."""

    provider = "Replicate"
    api_key_env = "REPLICATE_API_TOKEN"
    base_env = "AIFILM_REPLICATE_API_BASE"
    default_base = "https://api.replicate.com"
    key_help = "Tokens: https://replicate.com/account/api-tokens"
    quota_hint = "add credit at https://replicate.com/account/billing"
    license = "MIT"
    terms = "Replicate Terms of Service (https://replicate.com/terms) and each model's licence"
    input_names: ClassVar[tuple[str, ...]] = ()

    options: Any

    def classify(self, response: httpx.Response) -> Failure:
        """Replicate's problem documents."""
        body = json_body(response)
        message = None
        if isinstance(body, dict):
            message = str(body.get("detail") or body.get("title") or "")[:300] or None
        if response.status_code == 402:
            return Failure("quota", message or "insufficient credit")
        return default_failure(response, message)

    def reference_name(self) -> str | None:
        """The input that takes the character's picture, if the model has one."""
        if self.options.reference_input:
            return str(self.options.reference_input)
        return next((v for k, v in _REFERENCE_INPUTS.items() if k in self.model), None)

    def predict(self, inputs: dict[str, Any]) -> Any:
        """Run one prediction to its end; its `output`."""
        key = self.key()
        headers = self.headers(key)
        model = self.model
        if ":" in model:
            path, body = "/v1/predictions", {"version": model.split(":", 1)[1], "input": inputs}
        else:
            path, body = f"/v1/models/{model}/predictions", {"input": inputs}
        created = self.answer(self.call("POST", path, json=body, key=key, headers=headers), "")
        ident = created.get("id")
        found = created.get("urls")
        urls: dict[str, Any] = found if isinstance(found, dict) else {}
        get = urls.get("get") or (f"{self.base_url()}/v1/predictions/{ident}" if ident else None)
        if not get:
            raise GenerationError("the prediction answer had no id")
        state = created

        def poll() -> dict[str, Any] | None:
            nonlocal state
            if state.get("status") in _DONE:
                return state
            state = self.answer(self.call("GET", get, key=key, headers=headers), "prediction")
            return state if state.get("status") in _DONE else None

        try:
            done = self.wait(poll, f"Replicate prediction {ident}")
        except GenerationError:
            cancel = urls.get("cancel") or f"{self.base_url()}/v1/predictions/{ident}/cancel"
            self.cancel("POST", cancel, key)
            raise
        status = done.get("status")
        if status != "succeeded":
            said = str(done.get("error") or status)[:300]
            raise GenerationError(f"the prediction {status}: {said}")
        output = done.get("output")
        if isinstance(output, list):
            output = output[0] if output else None
        if isinstance(output, dict):
            output = output.get("url") or output.get("video") or output.get("image")
        if not isinstance(output, str) or not output:
            raise GenerationError("the prediction succeeded without an output")
        if output.startswith("data:"):
            import base64

            return base64.b64decode(output.split(",", 1)[1])
        return self.fetch(output, key)


class ReplicateImages(ReplicatePredictions):
    """Generated pictures from an image model on Replicate."""

    name = "replicate"
    description = "Replicate: FLUX, SDXL and other open image models by one API"
    weights_license = "each model's own licence (FLUX schnell: Apache-2.0; FLUX dev: "
    weights_license += "non-commercial weights, outputs usable commercially per its licence)"

    class Options(ReplicateOptions):
        model: str = Field(
            "black-forest-labs/flux-schnell",
            description="owner/name of an official model, or owner/name:version.",
        )

    options: Options

    def generate(self, job: Job, out_dir: Path) -> bytes:
        """One prediction of a picture."""
        inputs: dict[str, Any] = {
            "prompt": job.prompt,
            "aspect_ratio": ratio_of(job.width, job.height, ASPECTS),
            "seed": job.seed,
            "output_format": "png",
        }
        if self.options.negative_prompt:
            inputs["negative_prompt"] = self.options.negative_prompt
        name = self.reference_name()
        if job.reference is not None and name:
            inputs[name] = data_uri(job.reference)
        data: bytes = self.predict({**inputs, **self.options.inputs})
        return data
