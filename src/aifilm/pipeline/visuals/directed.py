"""Visual backends that work from the director's `Direction` (stock libraries first).

The visuals stage hands a `DirectedVisuals` backend each shot's direction beside its
request. `StockPhotos` is the shared part of stock libraries: search by the director's
terms and orientation, pick the largest picture of the right shape that this render has
not used yet, fit it to the shot, and record the credit. Shots with their own image,
colour or title card, podcast panels, and any shot the library cannot serve (no result,
a refused key, an exhausted quota, a server down) get the offline still with a note.
"""

from __future__ import annotations

import dataclasses
import os
import random
import threading
import time
from abc import abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.direct.base import Direction
from aifilm.pipeline.visuals.base import Visual, VisualRequest, VisualsBackend

STOCK_KINDS = ("generated", "prompt")  # shots that have no picture of their own


@dataclass(frozen=True)
class StockPhoto:
    """One search result: where to fetch it and whom to credit."""

    id: str
    image_url: str
    page_url: str
    width: int
    height: int
    author: str
    author_url: str | None = None


def credit_lines(credits: list[dict[str, Any]]) -> str:
    """The stock credits of a render report as lines for a video description: one per
    library, its authors in the order they appear ("Photos from Pexels: A, B")."""
    authors: dict[tuple[str, str], dict[str, None]] = {}
    for credit in credits:
        provider, author = str(credit.get("provider", "")), str(credit.get("author", ""))
        media = "Videos" if credit.get("media") == "video" else "Photos"
        if provider and author:
            authors.setdefault((media, provider), {})[author] = None
    return "\n".join(
        f"{media} from {p}: {', '.join(names)}" for (media, p), names in authors.items()
    )


class StockError(Exception):
    """The library could not serve this shot (the message says why, never the key)."""


class DirectedVisuals(VisualsBackend):
    """A visuals backend that reads each shot's direction."""

    def reserve(self, picture_id: str) -> None:
        """Mark a picture as shown in this film already (a cached shot), so none repeats."""

    def cost(self, seconds: float) -> float:
        """Estimated USD the provider charges for one shot of `seconds` (the price table
        by backend and model, or the backend's `price_usd` option; 0 when unknown)."""
        from aifilm.pipeline.visuals.prices import price_of

        model = str(getattr(self.options, "model", "") or "*")
        price = price_of(self.name, model, getattr(self.options, "price_usd", None))
        if price is None:
            return 0.0
        return round(price.usd * (self.billed_seconds(seconds) if price.per == "second" else 1), 4)

    def billed_seconds(self, seconds: float) -> float:
        """Seconds the provider bills for a shot of `seconds` (video models)."""
        return seconds

    @abstractmethod
    def render_directed(
        self, request: VisualRequest, direction: Direction, out_dir: Path
    ) -> tuple[Visual, dict[str, Any] | None]:
        """The shot's picture and, when it comes from a library, its credit."""

    def render(self, request: VisualRequest, out_dir: Path) -> Visual:
        """Without a direction (outside a render): the offline still."""
        from aifilm.pipeline.visuals.stills import Stills

        return Stills().render(request, out_dir)


class StockLibrary(DirectedVisuals):
    """A stock library's search API: key, address, retries, and no picture twice a film."""

    provider: ClassVar[str]  # as credits name it: "Pexels"
    content_license: ClassVar[str]  # the library's licence for what it serves
    default_url: ClassVar[str]
    url_env: ClassVar[str]  # a variable that moves the API (a proxy, a test server)

    class Options(BackendOptions):
        """Where and how to ask."""

        api_key: str | None = Field(None, description="The key (default: its variable).")
        base_url: str | None = Field(None, description="The API's address (for proxies, tests).")
        results: int = Field(15, ge=3, le=80, description="Results to choose among per shot.")
        timeout: float = Field(30.0, gt=0)
        retries: int = Field(3, ge=0, le=10)
        max_wait: float = Field(30.0, ge=0)

    options: Options

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def reserve(self, picture_id: str) -> None:
        """Mark a library photo as shown in this film already."""
        with self._lock:
            self._used.add(picture_id)

    def identity(self) -> dict[str, Any]:
        """What decides the picture: the library and how many results are weighed (no key)."""
        return {"backend": self.name, "version": self.version, "results": self.options.results}

    def render_directed(
        self, request: VisualRequest, direction: Direction, out_dir: Path
    ) -> tuple[Visual, dict[str, Any] | None]:
        """A library picture for a shot without one of its own, else the offline still."""
        if request.spec.kind not in STOCK_KINDS:
            return self.render(request, out_dir), None
        try:
            visual, found = self.fetch_directed(request, direction, out_dir)
        except StockError as exc:
            still = self.render(request, out_dir)
            note = f"{self.provider}: {exc}; used the offline picture"
            return dataclasses.replace(still, note=note), None  # keeps its faces and layers
        credit = {
            "shot": direction.shot,
            "provider": self.provider,
            "license": self.content_license,
            "terms": ", ".join(direction.search),
            **found,
        }
        return visual, credit

    @abstractmethod
    def fetch_directed(
        self, request: VisualRequest, direction: Direction, out_dir: Path
    ) -> tuple[Visual, dict[str, Any]]:
        """The library's picture for the shot and its credit's fields (`StockError` if none)."""

    @property
    def url(self) -> str:
        chosen = self.options.base_url or os.environ.get(self.url_env) or self.default_url
        return chosen.rstrip("/")

    def key(self) -> str:
        key = self.options.api_key or (os.environ.get(self.api_key_env or "") or None)
        if not key:
            raise StockError(f"{self.api_key_env} is not set")
        return key

    def take(self, picture_id: str) -> bool:
        """Claim a result for this film; False when another shot has it already."""
        with self._lock:
            if picture_id in self._used:
                return False
            self._used.add(picture_id)
            return True

    def queries(self, direction: Direction) -> list[str]:
        """The first two terms, then each alone: a narrower search first."""
        queries = [" ".join(direction.search[:2]), *direction.search[:3]]
        return list(dict.fromkeys(q for q in queries if q.strip()))

    def get(
        self, url: str, params: dict[str, Any], headers: dict[str, str], *, raw: bool = False
    ) -> Any:
        """GET with retries on 429 and 5xx (as long as Retry-After says, up to max_wait)."""
        import httpx

        for attempt in range(self.options.retries + 1):
            try:
                with httpx.Client(timeout=self.options.timeout, follow_redirects=True) as client:
                    response = client.get(url, params=params, headers=headers)
            except httpx.HTTPError as exc:
                if attempt == self.options.retries:
                    name = type(exc).__name__
                    raise StockError(f"no answer from {self.provider} ({name})") from None
                time.sleep(min(self.options.max_wait, 0.5 * 2**attempt))
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                if attempt == self.options.retries:
                    what = "quota exhausted" if status == 429 else "server error"
                    raise StockError(f"{what} (HTTP {status}) after {attempt + 1} tries")
                wait = response.headers.get("retry-after")
                try:
                    pause = float(wait) if wait is not None else 0.5 * 2**attempt
                except ValueError:
                    pause = 0.5 * 2**attempt
                time.sleep(
                    min(self.options.max_wait, pause) * (1 if wait else random.uniform(0.5, 1))
                )
                continue
            if status in (401, 403):
                raise StockError(f"the key was refused (HTTP {status}); check {self.api_key_env}")
            if status >= 400:
                raise StockError(f"the request was rejected (HTTP {status})")
            if raw:
                return response.content
            try:
                return response.json()
            except ValueError:  # a proxy's or captive portal's HTML page
                raise StockError(f"the answer (HTTP {status}) is not JSON") from None
        raise AssertionError("unreachable")  # pragma: no cover


class StockPhotos(StockLibrary):
    """Photos from a stock library's search API, credited in the render report."""

    @abstractmethod
    def search(self, terms: str, orientation: str) -> list[StockPhoto]:
        """Photos for the terms, best first (raise `StockError` when the library cannot)."""

    def fetch_directed(
        self, request: VisualRequest, direction: Direction, out_dir: Path
    ) -> tuple[Visual, dict[str, Any]]:
        """A library photo for the shot and what its credit says of it."""
        photo = self._pick(direction, request)
        path = self._fetch(photo, request, out_dir)
        return Visual(path, "still", request.width, request.height), asdict(photo)

    def _pick(self, direction: Direction, request: VisualRequest) -> StockPhoto:
        tried: list[str] = []
        for terms in self.queries(direction):
            tried.append(terms)
            found = self.search(terms, direction.orientation)
            wide = request.width >= request.height
            shaped = [p for p in found if (p.width >= p.height) == wide] or found
            shaped.sort(key=lambda p: p.width * p.height >= request.width * request.height,
                        reverse=True)  # fmt: skip
            for photo in shaped:
                if self.take(photo.id):
                    return photo
        raise StockError(f"no unused result for {' / '.join(repr(t) for t in tried) or 'the shot'}")

    def _fetch(self, photo: StockPhoto, request: VisualRequest, out_dir: Path) -> Path:
        from aifilm.errors import AssetError
        from aifilm.pipeline.visuals.stills import load_picture

        data = self.get(photo.image_url, {}, {}, raw=True)
        assert isinstance(data, bytes)
        raw = out_dir / "stock.download"
        raw.write_bytes(data)
        try:
            picture = load_picture(raw, (request.width, request.height))
        except AssetError:
            raise StockError(f"photo {photo.id} is not an image") from None
        finally:
            raw.unlink(missing_ok=True)
        out = out_dir / "stock.png"
        picture.save(out)
        return out
