"""Backdrops that fit a scene: where it is (forest, palace, desert, river, night sky,
temple, classroom, studio...) picked from its heading and words, drawn as layered art.

A backdrop is a sky gradient, far hills, a ground band and a few scenery pictures on
the horizon, all from the setting's palette. A scene's `color` tints the sky, so a
user's chosen mood survives. Drawing is plain Pillow and numpy: fast, deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Setting:
    """Where a scene happens, and how to paint it."""

    name: str
    sky: tuple[RGB, RGB]  # top, horizon
    hills: tuple[RGB, RGB]  # far, near
    ground: tuple[RGB, RGB]  # horizon, front
    scenery: tuple[str, ...]  # assets on the horizon, repeated along it
    sky_things: tuple[str, ...] = ()  # sun, moon, clouds
    indoor: bool = False
    water: bool = False  # a band of water in front of the hills
    stars: bool = False


# fmt: off
SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting("meadow", ((120, 190, 240), (214, 238, 250)), ((150, 196, 140), (110, 170, 100)),
                ((128, 186, 96), (88, 150, 70)), ("deciduous-tree", "blossom", "herb"),
                ("sun", "cloud")),
        Setting("forest", ((110, 180, 225), (200, 232, 236)), ((84, 140, 104), (60, 118, 80)),
                ((96, 150, 72), (62, 112, 52)),
                ("evergreen-tree", "deciduous-tree", "evergreen-tree"),
                ("cloud",)),
        Setting("village", ((250, 190, 120), (252, 228, 180)), ((196, 170, 110), (168, 140, 86)),
                ((200, 164, 100), (164, 124, 72)), ("hut", "deciduous-tree", "house"),
                ("sun",)),
        Setting("palace", ((120, 170, 235), (230, 236, 250)), ((170, 200, 150), (140, 180, 120)),
                ((150, 196, 120), (112, 160, 90)), ("castle", "palm-tree", "fountain"),
                ("cloud",)),
        Setting("desert", ((240, 170, 90), (252, 222, 160)), ((226, 170, 100), (214, 150, 84)),
                ((236, 196, 128), (214, 166, 98)), ("cactus", "desert", "cactus"), ("sun",)),
        Setting("river", ((130, 196, 240), (220, 240, 250)), ((130, 180, 130), (100, 160, 100)),
                ((120, 176, 96), (84, 140, 66)), ("deciduous-tree", "evergreen-tree"),
                ("cloud", "sun"),
                water=True),
        Setting("sea", ((100, 180, 240), (210, 236, 250)), ((120, 170, 200), (90, 150, 190)),
                ((238, 214, 160), (220, 190, 130)), ("palm-tree", "spiral-shell"), ("sun",),
                water=True),
        Setting("night", ((14, 20, 52), (52, 60, 112)), ((34, 44, 84), (24, 34, 66)),
                ((30, 52, 50), (20, 38, 38)), ("evergreen-tree", "deciduous-tree"),
                ("crescent-moon",), stars=True),
        Setting("space", ((4, 6, 20), (20, 24, 58)), ((60, 62, 74), (80, 82, 94)),
                ((150, 150, 158), (112, 112, 122)), ("rock", "new-moon"),
                ("ringed-planet", "globe-showing-asia-australia"), stars=True),
        Setting("temple", ((236, 120, 60), (252, 204, 120)), ((196, 110, 70), (170, 90, 56)),
                ((200, 132, 84), (160, 96, 60)), ("hindu-temple", "deciduous-tree"),
                ("sun",)),
        Setting("mountain", ((110, 170, 230), (220, 236, 250)), ((150, 160, 190), (110, 130, 160)),
                ((120, 160, 110), (90, 130, 84)), ("snow-capped-mountain", "evergreen-tree"),
                ("cloud",)),
        Setting("city", ((150, 190, 230), (230, 236, 244)), ((160, 168, 190), (130, 140, 164)),
                ((150, 150, 160), (120, 120, 132)), ("office-building", "houses", "cityscape"),
                ("cloud",)),
        Setting("sky", ((90, 160, 236), (200, 228, 250)), ((170, 200, 230), (150, 186, 222)),
                ((130, 186, 110), (96, 150, 84)), ("deciduous-tree",), ("cloud", "sun", "cloud")),
        Setting("classroom", ((236, 222, 196), (226, 208, 176)), ((0, 0, 0), (0, 0, 0)),
                ((176, 124, 82), (140, 96, 62)), ("books", "globe-showing-asia-australia"),
                ("alarm-clock",), indoor=True),
        Setting("studio", ((40, 44, 70), (70, 60, 100)), ((0, 0, 0), (0, 0, 0)),
                ((58, 50, 78), (40, 34, 56)), ("studio-microphone", "potted-plant"),
                ("musical-notes",), indoor=True),
        Setting("home", ((240, 224, 200), (232, 212, 184)), ((0, 0, 0), (0, 0, 0)),
                ((170, 120, 80), (134, 92, 60)), ("potted-plant", "couch-and-lamp"),
                ("framed-picture",), indoor=True),
    )
}
# fmt: on

# word -> setting, for headings and narration ("The old banyan tree" -> forest).
# fmt: off
SETTING_WORDS: dict[str, str] = {
    "forest": "forest", "jungle": "forest", "woods": "forest", "wood": "forest",
    "tree": "forest", "banyan": "forest", "trees": "forest",
    "meadow": "meadow", "field": "meadow", "garden": "meadow", "park": "meadow",
    "village": "village", "farm": "village", "hut": "village", "farmer's": "village",
    "house": "village", "summer": "village", "hot": "village", "drought": "village",
    "palace": "palace", "castle": "palace", "kingdom": "palace", "court": "palace",
    "king": "palace", "queen": "palace", "throne": "palace",
    "desert": "desert", "sand": "desert", "dunes": "desert", "camel": "desert",
    "river": "river", "lake": "river", "pond": "river", "rivers": "river",
    "sea": "sea", "ocean": "sea", "beach": "sea", "oceans": "sea", "tides": "sea",
    "tide": "sea", "island": "sea", "shore": "sea",
    "night": "night", "evening": "night", "dark": "night", "dream": "night",
    "moon": "space", "space": "space", "craters": "space", "crater": "space",
    "planet": "space", "stars": "night", "astronaut": "space", "rocket": "space",
    "temple": "temple", "prayer": "temple", "mantra": "temple", "god": "temple",
    "divine": "temple", "sloka": "temple", "puja": "temple", "diya": "temple",
    "mountain": "mountain", "mountains": "mountain", "hill": "mountain", "snow": "mountain",
    "city": "city", "town": "city", "street": "city", "office": "city", "market": "city",
    "sky": "sky", "clouds": "sky", "cloud": "sky", "rain": "sky", "weather": "sky",
    "vapour": "sky", "wind": "sky",
    "classroom": "classroom", "school": "classroom", "class": "classroom",
    "lesson": "classroom", "teacher": "classroom", "explain": "classroom",
    "studio": "studio", "podcast": "studio", "show": "studio", "episode": "studio",
    "home": "home", "room": "home", "kitchen": "home", "bedroom": "home",
    # Hindi
    "जंगल": "forest", "पेड़": "forest", "गाँव": "village", "महल": "palace",
    "नदी": "river", "नदियों": "river", "समुद्र": "sea", "रात": "night", "चाँद": "space",
    "मंदिर": "temple", "प्रार्थना": "temple", "मंत्र": "temple", "ॐ": "temple",
    "बादल": "sky", "बादलों": "sky", "बारिश": "sky", "भाप": "sky", "पहाड़": "mountain",
    "शहर": "city", "कक्षा": "classroom", "घर": "home",
}
# fmt: on
SCENERY_ASSETS = sorted({a for s in SETTINGS.values() for a in (*s.scenery, *s.sky_things)})


def pick_setting(
    heading: str, words: str, default: str = "meadow", language: str = "en"
) -> Setting:
    """The setting the heading names, else the one the words name most, else `default`.
    In a French, Spanish, Portuguese, Italian, German, Russian or Mandarin film, its words
    name settings too ("la forêt", "auf dem Markt", "у реки", "河边")."""
    from aifilm.draw.words import english_noun, tokens

    def setting_of(token: str) -> str | None:
        if token in SETTING_WORDS:
            return SETTING_WORDS[token]
        english = english_noun(token, language)
        return SETTING_WORDS.get(english) if english else None

    for token in tokens(heading.casefold(), language):
        if setting := setting_of(token):
            return SETTINGS[setting]
    counts: dict[str, int] = {}
    for token in tokens(words.casefold(), language):
        name = setting_of(token)
        if name:
            counts[name] = counts.get(name, 0) + 1
    if counts:
        return SETTINGS[max(counts, key=lambda n: counts[n])]
    return SETTINGS[default]


def _tinted(color: RGB, tint: RGB | None, amount: float) -> RGB:
    if tint is None:
        return color
    return (
        round(color[0] + (tint[0] - color[0]) * amount),
        round(color[1] + (tint[1] - color[1]) * amount),
        round(color[2] + (tint[2] - color[2]) * amount),
    )


def horizon_y(size: tuple[int, int], setting: Setting) -> int:
    """Where the ground meets the sky (or the wall the floor), in pixels from the top."""
    return round(size[1] * (0.58 if setting.indoor else 0.55))


def paint_backdrop(
    setting: Setting, size: tuple[int, int], seed: int, tint: RGB | None = None
) -> Image.Image:
    """Sky (or wall), hills, water and ground of `setting` at `size`, as RGB."""
    import random

    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    rng = random.Random(seed)
    horizon = horizon_y(size, setting)
    top, low = (_tinted(c, tint, 0.35) for c in setting.sky)
    t = np.linspace(0.0, 1.0, max(1, horizon))[:, None]
    sky = np.array(top, np.float32) * (1 - t) + np.array(low, np.float32) * t
    column = np.concatenate([sky, np.repeat(sky[-1:], height - horizon, axis=0)])
    picture = Image.fromarray(
        np.repeat(column[:, None, :], width, axis=1).clip(0, 255).astype(np.uint8)
    )
    draw = ImageDraw.Draw(picture)
    if setting.stars:
        for _ in range(int(width * height / 9000)):
            x, y = rng.uniform(0, width), rng.uniform(0, horizon * 0.9)
            r = rng.uniform(0.6, 2.0) * height / 720
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 250, 220))
    if setting.indoor:
        # A wall with a skirting line and a soft window of light.
        glow = Image.new("L", size, 0)
        ImageDraw.Draw(glow).ellipse(
            (width * 0.2, -height * 0.3, width * 0.8, horizon * 1.1), fill=60
        )
        picture.paste((255, 255, 255), mask=glow.filter(ImageFilter.GaussianBlur(height * 0.08)))
        draw.rectangle((0, horizon - height * 0.02, width, horizon), fill=_shade(low, 0.8))
    else:
        for layer, (color, base, amp) in enumerate(
            ((setting.hills[0], 0.80, 0.16), (setting.hills[1], 0.93, 0.10))
        ):
            color = _tinted(color, tint, 0.15)
            points = [(0.0, float(height))]
            phase = rng.uniform(0, 6.28)
            bumps = rng.uniform(1.2, 2.4) + layer
            for i in range(65):
                x = width * i / 64
                y = horizon * base - horizon * amp * (
                    0.55 + 0.45 * np.sin(phase + bumps * 6.28 * i / 64)
                ) * (0.7 + 0.3 * np.sin(phase * 1.7 + 13 * i / 64))
                points.append((x, float(y)))
            points.append((float(width), float(height)))
            draw.polygon(points, fill=color)
    ground_top, ground_front = (_tinted(c, tint, 0.12) for c in setting.ground)
    g = np.linspace(0.0, 1.0, height - horizon)[:, None]
    ground = np.array(ground_top, np.float32) * (1 - g) + np.array(ground_front, np.float32) * g
    band = np.repeat(ground[:, None, :], width, axis=1).clip(0, 255).astype(np.uint8)
    picture.paste(Image.fromarray(band), (0, horizon))
    if setting.water:
        water_top = horizon + round((height - horizon) * 0.06)
        water_h = round((height - horizon) * 0.22)
        draw.rectangle((0, water_top, width, water_top + water_h), fill=(86, 160, 214))
        for _ in range(int(width / 60)):
            x = rng.uniform(0, width)
            y = rng.uniform(water_top + 4, water_top + water_h - 4)
            draw.line(
                (x, y, x + width * 0.03, y), fill=(190, 226, 246), width=max(1, height // 360)
            )
    return picture


def _shade(color: RGB, factor: float) -> RGB:
    return (round(color[0] * factor), round(color[1] * factor), round(color[2] * factor))
