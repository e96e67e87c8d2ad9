"""Pictures generated from the director's prompts by the OpenAI Images API.

`POST /v1/images/generations` through the official `openai` client (the llm extra), so
any server speaking it (by `base_url`) works too. The prompt is the shot's direction, the
character sheet included, so characters look alike from shot to shot; the size is the
model's nearest to the frame's shape. An answer comes as base64 (`b64_json`) or as a URL
to fetch. Shots with a picture of their own keep it; a refused prompt, a refused key, an
exhausted quota or no answer leaves that shot the offline picture with a note.
"""

from __future__ import annotations

import base64
import os
import random
import time
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr

from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.direct.base import Direction
from aifilm.pipeline.visuals.base import Visual, VisualRequest
from aifilm.pipeline.visuals.directed import STOCK_KINDS, DirectedVisuals

_SIZES = {"landscape": "1536x1024", "portrait": "1024x1536", "square": "1024x1024"}


class _Failed(Exception):
    """The picture could not be made; the message says why (never the key)."""


class OpenAIImages(DirectedVisuals):
    """Generated pictures from the OpenAI Images API (or a server speaking it)."""

    name = "openai-images"
    description = "OpenAI Images API (gpt-image-1, dall-e-3, compatible servers)"
    extra = "llm"
    requires = ("openai",)
    api_key_env = "OPENAI_API_KEY"
    license = "Apache-2.0"  # the client; the pictures' terms are the provider's
    weights_license = "the provider's models under its terms (OpenAI: outputs are yours to use)"
    terms = "OpenAI Terms of Use (https://openai.com/policies/terms-of-use)"

    class Options(BackendOptions):
        """Model, size and server."""

        model: str = Field("gpt-image-1", description="The image model.")
        size: str | None = Field(None, description="WIDTHxHEIGHT (default: by orientation).")
        quality: str | None = Field(None, description="The model's quality, e.g. low, high.")
        style: str = Field("", description="Appended to every prompt, e.g. 'watercolour'.")
        base_url: str | None = Field(None, description="Server URL (default: OpenAI's).")
        api_key: SecretStr | None = Field(None, description="Key (default: OPENAI_API_KEY).")
        timeout: float = Field(180.0, gt=0)
        retries: int = Field(3, ge=0, le=10)
        max_wait: float = Field(60.0, ge=0)

    options: Options

    def identity(self) -> dict[str, Any]:
        """Model, size, quality, style and server decide the picture; the key does not."""
        o = self.options
        return {
            "backend": self.name,
            "version": self.version,
            "model": o.model,
            "size": o.size,
            "quality": o.quality,
            "style": o.style,
            "base_url": o.base_url or os.environ.get("OPENAI_BASE_URL"),
        }

    def render_directed(
        self, request: VisualRequest, direction: Direction, out_dir: Path
    ) -> tuple[Visual, dict[str, Any] | None]:
        """The generated picture for a shot without one of its own, else the offline still."""
        if request.spec.kind not in STOCK_KINDS:
            return self.render(request, out_dir), None
        prompt = direction.prompt + (f" {self.options.style}" if self.options.style else "")
        try:
            data = self._generate(prompt, self.options.size or _SIZES[direction.orientation])
            path = self._save(data, request, out_dir)
        except _Failed as exc:
            still = self.render(request, out_dir)
            note = f"{self.name}: {exc}; used the offline picture"
            return replace(still, note=note), None  # keeps its faces and layers
        credit = {
            "shot": direction.shot,
            "kind": "generated",
            "provider": "OpenAI" if not self.options.base_url else self.options.base_url,
            "model": self.options.model,
            "license": self.terms,
            "id": f"{self.name}:{direction.shot}:{zlib.crc32(prompt.encode()):08x}",
            "cost_usd": self.cost(request.duration),
            "prompt": prompt,
        }
        return Visual(path, "still", request.width, request.height), credit

    def _generate(self, prompt: str, size: str) -> bytes:
        self.require()
        import openai

        key = self.options.api_key.get_secret_value() if self.options.api_key else None
        key = key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise _Failed("OPENAI_API_KEY is not set")
        client = openai.OpenAI(
            api_key=key, base_url=self.options.base_url, timeout=self.options.timeout, max_retries=0
        )
        extra: dict[str, Any] = {"quality": self.options.quality} if self.options.quality else {}
        for attempt in range(self.options.retries + 1):
            try:
                answer = client.images.generate(
                    model=self.options.model, prompt=prompt, size=size, n=1, **extra
                )
                break
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status in (401, 403):
                    refused = f"the key was refused (HTTP {status}); check OPENAI_API_KEY"
                    raise _Failed(refused) from None
                if status == 400:
                    raise _Failed(f"the prompt was refused: {_said(exc.body)}") from None
                if status != 429 and status < 500:
                    raise _Failed(f"the request was rejected (HTTP {status})") from None
                if attempt == self.options.retries:
                    what = "quota exhausted" if status == 429 else "server error"
                    raise _Failed(f"{what} (HTTP {status}) after {attempt + 1} tries") from None
                wait = exc.response.headers.get("retry-after")
                pause = float(wait) if wait and wait.replace(".", "", 1).isdigit() else None
                time.sleep(min(self.options.max_wait, pause or random.uniform(0.5, 1) * 2**attempt))
            except openai.APIConnectionError:
                if attempt == self.options.retries:
                    raise _Failed(f"no answer after {attempt + 1} tries") from None
                time.sleep(min(self.options.max_wait, 2**attempt))
        item = (answer.data or [None])[0]
        if item is not None and item.b64_json:
            return base64.b64decode(item.b64_json)
        if item is not None and item.url:
            import httpx

            try:
                fetched = httpx.get(item.url, timeout=self.options.timeout, follow_redirects=True)
                fetched.raise_for_status()
            except httpx.HTTPError as exc:
                raise _Failed(f"cannot fetch the picture ({type(exc).__name__})") from None
            return fetched.content
        raise _Failed("the answer held no picture")

    def _save(self, data: bytes, request: VisualRequest, out_dir: Path) -> Path:
        from aifilm.errors import AssetError
        from aifilm.pipeline.visuals.stills import load_picture

        raw = out_dir / "generated.download"
        raw.write_bytes(data)
        try:
            picture = load_picture(raw, (request.width, request.height))
        except AssetError:
            raise _Failed("the answer was not an image") from None
        finally:
            raw.unlink(missing_ok=True)
        out = out_dir / "generated.png"
        picture.save(out)
        return out


def _said(body: object) -> str:
    """The provider's message from an error body."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:200]
    return "no reason given"
