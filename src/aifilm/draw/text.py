"""Text on pictures: the font for a text's script, wrapping, and fitting to a box.

Fonts come from `aifilm.media.fonts` by the script the text is written in (so a
Hindi verse in an English film still gets Devanagari), shaped with libraqm when
Pillow has it (Indic conjuncts, Arabic joining, right-to-left).
"""

from __future__ import annotations

import contextlib
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

_SCRIPT_OF_NAME = {
    "DEVANAGARI": "devanagari",
    "ARABIC": "arabic",
    "TAMIL": "tamil",
    "TELUGU": "telugu",
    "BENGALI": "bengali",
    "GUJARATI": "gujarati",
    "GURMUKHI": "gurmukhi",
    "KANNADA": "kannada",
    "MALAYALAM": "malayalam",
    "CJK": "cjk",
    "HIRAGANA": "cjk",
    "KATAKANA": "cjk",
    "CYRILLIC": "cyrillic",
}


def text_script(text: str) -> str | None:
    """The main non-Latin script the text is written in, if any."""
    counts: dict[str, int] = {}
    for ch in text:
        script = _SCRIPT_OF_NAME.get(unicodedata.name(ch, "").split(" ")[0])
        if script:
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda s: counts[s]) if counts else None


def font_path(text: str, language: str) -> Path:
    """The font for `text`: by the script it is written in, else by `language`."""
    from aifilm.errors import AifilmError
    from aifilm.media.fonts import font_file, script_font_file

    script = text_script(text)
    if script:
        try:
            return script_font_file(script)
        except AifilmError:
            pass
    try:
        return font_file(language)
    except AifilmError:
        return script_font_file("latin")


def font_for(text: str, language: str, size: int, *, bold: bool) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont, features

    # libraqm gives complex shaping (Indic conjuncts, Arabic joining) and right-to-left order.
    layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    font = ImageFont.truetype(str(font_path(text, language)), size, layout_engine=layout)
    if bold:
        # Not a variable font (e.g. the CJK one): the regular weight will do.
        with contextlib.suppress(OSError, ValueError):
            font.set_variation_by_name("Bold")
    return font


def wrap_text(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: ImageFont.FreeTypeFont,
    width: float,
    language: str | None = None,
) -> list[str]:
    """Greedy wrap of `text` into lines no wider than `width` (a too-long word stays whole).

    Breaks between words, or between phrases where the script uses no spaces (Japanese,
    Chinese: `subtitles.phrases`).
    """
    from aifilm.pipeline.subtitles.cues import break_points

    lines: list[str] = []
    current = ""
    for token, spaced in break_points(text, language):
        candidate = current + (" " if current and spaced else "") + token
        if current and draw.textlength(candidate, font=font) > width:
            lines.append(current)
            current = token
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def fit_text(
    draw: ImageDraw.ImageDraw,
    text: str,
    language: str,
    start: int,
    smallest: int,
    width: float,
    max_lines: int,
    *,
    bold: bool,
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size (from `start` down) at which `text` fits in `max_lines` lines."""
    size = start
    while True:
        font = font_for(text, language, size, bold=bold)
        lines = wrap_text(draw, text, font, width, language)
        fits = len(lines) <= max_lines and all(
            draw.textlength(x, font=font) <= width for x in lines
        )
        if fits or size <= smallest:
            return font, lines
        size = max(smallest, int(size * 0.9))
