"""Pictures from a ComfyUI server (https://github.com/comfyanonymous/ComfyUI): every local
model ComfyUI users already run, through its HTTP API.

``POST /prompt`` with ``{"prompt": <workflow>, "client_id"}`` queues an API-format
workflow (the answer: ``{"prompt_id", "number", "node_errors"}``; a 400 with ``error`` and
``node_errors`` when the workflow is invalid). ``GET /history/{prompt_id}`` is ``{}`` while
it waits and runs, then ``{prompt_id: {"outputs": {node: {"images": [{"filename",
"subfolder", "type"}]}}, "status": {"status_str", "completed", "messages"}}}``; the first
picture is fetched with ``GET /view?filename=&subfolder=&type=``.

The workflow is aifilm's own text-to-image one (``workflows/comfyui_text_to_image.json``:
checkpoint, two prompts, empty latent, KSampler, VAE decode, save), or the user's own
exported with "Export (API)". Filled in per shot: the text of the prompt node feeding the
sampler's ``positive`` input (and ``negative`` when `negative_prompt` is set), every
sampler's ``seed``/``noise_seed``, every empty latent's ``width``/``height`` (the frame's
shape at about ``megapixels``), the checkpoint when `checkpoint` is set; and any string
input that is exactly ``{prompt}``, ``{negative}``, ``{seed}``, ``{width}`` or ``{height}``.
"""

from __future__ import annotations

import copy
import json
import math
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import Field

from aifilm.errors import UserError
from aifilm.pipeline.visuals.remote import GenerationError, Job, RemoteOptions, RemoteVisuals
from aifilm.pipeline.web_api import Failure, default_failure, json_body

DEFAULT_WORKFLOW = Path(__file__).parent / "workflows" / "comfyui_text_to_image.json"
SAMPLERS = ("KSampler", "KSamplerAdvanced", "SamplerCustom", "RandomNoise")
LATENTS = ("EmptyLatentImage", "EmptySD3LatentImage", "EmptyHunyuanLatentVideo")
_KEY_ENV = "COMFYUI_API_KEY"


class ComfyUIImages(RemoteVisuals):
    """Generated pictures from a ComfyUI server's queue."""

    name = "comfyui"
    description = "A ComfyUI server: aifilm's text-to-image workflow or your own (API format)"
    provider = "ComfyUI"
    api_key_env = None  # a plain ComfyUI has no keys; COMFYUI_API_KEY for a proxy that does
    base_env = "AIFILM_COMFYUI_API_BASE"
    default_base = "http://127.0.0.1:8188"
    license = "MIT"  # aifilm's client; ComfyUI itself is GPL-3.0 and runs as its own server
    weights_license = "the checkpoints your ComfyUI server loads, under their own licences"
    terms = "your own ComfyUI server; the checkpoint's licence governs the pictures"
    rejected_hint = "check the workflow: export it from ComfyUI with 'Export (API)'"

    class Options(RemoteOptions):
        model: str = Field("", description="Shown in the report (default: the checkpoint).")
        workflow: Path | None = Field(
            None, description="Your API-format workflow JSON (default: aifilm's text-to-image)."
        )
        checkpoint: str | None = Field(
            None, description="ckpt_name for the checkpoint loader, e.g. an SDXL file."
        )
        megapixels: float = Field(1.0, gt=0.1, le=4, description="Generated size, in MP.")
        time_limit_s: float = Field(900.0, gt=0, le=7200)
        poll_s: float = Field(1.0, gt=0, le=60)

    options: Options

    @property
    def model(self) -> str:
        """The model named in the report: the option, the checkpoint, or the workflow."""
        o = self.options
        return o.model or o.checkpoint or (o.workflow.name if o.workflow else "sd_xl_base_1.0")

    def identity(self) -> dict[str, Any]:
        """The workflow's content decides the picture, not only its path."""
        identity = super().identity()
        identity["workflow"] = json.dumps(self.workflow(), sort_keys=True)
        return identity

    def api_key(self) -> str:
        """A key only for servers behind a proxy that asks for one; none is needed."""
        return os.environ.get(_KEY_ENV, "").strip()

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"} if key else {}

    def classify(self, response: httpx.Response) -> Failure:
        """ComfyUI's `{"error": {"message", "details"}, "node_errors"}` bodies."""
        body = json_body(response)
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            message = f"{error.get('message', '')} {error.get('details', '')}".strip()
            nodes = body.get("node_errors")
            if isinstance(nodes, dict) and nodes:
                message += f" (nodes {', '.join(sorted(nodes))})"
            return default_failure(response, message[:300])
        return default_failure(response)

    def workflow(self) -> dict[str, Any]:
        """The API-format workflow, read and checked."""
        path = self.options.workflow or DEFAULT_WORKFLOW
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(
                f"cannot read the ComfyUI workflow {path}: {exc}",
                hint="export it from ComfyUI with 'Export (API)' and name that file",
            ) from None
        if (
            not isinstance(data, dict)
            or "nodes" in data
            or not all(isinstance(n, dict) and "class_type" in n for n in data.values())
        ):
            raise UserError(
                f"{path} is not an API-format ComfyUI workflow (a UI save has 'nodes')",
                hint="in ComfyUI use 'Export (API)' (enable dev mode options in older versions)",
            )
        return data

    def fill(self, job: Job) -> dict[str, Any]:
        """The workflow with this shot's prompt, seed and size filled in."""
        graph = copy.deepcopy(self.workflow())
        side = math.sqrt(self.options.megapixels * 1e6 / (job.width / job.height))
        width = max(64, round(side * job.width / job.height / 64) * 64)
        height = max(64, round(side / 64) * 64)
        values = {
            "{prompt}": job.prompt,
            "{negative}": self.options.negative_prompt,
            "{seed}": job.seed,
            "{width}": width,
            "{height}": height,
        }
        for node in graph.values():
            inputs = node.setdefault("inputs", {})
            for name, value in list(inputs.items()):
                if isinstance(value, str) and value in values:
                    inputs[name] = values[value]
            kind = node.get("class_type")
            if kind in SAMPLERS:
                for name in ("seed", "noise_seed"):
                    if name in inputs and not isinstance(inputs[name], list):
                        inputs[name] = job.seed
                for which, text in (("positive", job.prompt), ("negative", None)):
                    text = text if text is not None else self.options.negative_prompt or None
                    link = inputs.get(which)
                    if text is not None and isinstance(link, list) and link:
                        source = graph.get(str(link[0]), {})
                        if "text" in source.get("inputs", {}):
                            source["inputs"]["text"] = text
            elif kind in LATENTS:
                inputs["width"], inputs["height"] = width, height
            elif kind == "CheckpointLoaderSimple" and self.options.checkpoint:
                inputs["ckpt_name"] = self.options.checkpoint
        return graph

    def generate(self, job: Job, out_dir: Path) -> bytes:
        """Queue the workflow, wait for its history, fetch its first picture."""
        key = self.key()
        headers = self.headers(key)
        body = {"prompt": self.fill(job), "client_id": str(uuid.uuid4())}
        queued = self.answer(
            self.call("POST", "/prompt", json=body, key=key, headers=headers), "queue"
        )
        ident = queued.get("prompt_id")
        if not isinstance(ident, str) or not ident:
            raise GenerationError("the queue answer had no prompt_id")

        def poll() -> dict[str, Any] | None:
            history = self.answer(
                self.call("GET", f"/history/{ident}", key=key, headers=headers), "history"
            )
            entry = history.get(ident)
            if not isinstance(entry, dict):
                return None
            status = entry.get("status") or {}
            if status.get("status_str") == "error":
                return entry
            return entry if status.get("completed", True) and entry.get("outputs") else None

        done = self.wait(poll, f"ComfyUI prompt {ident}")
        status = done.get("status") or {}
        if status.get("status_str") == "error":
            said = _execution_error(status.get("messages"))
            raise GenerationError(f"the workflow failed on the server: {said}")
        for output in (done.get("outputs") or {}).values():
            for image in (output or {}).get("images", []):
                params = {
                    "filename": str(image.get("filename", "")),
                    "subfolder": str(image.get("subfolder", "")),
                    "type": str(image.get("type", "output")),
                }
                view = self.call("GET", "/view", key=key, headers=headers, params=params)
                return view.content
        raise GenerationError("the workflow finished without a picture (has it a SaveImage?)")


def _execution_error(messages: object) -> str:
    """The exception message of a failed run's `execution_error` message."""
    if isinstance(messages, list):
        for item in messages:
            if isinstance(item, list) and len(item) == 2 and item[0] == "execution_error":
                info = item[1] if isinstance(item[1], dict) else {}
                return str(info.get("exception_message") or info.get("node_type") or "error")[:300]
    return "no reason given"
