"""What a generated shot costs at the provider: a price table the user can override.

The built-in table holds list prices in USD (December 2026; see docs/visual-apis.md) per
picture or per second of video. Providers change prices, and accounts get discounts, so a
user overrides any row in a TOML file (``AIFILM_PRICES``, else ``prices.toml`` beside the
user config file)::

    [stability]
    core = 0.03                               # per picture
    [runway]
    gen4_turbo = { usd = 0.05, per = "second" }
    [replicate]
    "*" = 0.01                                # every model without its own row

A backend's ``price_usd`` option wins over both. `aifilm plan` shows the estimate per
shot; the hosted server adds it to a job's credits.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from aifilm.errors import SettingsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pydantic-settings' TOML support brings tomli on 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class Price:
    """USD per picture or per second of video."""

    usd: float
    per: Literal["image", "second"] = "image"


PRICES: dict[str, dict[str, Price]] = {
    # Stability AI: credits at $0.01 (Ultra 8, Core 3, SD 3.5 Large 6.5, Turbo 4, Medium 3.5).
    "stability": {
        "ultra": Price(0.08),
        "core": Price(0.03),
        "sd3.5-large": Price(0.065),
        "sd3.5-large-turbo": Price(0.04),
        "sd3.5-medium": Price(0.035),
    },
    # Replicate: official models' prices per output.
    "replicate": {
        "black-forest-labs/flux-schnell": Price(0.003),
        "black-forest-labs/flux-dev": Price(0.025),
        "black-forest-labs/flux-1.1-pro": Price(0.04),
        "black-forest-labs/flux-kontext-pro": Price(0.04),
        "black-forest-labs/flux-kontext-dev": Price(0.025),
    },
    "replicate-video": {
        "wan-video/wan-2.2-i2v-fast": Price(0.05, "second"),
        "wan-video/wan-2.2-t2v-fast": Price(0.05, "second"),
        "minimax/video-01": Price(0.10, "second"),
    },
    # Runway: credits at $0.01 per second of video (Gen-4 Turbo and Gen-3 Alpha Turbo: 5).
    "runway": {
        "gen4_turbo": Price(0.05, "second"),
        "gen3a_turbo": Price(0.05, "second"),
    },
    "openai-images": {
        "gpt-image-1": Price(0.063),
        "dall-e-3": Price(0.08),
        "dall-e-2": Price(0.02),
    },
    # Your own server and the stock libraries cost nothing per shot.
    "comfyui": {"*": Price(0.0)},
    "pexels": {"*": Price(0.0)},
    "pixabay": {"*": Price(0.0)},
    "pexels-video": {"*": Price(0.0)},
    "pixabay-video": {"*": Price(0.0)},
}


def prices_file() -> Path:
    """Where the user's price overrides live."""
    from aifilm.settings import user_config_file

    override = os.environ.get("AIFILM_PRICES")
    return Path(override) if override else user_config_file().parent / "prices.toml"


@lru_cache(maxsize=8)
def _overrides(path: Path, mtime: float) -> dict[str, dict[str, Price]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(
            f"cannot read the price table {path}: {exc}",
            hint="fix the file (TOML: [backend] model = usd) or unset AIFILM_PRICES",
        ) from None
    table: dict[str, dict[str, Price]] = {}
    for backend, rows in data.items():
        if not isinstance(rows, dict):
            raise SettingsError(f"{path}: [{backend}] must be a table of model = price")
        for model, row in rows.items():
            table.setdefault(backend, {})[model] = _price(path, backend, model, row)
    return table


def _price(path: Path, backend: str, model: str, row: object) -> Price:
    where = f"{path}: {backend}.{model}"
    if isinstance(row, int | float) and not isinstance(row, bool) and row >= 0:
        return Price(float(row))
    if isinstance(row, dict):
        usd, per = row.get("usd"), row.get("per", "image")
        if isinstance(usd, int | float) and usd >= 0 and per in ("image", "second"):
            return Price(float(usd), per)
    raise SettingsError(
        f"{where} is {row!r}, not a price",
        hint='write a number of USD per picture, or { usd = 0.05, per = "second" }',
    )


def price_table() -> dict[str, dict[str, Price]]:
    """The built-in table with the user's overrides laid over it."""
    table = {backend: dict(rows) for backend, rows in PRICES.items()}
    path = prices_file()
    if path.is_file():
        for backend, rows in _overrides(path, path.stat().st_mtime).items():
            table.setdefault(backend, {}).update(rows)
    return table


def price_of(backend: str, model: str, option: float | None = None) -> Price | None:
    """A model's price (the backend's `price_usd` option first); None when unknown."""
    rows = price_table().get(backend, {})
    found = rows.get(model) or rows.get("*")
    if option is not None:
        return Price(option, found.per if found else "image")
    return found


def shot_cost(backend: object, kind: str, seconds: float) -> float:
    """What one shot of visual `kind` and `seconds` costs with this visuals backend: only
    shots without a picture of their own go to a provider."""
    from aifilm.pipeline.visuals.directed import STOCK_KINDS, DirectedVisuals

    if isinstance(backend, DirectedVisuals) and kind in STOCK_KINDS:
        return backend.cost(seconds)
    return 0.0
