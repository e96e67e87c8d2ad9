"""Genre looks: the pictures devotional, explainer and podcast films lean on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# Devotional films: verse over a lamp, a lotus and a temple.
DEVOTIONAL_PROPS = ("diya-lamp", "lotus", "hindu-temple", "om", "folded-hands")
# Podcasts: a studio microphone between the hosts when no topic picture is found.
PODCAST_PROPS = ("studio-microphone",)
LOOK_ASSETS = (*DEVOTIONAL_PROPS, *PODCAST_PROPS, "sparkles", "speech-balloon")
# Pictures a devotional film may show from its words; a crying face for "sorrow" would not do.
DEVOTIONAL_ALLOWED = frozenset(
    {
        *DEVOTIONAL_PROPS,
        "sun",
        "full-moon",
        "crescent-moon",
        "glowing-star",
        "sparkles",
        "blossom",
        "hibiscus",
        "sunflower",
        "person-in-lotus-position",
        "dove",
        "water-wave",
        "droplet",
        "mountain",
        "fire",
        "candle",
        "prayer-beads",
        "bell",
        "cow",
        "peacock",
        "elephant",
        "deciduous-tree",
        "sunrise",
        "footprints",
    }
)


def draw_verse(
    picture: Image.Image, verse: str, language: str, box: tuple[float, float, float, float]
) -> None:
    """A verse set large and centred in `box`, cream on a soft dark glow (any script)."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    from aifilm.draw.text import fit_text

    verse = " ".join(verse.split())
    if not verse:
        return
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    draw = ImageDraw.Draw(picture)
    start = round(min(height * 0.36, width * 0.09))
    font, lines = fit_text(draw, verse, language, start, max(12, start // 3), width, 3, bold=True)
    step = round(font.size * 1.45)
    y = top + (height - step * len(lines)) / 2
    raqm = font.layout_engine == ImageFont.Layout.RAQM
    lang = language.split("-")[0] if raqm else None
    glow = Image.new("L", picture.size, 0)
    glow_draw = ImageDraw.Draw(glow)
    for n, line in enumerate(lines):
        glow_draw.text(
            ((left + right) / 2, y + n * step),
            line,
            font=font,
            fill=200,
            anchor="ma",
            language=lang,
            stroke_width=max(2, font.size // 10),
        )
    glow = glow.filter(ImageFilter.GaussianBlur(max(3, font.size // 5)))
    picture.paste((60, 20, 10), mask=glow)
    for n, line in enumerate(lines):
        draw.text(
            ((left + right) / 2, y + n * step),
            line,
            font=font,
            fill=(255, 244, 214),
            anchor="ma",
            language=lang,
        )
