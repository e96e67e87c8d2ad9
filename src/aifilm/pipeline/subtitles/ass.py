"""ASS subtitles to burn in with FFmpeg's `ass` filter (libass, HarfBuzz shaping).

The script's resolution is the frame's, so sizes and margins are in pixels.
White text, dark outline and soft shadow, bottom centre. Line breaks are ours
(`\\N`); libass only wraps further if a line still does not fit, and a cue whose
widest line would not fit is first set smaller (down to 70%). Right-to-left
languages get an auto base direction (`Encoding: -1`) and a right-to-left mark
at the start of every line, so punctuation lands on the correct side.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

from PIL import ImageFont, features

from aifilm.pipeline.subtitles.cues import Cue

_RLM = "\u200f"
_WORD_JOINER = "\u2060"
_MIN_SCALE = 0.7


def escape_ass_text(text: str) -> str:
    """User text as ASS dialogue text that shows literally: no override tags, no escapes.

    `{`/`}` become libass's `\\{`/`\\}`; a backslash gets an invisible word joiner
    after it, so `\\N`, `\\h` or `\\b1` typed by a user stay text; newlines become `\\N`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\" + _WORD_JOINER).replace("{", "\\{").replace("}", "\\}")
    return text.replace("\n", "\\N")


def ass_timestamp(seconds: float) -> str:
    """`H:MM:SS.cc`, the ASS time format (centiseconds)."""
    cs = max(0, round(seconds * 100))
    hours, cs = divmod(cs, 360_000)
    minutes, cs = divmod(cs, 6000)
    secs, cs = divmod(cs, 100)
    return f"{hours}:{minutes:02d}:{secs:02d}.{cs:02d}"


@functools.lru_cache(maxsize=16)
def _measurer(font: Path, size_px: float) -> ImageFont.FreeTypeFont:
    from aifilm.media.fonts import vertical_extent

    layout = ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC
    em = max(1, round(size_px / vertical_extent(font)))
    return ImageFont.truetype(str(font), em, layout_engine=layout)


def _line_width(font: Path, size_px: float, line: str) -> float:
    return float(_measurer(font, size_px).getlength(line))


def write_ass(
    cues: Iterable[Cue],
    path: Path,
    *,
    width: int,
    height: int,
    language: str,
    font_size: float = 0.055,
) -> Path:
    """Write `cues` as an ASS script for a `width` x `height` frame.

    `font_size` is the height of a line of Latin text (Noto Sans's line extent)
    as a fraction of the frame height; other scripts get the same em size.
    """
    from aifilm.media.fonts import font_family, font_file, script_font_file, vertical_extent
    from aifilm.spec.vocabulary import language as lookup

    try:
        rtl = lookup(language.split("-")[0].lower()).rtl
    except KeyError:
        rtl = False
    family = font_family(language)
    font = font_file(language)
    # libass fits a font's whole line extent into Fontsize; scale so every script's
    # letters come out as large as Noto Sans's at `font_size` (tall scripts need more).
    size = max(
        8.0, font_size * height * vertical_extent(font) / vertical_extent(script_font_file("latin"))
    )
    outline = max(1.0, size * 0.07)
    shadow = max(0.5, size * 0.035)
    margin_h = round(width * 0.05)
    margin_v = round(height * 0.06)
    margin_r = margin_h
    if height > width * 1.2:
        # A vertical film plays in the Shorts/Reels player, whose caption, title and
        # buttons cover the bottom fifth and the right edge: keep the words above and
        # left of them.
        margin_v = round(height * 0.22)
        margin_r = round(width * 0.12)
    available = width - margin_h - margin_r
    header = "\n".join(
        [
            "[Script Info]",
            "; written by aifilm",
            "ScriptType: v4.00+",
            f"PlayResX: {width}",
            f"PlayResY: {height}",
            "WrapStyle: 0",
            "ScaledBorderAndShadow: yes",
            "YCbCr Matrix: None",
            "",
            "[V4+ Styles]",
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
            "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
            "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
            f"Style: Default,{family},{size:.1f},&H00FFFFFF,&H000000FF,&H00101010,&H96000000,"
            f"0,0,0,0,100,100,0,0,1,{outline:.1f},{shadow:.1f},2,{margin_h},{margin_r},{margin_v},"
            f"{-1 if rtl else 1}",
            "",
            "[Events]",
            "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
        ]
    )
    events = []
    for cue in cues:
        lines = [line.strip() for line in cue.text.replace("\r", "").split("\n") if line.strip()]
        if not lines:
            continue
        widest = max(_line_width(font, size, line) for line in lines)
        prefix = ""
        if widest > available:
            prefix = f"{{\\fs{size * max(_MIN_SCALE, available / widest):.1f}}}"
        body = "\\N".join((_RLM if rtl else "") + escape_ass_text(line) for line in lines)
        events.append(
            f"Dialogue: 0,{ass_timestamp(cue.start)},{ass_timestamp(max(cue.end, cue.start))},"
            f"Default,,0,0,0,,{prefix}{body}"
        )
    path.write_text(header + "\n" + "\n".join(events) + "\n", encoding="utf-8")
    return path


def _escape_filter_value(value: str) -> str:
    # Level 1: the filter's option parser (key=value separated by ':').
    level1 = "".join("\\" + ch if ch in "\\':" else ch for ch in value)
    # Level 2: the filter-graph parser (',' ';' '[' ']' separate filters and labels).
    return "".join("\\" + ch if ch in "\\'[],;" else ch for ch in level1)


def ass_filter(path: Path, fonts_dir: Path) -> str:
    """The FFmpeg filter that burns `path` in with fonts from `fonts_dir` and complex shaping.

    Paths are escaped for both levels of a filter graph, so colons, commas,
    quotes, brackets and backslashes in them are safe (pass the string as one
    argument, no shell).
    """
    return (
        f"ass=filename={_escape_filter_value(str(path))}"
        f":fontsdir={_escape_filter_value(str(fonts_dir))}:shaping=complex"
    )
