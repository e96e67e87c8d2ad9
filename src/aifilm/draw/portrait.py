"""Cartoon head-and-shoulders portraits, drawn with Pillow: the look for a character
whose identity is unknown (the narrator's podcast panel) and the reference picture AI
backends condition on. Looks are fixed by a seed; the face's boxes come back with it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from aifilm.draw.faces import FaceBoxes
from aifilm.draw.paint import blobs, rng, to_image

if TYPE_CHECKING:
    from PIL import Image


_SKINS = (
    (255, 224, 196),
    (241, 194, 158),
    (224, 172, 130),
    (198, 134, 96),
    (160, 102, 66),
    (116, 72, 44),
)
_HAIRS = (
    (38, 30, 28),
    (72, 46, 30),
    (112, 72, 42),
    (156, 76, 40),
    (222, 184, 110),
    (176, 176, 182),
    (52, 52, 60),
)
_EYES = ((70, 45, 28), (40, 90, 150), (60, 110, 60), (35, 30, 30))
_SHIRTS = (
    (46, 98, 168),
    (196, 62, 74),
    (58, 140, 96),
    (232, 168, 56),
    (112, 76, 160),
    (32, 128, 140),
    (214, 104, 56),
)
_HAIR_STYLES = ("short", "long", "bun", "curly", "side")


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _hex(c: tuple[int, int, int]) -> str:
    return f"#{c[0]:02x}{c[1]:02x}{c[2]:02x}"


def portrait(character: str, seed: int, size: tuple[int, int]) -> tuple[Image.Image, FaceBoxes]:
    """A friendly cartoon head-and-shoulders of `character`; looks are fixed by `seed`.

    Returns the picture and where its face, eyes and mouth are.
    """
    from PIL import Image, ImageDraw, ImageFilter

    pick = rng("portrait", seed)
    skin = pick.choice(_SKINS)
    hair = pick.choice(_HAIRS)
    eye = pick.choice(_EYES)
    shirt = pick.choice(_SHIRTS)
    style = pick.choice(_HAIR_STYLES)
    glasses = pick.random() < 0.2
    lips = _mix(skin, (168, 58, 72), 0.45 if skin[0] > 180 else 0.3)
    line = _mix(lips, (40, 14, 18), 0.6)

    width, height = size
    ss = 2  # drawn at twice the size and reduced: smooth edges
    canvas_size = (width * ss, height * ss)
    # A light, soft backdrop (made at 1x: it is smooth, enlarging it loses nothing).
    backdrop = blobs(rng("portrait-bg", seed), size) * 0.55 + 92
    picture = to_image(backdrop).resize(canvas_size, Image.Resampling.BILINEAR)
    draw = ImageDraw.Draw(picture)

    unit = min(height, width * 0.75) * ss
    cx, cy = width * ss / 2, height * ss * 0.44
    head_h, head_w = unit * 0.5, unit * 0.4

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0, y0, x1, y1)

    def ellipse(cxx: float, cyy: float, rx: float, ry: float) -> tuple[float, float, float, float]:
        return box(cxx - rx, cyy - ry, cxx + rx, cyy + ry)

    # A soft light behind the head.
    halo = Image.new("L", canvas_size, 0)
    ImageDraw.Draw(halo).ellipse(ellipse(cx, cy, head_w * 1.3, head_h * 1.1), fill=90)
    halo = halo.filter(ImageFilter.GaussianBlur(unit * 0.08))
    picture.paste((255, 250, 240), mask=halo)

    # Neck, then shoulders over its foot, then a V collar.
    shoulder_top = cy + head_h * 0.62
    neck_w = head_w * 0.2
    neck = _mix(skin, (0, 0, 0), 0.12)
    draw.rectangle(
        box(cx - neck_w, cy + head_h * 0.3, cx + neck_w, shoulder_top + head_h * 0.1), fill=neck
    )
    draw.rounded_rectangle(
        box(cx - head_w * 1.45, shoulder_top, cx + head_w * 1.45, height * ss + unit * 0.4),
        radius=head_w * 0.6,
        fill=shirt,
    )
    draw.polygon(
        [
            (cx - neck_w * 1.25, shoulder_top - 1),
            (cx + neck_w * 1.25, shoulder_top - 1),
            (cx, shoulder_top + head_h * 0.2),
        ],
        fill=neck,
    )

    # Hair behind the head.
    if style == "long":
        draw.rounded_rectangle(
            box(cx - head_w * 0.62, cy - head_h * 0.42, cx + head_w * 0.62, cy + head_h * 0.72),
            radius=head_w * 0.4,
            fill=hair,
        )
    elif style == "bun":
        draw.ellipse(ellipse(cx, cy - head_h * 0.58, head_w * 0.24, head_w * 0.22), fill=hair)
    elif style == "curly":
        for angle in range(-200, 25, 18):
            a = math.radians(angle)
            draw.ellipse(
                ellipse(
                    cx + math.cos(a) * head_w * 0.5,
                    cy - head_h * 0.05 + math.sin(a) * head_h * 0.52,
                    head_w * 0.17,
                    head_w * 0.17,
                ),
                fill=hair,
            )

    # Ears, head.
    for side in (-1, 1):
        draw.ellipse(
            ellipse(cx + side * head_w * 0.5, cy + head_h * 0.04, head_w * 0.09, head_h * 0.09),
            fill=_mix(skin, (0, 0, 0), 0.06),
        )
    head_box = ellipse(cx, cy, head_w / 2, head_h / 2)
    draw.ellipse(head_box, fill=skin)

    # Hair on top.
    if style in ("short", "bun", "long", "curly"):
        draw.chord(
            box(cx - head_w * 0.53, cy - head_h * 0.56, cx + head_w * 0.53, cy + head_h * 0.1),
            180,
            360,
            fill=hair,
        )
        draw.chord(
            box(cx - head_w * 0.5, cy - head_h * 0.36, cx + head_w * 0.2, cy - head_h * 0.08),
            150,
            350,
            fill=hair,
        )
    else:  # side parting
        draw.chord(
            box(cx - head_w * 0.54, cy - head_h * 0.57, cx + head_w * 0.54, cy + head_h * 0.14),
            180,
            360,
            fill=hair,
        )
        draw.polygon(
            [
                (cx - head_w * 0.1, cy - head_h * 0.5),
                (cx + head_w * 0.52, cy - head_h * 0.2),
                (cx + head_w * 0.5, cy - head_h * 0.05),
            ],
            fill=hair,
        )

    # Eyes, brows, nose, cheeks.
    eye_y = cy + head_h * 0.02
    eye_dx = head_w * 0.2
    eye_rx, eye_ry = head_w * 0.085, head_h * 0.06
    eye_boxes = []
    for side in (-1, 1):
        ex = cx + side * eye_dx
        eye_boxes.append(ellipse(ex, eye_y, eye_rx, eye_ry))
        draw.ellipse(eye_boxes[-1], fill=(252, 252, 250))
        draw.ellipse(ellipse(ex, eye_y + eye_ry * 0.1, eye_rx * 0.62, eye_ry * 0.85), fill=eye)
        draw.ellipse(
            ellipse(ex, eye_y + eye_ry * 0.1, eye_rx * 0.32, eye_ry * 0.45), fill=(16, 14, 16)
        )
        draw.ellipse(
            ellipse(ex + eye_rx * 0.25, eye_y - eye_ry * 0.25, eye_rx * 0.16, eye_ry * 0.2),
            fill=(255, 255, 255),
        )
        brow_y = eye_y - head_h * 0.11
        draw.arc(
            box(ex - eye_rx * 1.3, brow_y, ex + eye_rx * 1.3, brow_y + head_h * 0.1),
            200,
            340,
            fill=_mix(hair, (0, 0, 0), 0.2),
            width=max(2, round(unit * 0.012)),
        )
        draw.ellipse(
            ellipse(cx + side * head_w * 0.3, cy + head_h * 0.17, head_w * 0.08, head_h * 0.04),
            fill=_mix(skin, (235, 120, 120), 0.3),
        )
        if glasses:
            draw.ellipse(
                ellipse(ex, eye_y, eye_rx * 1.7, eye_ry * 1.9),
                outline=(40, 40, 48),
                width=max(2, round(unit * 0.008)),
            )
    if glasses:
        draw.line(
            [(cx - eye_dx + eye_rx * 1.7, eye_y), (cx + eye_dx - eye_rx * 1.7, eye_y)],
            fill=(40, 40, 48),
            width=max(2, round(unit * 0.008)),
        )
    draw.arc(
        box(cx - head_w * 0.05, cy + head_h * 0.06, cx + head_w * 0.05, cy + head_h * 0.15),
        20,
        160,
        fill=_mix(skin, (0, 0, 0), 0.3),
        width=max(2, round(unit * 0.008)),
    )

    # Mouth: closed lips with a gentle smile line (what lip-sync will replace).
    mouth_cy = cy + head_h * 0.27
    mouth_rx, mouth_ry = head_w * 0.15, head_h * 0.04
    mouth_box = ellipse(cx, mouth_cy, mouth_rx, mouth_ry)
    draw.ellipse(mouth_box, fill=lips)
    draw.arc(
        box(cx - mouth_rx, mouth_cy - mouth_ry * 1.6, cx + mouth_rx, mouth_cy + mouth_ry * 0.4),
        15,
        165,
        fill=line,
        width=max(2, round(unit * 0.01)),
    )

    picture = picture.reduce(ss)

    def pixels(b: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
        return (
            max(0, math.floor(b[0] / ss)),
            max(0, math.floor(b[1] / ss)),
            min(width, math.ceil(b[2] / ss)),
            min(height, math.ceil(b[3] / ss)),
        )

    face = FaceBoxes(
        width=width,
        height=height,
        face=pixels(head_box),
        mouth=pixels(mouth_box),
        left_eye=pixels(eye_boxes[0]),
        right_eye=pixels(eye_boxes[1]),
        skin=_hex(skin),
        lips=_hex(lips),
        mouth_line=_hex(line),
        character=character,
    )
    return picture, face
