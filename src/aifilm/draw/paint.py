"""Colour fields: plain colours with a vignette, soft gradients, dithered to avoid banding.

Shared by title cards, generated stills, portraits and podcast backdrops.
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING

from aifilm.errors import UserError

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image


def parse_color(value: str) -> tuple[int, int, int]:
    """An (r, g, b) from a colour name or hex code; `UserError` naming the value if unknown."""
    from PIL import ImageColor

    try:
        rgb = ImageColor.getrgb(value.strip())
    except ValueError:
        raise UserError(
            f"unknown colour '{value}'",
            hint="use a colour name such as 'navy', or a hex code such as '#1d3557'",
        ) from None
    return rgb[0], rgb[1], rgb[2]


def grid(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    width, height = size
    x = (np.arange(width, dtype=np.float32) + 0.5) / width - 0.5
    y = (np.arange(height, dtype=np.float32) + 0.5) / height - 0.5
    return x[None, :], y[:, None]


def to_image(rgb: np.ndarray) -> Image.Image:
    """Float RGB (0..255) to an image, with a fixed ordered dither so gradients do not band."""
    import numpy as np
    from PIL import Image

    bayer = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32)
    height, width = rgb.shape[:2]
    tile = np.tile((bayer + 0.5) / 16 - 0.5, (height // 4 + 1, width // 4 + 1))[:height, :width]
    out = np.clip(rgb + tile[:, :, None] + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(out)


def shade(color: tuple[int, int, int], size: tuple[int, int]) -> np.ndarray:
    """A colour with a soft vignette and a faint top light, as float RGB."""
    import numpy as np

    x, y = grid(size)
    aspect = size[0] / size[1]
    r2 = ((x * aspect) ** 2 + y**2) / (0.25 * aspect**2 + 0.25)  # 0 centre .. 1 corners
    base = np.array(color, np.float32)[None, None, :]
    factor = (1.06 - 0.38 * r2 - 0.06 * y)[:, :, None]
    # On very dark colours a darker edge cannot be seen: lift the centre instead.
    lift = max(0.0, 40.0 - float(base.mean())) * 0.5 * (1 - r2)[:, :, None]
    result: np.ndarray = base * factor + lift
    return result


def color_still(color: str, size: tuple[int, int]) -> Image.Image:
    """A plain colour with a subtle vignette so motion shows."""
    return to_image(shade(parse_color(color), size))


PALETTES: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((38, 70, 83), (42, 157, 143), (233, 196, 106), (244, 162, 97), (231, 111, 81)),
    ((29, 53, 87), (69, 123, 157), (168, 218, 220), (241, 250, 238), (230, 57, 70)),
    ((61, 64, 91), (129, 178, 154), (242, 204, 143), (224, 122, 95), (244, 241, 222)),
    ((34, 34, 59), (74, 78, 105), (154, 140, 152), (201, 173, 167), (242, 233, 228)),
    ((0, 48, 73), (214, 40, 40), (247, 127, 0), (252, 191, 73), (234, 226, 183)),
    ((53, 80, 112), (109, 89, 122), (181, 101, 118), (229, 107, 111), (234, 172, 139)),
    ((15, 76, 92), (95, 15, 64), (154, 3, 30), (251, 139, 36), (227, 100, 20)),
    ((43, 45, 66), (141, 153, 174), (237, 242, 244), (239, 35, 60), (217, 4, 41)),
)


def rng(*parts: object) -> random.Random:
    # Python's hash() of a str changes per process; a digest does not.
    digest = hashlib.sha256(repr(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def blobs(rng: random.Random, size: tuple[int, int], darken: float = 1.0) -> np.ndarray:
    """A soft multi-colour gradient: a few colour blobs blended over a base, float RGB."""
    import numpy as np
    from PIL import Image

    palette = list(rng.choice(PALETTES))
    rng.shuffle(palette)
    small = (64, max(1, round(64 * size[1] / size[0])))
    x, y = grid(small)
    base = np.array(palette[0], np.float32)
    acc = np.zeros((small[1], small[0], 3), np.float32) + base * 0.3
    weight = np.ones((small[1], small[0], 1), np.float32) * 0.3
    for color in palette[1:4]:
        cx, cy = rng.uniform(-0.45, 0.45), rng.uniform(-0.45, 0.45)
        radius = rng.uniform(0.25, 0.5)
        w = np.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2)))[:, :, None]
        acc += np.array(color, np.float32) * w
        weight += w
    blend = acc / weight * darken
    # Enlarge the small field smoothly (bicubic on float channels), then vignette.
    channels = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(blend[:, :, c])).resize(
                size, Image.Resampling.BICUBIC
            )
        )
        for c in range(3)
    ]
    field = np.stack(channels, axis=2)
    xs, ys = grid(size)
    vignette = (1.04 - 0.32 * ((xs * 1.2) ** 2 + (ys * 1.2) ** 2) * 2)[:, :, None]
    result: np.ndarray = field * vignette
    return result
