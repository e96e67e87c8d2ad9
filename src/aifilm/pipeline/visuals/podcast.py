"""Podcast layout stills: the hosts' panels on one frame, the speaker's lit up.

Two hosts sit side by side in a landscape frame and stacked in a portrait one;
three or four share a 2x2 grid. Each panel shows the host's picture (or a generated
portrait) with a name label. The active speaker's panel grows a little and gets a
glowing border in its accent colour (style "glow"), or only the border ("border");
the other panels are dimmed. With no one active (narration), every panel is shown
evenly. One still is drawn per layout state; the composer crossfades between them.
Where each panel landed is written beside the still (``layout.json``, `PanelPlace`),
and each drawn host's face comes back with the still (`Visual.faces`, by panel name),
so the lip-sync stage can make every host talk.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from aifilm.pipeline.timeline import Panel, VisualSpec

if TYPE_CHECKING:
    from PIL import Image

    from aifilm.draw.faces import FaceBoxes
    from aifilm.draw.figures import Figure

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive)

ACTIVE_SCALE = 1.06  # the speaker's panel grows by this much in the "glow" style
DIM = 0.5  # brightness of the others while someone speaks
IDLE = 0.85  # brightness of every panel while no host speaks (narration)
_FRAME = (70, 72, 84)  # thin border of a panel that is not speaking
LAYOUT_FILE = "layout.json"


@dataclass(frozen=True)
class PanelPlace:
    """Where one host's panel was drawn in a layout still.

    `box` is in the still's pixels; `level` is the brightness the panel was drawn at;
    `image` the picture file it shows (None: a drawn host, whose face is on the
    `Visual`, already moved and dimmed to the still).
    """

    index: int
    name: str
    box: Box
    active: bool
    level: float
    image: str | None = None


def write_layout(places: list[PanelPlace], size: tuple[int, int], folder: Path) -> None:
    """Write ``layout.json`` (the panels of a layout still) into `folder`."""
    panels = [asdict(p) for p in sorted(places, key=lambda p: p.index)]
    data = {"width": size[0], "height": size[1], "panels": panels}
    (folder / LAYOUT_FILE).write_text(json.dumps(data, indent=1), encoding="utf-8")


def read_layout(still: Path) -> list[PanelPlace] | None:
    """The panels written beside a podcast layout still, if it has them."""
    try:
        data = json.loads((still.parent / LAYOUT_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    places = []
    for item in data["panels"]:
        item.pop("face", None)  # written by aifilm before faces moved onto the Visual
        item["box"] = tuple(item["box"])
        places.append(PanelPlace(**item))
    return places


def _dim(color: str, level: float) -> str:
    value = int(color.lstrip("#"), 16)
    rgb = [min(255, round(((value >> s) & 255) * level)) for s in (16, 8, 0)]
    return "#" + "".join(f"{c:02x}" for c in rgb)


def _placed(face: FaceBoxes, box: Box, level: float, size: tuple[int, int]) -> FaceBoxes:
    """A panel portrait's face boxes moved into the layout still, colours dimmed."""

    def move(b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return (b[0] + box[0], b[1] + box[1], b[2] + box[0], b[3] + box[1])

    return replace(
        face,
        width=size[0],
        height=size[1],
        face=move(face.face),
        mouth=move(face.mouth),
        left_eye=move(face.left_eye),
        right_eye=move(face.right_eye),
        skin=_dim(face.skin, level),
        lips=_dim(face.lips, level),
        mouth_line=_dim(face.mouth_line, level),
    )


def panel_boxes(count: int, width: int, height: int) -> list[Box]:
    """Where each of `count` panels sits (before the active one grows), in pixels.

    The lower part of the frame is kept clearer for burned-in subtitles.
    """
    unit = min(width, height)
    margin = unit * 0.06
    gutter = unit * 0.05
    bottom = height * 0.17  # subtitles live here
    if count <= 2:
        cols, rows = (1, count) if height > width * 1.2 else (count, 1)
    else:
        cols, rows = 2, 2
    area_w = width - 2 * margin
    area_h = height - margin - bottom
    cell_w = (area_w - gutter * (cols - 1)) / cols
    cell_h = (area_h - gutter * (rows - 1)) / rows
    boxes: list[Box] = []
    for i in range(count):
        row, col = divmod(i, cols)
        left = margin + col * (cell_w + gutter)
        if count == 3 and row == 1:  # the third one centred under the other two
            left = (width - cell_w) / 2
        top = margin + row * (cell_h + gutter)
        boxes.append((round(left), round(top), round(left + cell_w), round(top + cell_h)))
    return boxes


def active_box(box: Box, width: int, height: int, style: str = "glow") -> Box:
    """Where a panel is drawn while its host speaks (grown a little in the "glow" style)."""
    return _grow(box, ACTIVE_SCALE, width, height) if style == "glow" else box


def _grow(box: Box, scale: float, width: int, height: int) -> Box:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    hw, hh = (box[2] - box[0]) * scale / 2, (box[3] - box[1]) * scale / 2
    return (
        max(0, round(cx - hw)),
        max(0, round(cy - hh)),
        min(width, round(cx + hw)),
        min(height, round(cy + hh)),
    )


def _background(spec: VisualSpec, size: tuple[int, int], language: str = "en") -> Image.Image:
    from PIL import ImageEnhance, ImageFilter

    from aifilm.draw.paint import blobs as _blobs
    from aifilm.draw.paint import color_still, parse_color
    from aifilm.draw.paint import rng as _rng
    from aifilm.draw.paint import to_image as _to_image
    from aifilm.pipeline.visuals.stills import load_picture

    if spec.image is not None:
        picture = load_picture(spec.image, size).filter(
            ImageFilter.GaussianBlur(max(2, min(size) // 90))
        )
        return ImageEnhance.Brightness(picture).enhance(0.55)
    if spec.words:
        # The topic behind the hosts: a studio with what the line talks about.
        from aifilm.draw.scene import draw_scene

        tint = parse_color(spec.color) if spec.color else None
        drawn = draw_scene(
            size, words=spec.words, tint=tint, seed=spec.seed, genre="podcast", language=language
        )
        return ImageEnhance.Brightness(drawn.picture).enhance(0.8)
    if spec.color:
        return color_still(spec.color, size)
    return _to_image(_blobs(_rng("podcast-bg", spec.seed), size, darken=0.55) + 12)


def _picture(panel: Panel, size: tuple[int, int]) -> tuple[Image.Image, FaceBoxes | None]:
    from aifilm.pipeline.visuals.stills import load_picture, portrait

    if panel.image is not None:
        return load_picture(panel.image, size), None
    if panel.figure is not None:
        return host_card(panel.name, panel.figure, panel.accent, size)
    return portrait(panel.name, panel.seed, size)


def host_card(
    name: str, figure: Figure, accent: str, size: tuple[int, int]
) -> tuple[Image.Image, FaceBoxes | None]:
    """A host drawn as who they are (`aifilm.draw.figures`), on a soft light of their colour."""
    import numpy as np
    from PIL import Image

    from aifilm.draw import assets
    from aifilm.draw.faces import face_of
    from aifilm.pipeline.visuals.stills import parse_color

    width, height = size
    colour = np.array(parse_color(figure.color or accent), np.float32)
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    top, low = colour * 0.35 + 150, colour * 0.55 + 40
    field = (top * (1 - t) + low * t).clip(0, 255).astype(np.uint8)
    picture = Image.fromarray(np.repeat(field, width, axis=1)).convert("RGBA")
    tall = round(min(height * 0.72, width * 0.8))
    sprite = assets.raster(figure.asset, tall)
    sprite = sprite.crop(sprite.getbbox() or (0, 0, sprite.width, sprite.height))
    left = (width - sprite.width) // 2
    top_y = round(height * 0.12)
    picture.alpha_composite(sprite, (left, top_y))
    face = None
    if not figure.animal:
        face = face_of(figure.asset, sprite, figure.tone).moved(left, top_y).boxes(name, size)
    return picture.convert("RGB"), face


def _label(
    picture: Image.Image, name: str, language: str, accent: tuple[int, int, int] | None
) -> None:
    """The host's name on a dark rounded tag at the bottom of its panel."""
    from PIL import Image, ImageDraw

    from aifilm.draw.text import font_for as _font

    width, height = picture.size
    font_size = max(9, round(min(height * 0.085, width * 0.075)))
    font = _font(name, language, font_size, bold=True)
    draw = ImageDraw.Draw(picture)
    text_w = min(draw.textlength(name, font=font), width * 0.86)
    pad = font_size * 0.45
    box = (
        (width - text_w) / 2 - pad,
        height - font_size * 1.9 - pad * 0.4,
        (width + text_w) / 2 + pad,
        height - pad * 0.4 - font_size * 0.2,
    )
    tag = Image.new("L", picture.size, 0)
    ImageDraw.Draw(tag).rounded_rectangle(box, radius=font_size * 0.4, fill=170)
    picture.paste((12, 12, 18), mask=tag)
    if accent is not None:
        bar = max(2, round(font_size * 0.12))
        draw.rounded_rectangle(
            (box[0] + pad, box[3] - bar * 2, box[2] - pad, box[3] - bar), radius=bar, fill=accent
        )
    draw.text(
        (width / 2, (box[1] + box[3]) / 2 - font_size * 0.05),
        name,
        font=font,
        fill=(255, 255, 255),
        anchor="mm",
    )


def podcast_layout(
    spec: VisualSpec,
    size: tuple[int, int],
    language: str = "en",
    places: list[PanelPlace] | None = None,
    faces: list[FaceBoxes] | None = None,
) -> Image.Image:
    """The full-frame layout still for one state: `spec.panels`, `spec.active` lit.

    With `places`, appends where each panel was drawn; with `faces`, each drawn host's
    face (named by the panel) in the still's pixels.
    """
    from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

    from aifilm.pipeline.visuals.stills import parse_color

    width, height = size
    frame = _background(spec, size, language)
    panels = spec.panels
    boxes = panel_boxes(len(panels), width, height)
    unit = min(width, height)
    radius = max(2, round(unit * 0.025))
    border = max(2, round(unit * 0.012))
    order = [i for i in range(len(panels)) if i != spec.active]
    if spec.active is not None and 0 <= spec.active < len(panels):
        order.append(spec.active)  # drawn last: it may overlap the gutters
    for i in order:
        panel = panels[i]
        active = i == spec.active
        box = boxes[i]
        if active:
            box = active_box(box, width, height, spec.style)
        w, h = box[2] - box[0], box[3] - box[1]
        if w < 4 or h < 4:
            continue
        accent = parse_color(panel.accent)
        picture, face = _picture(panel, (w, h))
        _label(picture, panel.name, language, accent if active else None)
        level = 1.0
        if not active:
            level = IDLE if spec.active is None else DIM
            picture = ImageEnhance.Brightness(picture).enhance(level)
        if places is not None:
            image = str(panel.image) if panel.image is not None else None
            places.append(PanelPlace(i, panel.name, box, active, level, image))
        if faces is not None and face is not None:
            faces.append(_placed(face, box, level, size))
        if active:
            glow = Image.new("L", size, 0)
            spread = border * (2 if spec.style == "glow" else 1)
            ImageDraw.Draw(glow).rounded_rectangle(
                (box[0] - spread, box[1] - spread, box[2] + spread, box[3] + spread),
                radius=radius + spread,
                fill=255,
            )
            if spec.style == "glow":
                glow = glow.filter(ImageFilter.GaussianBlur(spread))
            frame.paste(accent, mask=glow)
        mask = Image.new("L", (w, h), 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=255)
        frame.paste(picture, box[:2], mask)
        outline = accent if active else _FRAME
        ImageDraw.Draw(frame).rounded_rectangle(
            (box[0], box[1], box[2] - 1, box[3] - 1),
            radius=radius,
            outline=outline,
            width=border if active else max(1, math.ceil(border / 2)),
        )
    _topic_badge(frame, spec.words, boxes, language)
    return frame


def _topic_badge(frame: Image.Image, words: str, boxes: list[Box], language: str = "en") -> None:
    """What the line talks about (rain, a cloud) on a white disc between the panels' tops."""
    from PIL import Image, ImageDraw

    from aifilm.draw import assets
    from aifilm.draw.words import find_things

    things = find_things(words, limit=2, language=language)
    if not things or len(boxes) < 2:
        return
    width, height = frame.size
    unit = min(width, height)
    radius = round(unit * 0.1)
    cx = width / 2 if boxes[1][0] > boxes[0][2] else width * 0.88
    cy = boxes[0][1] + radius * 0.9
    disc = Image.new("L", frame.size, 0)
    spread = len(things) - 1
    ImageDraw.Draw(disc).rounded_rectangle(
        (cx - radius * (1 + spread), cy - radius, cx + radius * (1 + spread), cy + radius),
        radius=radius,
        fill=235,
    )
    frame.paste((250, 248, 240), mask=disc)
    for n, thing in enumerate(things):
        sprite = assets.raster(thing.asset, round(radius * 1.4))
        x = cx + (n - spread / 2) * radius * 2
        frame.paste(sprite, (round(x - sprite.width / 2), round(cy - sprite.height / 2)), sprite)
