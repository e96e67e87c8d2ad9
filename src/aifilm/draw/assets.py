"""The pictures shipped with aifilm: their index, licence, and rasters cached by content.

SVGs live in ``assets/`` beside this module with ``manifest.json`` (name, the words
that pick each picture, licence, source). `raster` draws one with resvg at a pixel
size; the result is kept in memory keyed by the SVG's bytes and the size, so a film
that shows the crow in ten shots rasterises it once.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from aifilm.errors import AssetError

if TYPE_CHECKING:
    from PIL import Image

_PACKAGE = "aifilm.draw"
_MAX_CACHED = 256


@dataclass(frozen=True)
class Licence:
    """Where a set of pictures comes from and the terms it is used under."""

    source: str
    url: str
    license: str
    attribution: str


@functools.cache
def _manifest() -> dict[str, Any]:
    text = resources.files(_PACKAGE).joinpath("assets/manifest.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def names() -> frozenset[str]:
    """Every shipped picture's name."""
    return frozenset(_manifest()["assets"])


def has(name: str) -> bool:
    """Whether a picture of that name ships."""
    return name in _manifest()["assets"]


def licence() -> Licence:
    """The licence of the shipped pictures (all from one source)."""
    data = _manifest()
    return Licence(data["source"], data["url"], data["license"], data["attribution"])


def licence_text() -> str:
    """The full licence text shipped with the pictures."""
    name = _manifest()["license_file"]
    return resources.files(_PACKAGE).joinpath(f"assets/{name}").read_text(encoding="utf-8")


def svg(name: str) -> bytes:
    """The SVG source of a shipped picture; `AssetError` if there is none."""
    entry = _manifest()["assets"].get(name)
    if entry is None:
        raise AssetError(
            f"no shipped picture named '{name}'",
            hint="see src/aifilm/draw/assets/manifest.json for the names",
        )
    return _read(entry["file"])


@functools.cache
def _read(file: str) -> bytes:
    """A shipped file's bytes, read once per process (the art does not change under it)."""
    return resources.files(_PACKAGE).joinpath(f"assets/{file}").read_bytes()


@functools.cache
def _digest(name: str) -> str:
    return hashlib.sha256(svg(name)).hexdigest()


def raster(name: str, height: int, *, flip: bool = False) -> Image.Image:
    """The picture `name` drawn `height` pixels tall (RGBA), optionally mirrored."""
    picture = _raster(_digest(name), max(4, int(height)), name)
    if flip:
        from PIL import ImageOps

        return ImageOps.mirror(picture)
    return picture.copy()


@functools.lru_cache(maxsize=_MAX_CACHED)
def _raster(digest: str, height: int, name: str) -> Image.Image:
    """Keyed by the SVG's digest: a changed picture is never served from the cache."""
    import resvg_py
    from PIL import Image

    text = svg(name).decode("utf-8")
    png = resvg_py.svg_to_bytes(
        svg_string=text, height=height, width=height, skip_system_fonts=True
    )
    with Image.open(io.BytesIO(bytes(png))) as im:
        picture: Image.Image = im.convert("RGBA")
    return picture
