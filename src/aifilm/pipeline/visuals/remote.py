"""What the visual backends that call a generation API share (Stability, Replicate, Runway,
ComfyUI): one job per shot without a picture of its own, its result fitted to the shot.

A backend implements `generate(job, out_dir)`, returning the bytes of a picture or a clip;
this base turns them into the shot's still (through `stills.load_picture`, so a huge or odd
file is handled as any image is) or its clip (FFmpeg: the shot's size, rate and exact frame
count, looped when the provider's clip is shorter than the shot). Anything that keeps the
provider from answering (no key, a refused key, an exhausted quota, refused content, a
malformed answer, a job past its time limit) leaves the shot the offline picture with a
note, which the render shows as a warning. Asynchronous providers poll with `wait`.

Each generated shot is credited in the render report with the provider's terms, the model
and the estimated cost (`aifilm.pipeline.visuals.prices`).
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import math
import mimetypes
import tempfile
import time
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import Field

from aifilm.errors import AifilmError
from aifilm.pipeline.direct.base import Direction
from aifilm.pipeline.visuals.base import Visual, VisualRequest
from aifilm.pipeline.visuals.directed import STOCK_KINDS, DirectedVisuals
from aifilm.pipeline.web_api import ConnectionOptions, WebApiBackend, json_body

T = TypeVar("T")
STILL_FILE = "generated.png"
# Options that change how long we wait or what we estimate, never the picture.
_NOT_OUTPUT = frozenset({"time_limit_s", "poll_s", "price_usd"})


class GenerationError(Exception):
    """The provider did not make this shot's picture; the message says why (never the key)."""


@dataclass(frozen=True)
class Job:
    """One shot's generation: what to show and at which shape."""

    prompt: str
    seed: int
    width: int
    height: int
    duration: float
    orientation: str  # landscape | portrait | square
    reference: Path | None = None  # the featured character's picture, if the spec gives one
    request: VisualRequest | None = None  # the shot's own request (for its offline still)

    def first_frame(self, out_dir: Path) -> Path:
        """A still to start a clip from: the featured character's picture, else the shot's
        offline picture (a drawn scene from its words)."""
        if self.reference is not None:
            return self.reference
        from aifilm.pipeline.visuals.stills import Stills

        folder = out_dir / "first-frame"
        folder.mkdir(exist_ok=True)
        if self.request is not None:
            return Stills().render(self.request, folder).path
        from aifilm.pipeline.timeline import VisualSpec

        spec = VisualSpec(kind="generated", text=self.prompt[:300], seed=self.seed)
        request = VisualRequest(spec, self.width, self.height, self.duration, 24)
        return Stills().render(request, folder).path


class RemoteOptions(ConnectionOptions):
    """Options every generation backend has, besides its model."""

    style: str = Field("", description="Appended to every prompt, e.g. 'watercolour'.")
    negative_prompt: str = Field("", description="What no picture should show, where supported.")
    seed: int = Field(0, ge=0, description="Added to each shot's seed (change it to redraw).")
    use_reference: bool = Field(
        True, description="Send the featured character's picture where the API takes one."
    )
    time_limit_s: float = Field(
        600.0, gt=0, le=7200, description="Most seconds one shot's job may take, queue included."
    )
    poll_s: float = Field(2.0, gt=0, le=60, description="Seconds between status checks.")
    price_usd: float | None = Field(
        None, ge=0, description="Your price per picture (or per second of video), in USD."
    )


class RemoteVisuals(WebApiBackend, DirectedVisuals):
    """Base of generation backends over HTTP: pictures or clips from a provider's API."""

    output: ClassVar[Literal["still", "video"]] = "still"
    terms: ClassVar[str]  # the provider's terms of use for what it generates
    cached_what = "finished shots"
    rejected_hint = "check the backend's options (model, size) against the provider's docs"

    class Options(RemoteOptions):
        model: str = Field("", description="The provider's model.")

    options: RemoteOptions

    @property
    def model(self) -> str:
        """The model this backend asks for (every backend's options name one)."""
        return str(getattr(self.options, "model", ""))

    def identity(self) -> dict[str, Any]:
        """Provider, model and what shapes the picture; not the address, waits or price."""
        identity = super().identity()
        identity["options"] = {k: v for k, v in identity["options"].items() if k not in _NOT_OUTPUT}
        return identity

    @abstractmethod
    def generate(self, job: Job, out_dir: Path) -> bytes:
        """The picture or clip for the job (raise `GenerationError` when there is none)."""

    def headers(self, key: str) -> dict[str, str]:
        """The request headers: the key as a bearer token."""
        return {"Authorization": f"Bearer {key}"}

    def key(self) -> str:
        """The API key (a `MissingDependencyError` naming its variable when unset)."""
        return self.api_key()

    def render_directed(
        self, request: VisualRequest, direction: Direction, out_dir: Path
    ) -> tuple[Visual, dict[str, Any] | None]:
        """The generated picture or clip for a shot without its own, else the offline still."""
        if request.spec.kind not in STOCK_KINDS:
            return self.render(request, out_dir), None
        o = self.options
        prompt = direction.prompt + (f" {o.style}" if o.style else "")
        reference = request.spec.reference if o.use_reference else None
        job = Job(
            prompt=prompt,
            seed=(request.spec.seed + o.seed) % 2**32,
            width=request.width,
            height=request.height,
            duration=request.duration,
            orientation=direction.orientation,
            reference=reference if reference is not None and reference.is_file() else None,
            request=request,
        )
        try:
            data = self.generate(job, out_dir)
            if self.output == "video":
                path = self.clip(data, request, out_dir)
            else:
                path = self.still(data, request, out_dir)
        except (
            GenerationError,
            AifilmError,
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
        ) as exc:
            still = self.render(request, out_dir)
            if isinstance(exc, AifilmError):
                text = exc.message
            elif isinstance(exc, GenerationError):
                text = str(exc)
            else:  # an answer of the wrong shape deep in a provider's JSON
                text = f"the answer was not in {self.provider}'s format ({type(exc).__name__})"
            note = f"{self.name}: {text}; used the offline picture"
            return dataclasses.replace(still, note=note), None  # keeps its faces and layers
        digest = hashlib.sha256(data).hexdigest()[:16]
        credit = {
            "shot": direction.shot,
            "kind": "generated",
            "provider": self.provider,
            "model": self.model,
            "license": self.terms,
            "id": f"{self.name}:{digest}",
            "cost_usd": self.cost(request.duration),
            "prompt": prompt,
        }
        return Visual(path, self.output, request.width, request.height), credit

    # --- results --------------------------------------------------------------------

    def still(self, data: bytes, request: VisualRequest, out_dir: Path) -> Path:
        """The picture fitted to the shot (any format Pillow reads)."""
        from aifilm.errors import AssetError
        from aifilm.pipeline.visuals.stills import load_picture

        with tempfile.NamedTemporaryFile(dir=out_dir, suffix=".img", delete=False) as raw:
            raw.write(data)
        try:
            picture = load_picture(Path(raw.name), (request.width, request.height))
        except AssetError:
            raise GenerationError("the answer was not an image") from None
        finally:
            Path(raw.name).unlink(missing_ok=True)
        out = out_dir / STILL_FILE
        picture.save(out)
        return out

    def clip(self, data: bytes, request: VisualRequest, out_dir: Path) -> Path:
        """The clip at the shot's size and rate with exactly its frames (looped if short)."""
        from aifilm.errors import ToolError
        from aifilm.pipeline.visuals.clips import fit_clip

        try:
            return fit_clip(data, request, out_dir, f"FFmpeg (fitting the {self.provider} clip)")
        except ToolError:
            raise GenerationError("the answer was not a playable video") from None

    # --- protocol helpers -----------------------------------------------------------

    def fetch(self, url: str, key: str) -> bytes:
        """Download a result the provider links to (retried like every call; the key is
        sent only to the provider's own address)."""
        own = url.startswith(self.base_url())
        response = self.call("GET", url, key=key, headers=self.headers(key) if own else {})
        return response.content

    def wait(self, poll: Callable[[], T | None], what: str) -> T:
        """Call `poll` every `poll_s` until it returns something, up to `time_limit_s`."""
        deadline = time.monotonic() + self.options.time_limit_s
        while True:
            found = poll()
            if found is not None:
                return found
            if time.monotonic() + self.options.poll_s > deadline:
                raise GenerationError(
                    f"{what} was not done after the time limit of {self.options.time_limit_s:g} s "
                    "(raise time_limit_s in the backend's options)"
                )
            time.sleep(self.options.poll_s)

    def cancel(self, method: str, path: str, key: str) -> None:
        """Ask the provider to drop a job past its time limit (so it bills no more);
        whether it listens changes nothing for the shot, which falls back either way."""
        with contextlib.suppress(AifilmError):
            self.call(method, path, key=key, headers=self.headers(key))

    def answer(self, response: Any, what: str) -> dict[str, Any]:
        """The JSON object of an answer, or a `GenerationError` for anything else."""
        body = json_body(response)
        if not isinstance(body, dict):
            raise GenerationError(f"the {what} answer was not JSON")
        return body


def data_uri(path: Path) -> str:
    """A picture as a data: URI (APIs that take an image inline)."""
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode()


def ratio_of(width: int, height: int, choices: tuple[str, ...], sep: str = ":") -> str:
    """The choice ("16:9", "1280:720") whose shape is nearest the frame's."""
    want = math.log(width / max(1, height))

    def distance(choice: str) -> float:
        a, b = (float(v) for v in choice.split(sep))
        return abs(math.log(a / b) - want)

    return min(choices, key=distance)
