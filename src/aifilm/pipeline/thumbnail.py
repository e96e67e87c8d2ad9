"""The film's thumbnail: its most telling still with the title written large (1280x720 PNG)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from aifilm.pipeline.timeline import Timeline
from aifilm.pipeline.visuals.base import Visual
from aifilm.spec.models import Project

THUMB_SIZE = (1280, 720)  # YouTube's recommended thumbnail size
VERTICAL_THUMB_SIZE = (720, 1280)  # a Short's: 9:16, as the Shorts shelf shows it
_PREFERRED = ("image", "generated", "prompt", "color", "title")


def thumb_size(timeline: Timeline) -> tuple[int, int]:
    """9:16 for a vertical film, else 16:9."""
    return VERTICAL_THUMB_SIZE if timeline.height > timeline.width * 1.2 else THUMB_SIZE


def _pick(timeline: Timeline, visuals: list[Visual]) -> Visual | None:
    stills = [(s, v) for s, v in zip(timeline.shots, visuals, strict=True) if v.kind == "still"]
    # An illustrated shot with its characters and the most things in it tells the story best.
    drawn = [(s, v) for s, v in stills if s.visual.illustrate]
    if drawn:
        return max(drawn, key=lambda sv: (len(sv[0].visual.figures), len(sv[0].visual.words) > 0))[
            1
        ]
    for kind in _PREFERRED:
        for shot, visual in stills:
            if shot.visual.kind == kind:
                return visual
    return None


def make_thumbnail(
    project: Project, timeline: Timeline, visuals: list[Visual], out: Path
) -> dict[str, Any]:
    """Write a 1280x720 (a vertical film: 720x1280) PNG thumbnail; returns its facts."""
    size_wh = thumb_size(timeline)
    chosen = _pick(timeline, visuals)
    if chosen is not None:
        with Image.open(chosen.path) as img:
            base = ImageOps.fit(img.convert("RGB"), size_wh, Image.Resampling.LANCZOS)
    else:
        base = Image.new("RGB", size_wh, (24, 32, 48))
    # Darken the lower part so the title reads on any picture.
    shade = Image.linear_gradient("L").resize(size_wh).point(lambda v: int(v * 0.75))
    base = Image.composite(Image.new("RGB", size_wh, (0, 0, 0)), base, shade)
    draw = ImageDraw.Draw(base)
    font_path = _font(project.language)
    size = 96
    lines = textwrap.wrap(project.title, width=22 if size_wh[0] > size_wh[1] else 14) or [
        project.title
    ]
    while size > 40:
        font = (
            ImageFont.truetype(str(font_path), size) if font_path else ImageFont.load_default(size)
        )
        widths = [draw.textlength(line, font=font) for line in lines]
        if max(widths) <= size_wh[0] - 120 and size * 1.2 * len(lines) <= size_wh[1] * 0.45:
            break
        size -= 6
    top = size_wh[1] - 60 - int(size * 1.2 * len(lines))
    rows = [(line, top + int(size * 1.2) * n) for n, line in enumerate(lines)]
    # A soft dark glow behind the letters, then the letters with a crisp outline.
    glow = Image.new("L", size_wh, 0)
    for line, y in rows:
        ImageDraw.Draw(glow).text((60, y), line, font=font, fill=255, stroke_width=10)
    base.paste((0, 0, 0), mask=glow.filter(ImageFilter.GaussianBlur(12)).point(lambda v: v // 3))
    for line, y in rows:
        draw.text(
            (60, y), line, font=font, fill=(255, 255, 255), stroke_width=4, stroke_fill=(0, 0, 0)
        )
    base.save(out, "PNG", optimize=False)
    return {"width": size_wh[0], "height": size_wh[1]}


def _font(language: str) -> Path | None:
    try:
        from aifilm.media.fonts import font_file

        return font_file(language)
    except Exception:  # a missing font only costs the thumbnail its typeface
        return None
