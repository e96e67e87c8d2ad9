"""Where a person picture's face, eyes and mouth are, read from its pixels.

Fluent Emoji people are drawn in flat fills: the face is one skin colour, the mouth a
red or dark shape in its lower half, the eyes dark shapes in its upper half. Finding
them in the raster (rather than hand-measuring 600 pictures) gives lip-sync the boxes
and colours it paints mouth shapes with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class FaceGeometry:
    """A face in a picture, in its pixels: boxes ``[left, top, right, bottom)`` and colours."""

    face: Box
    mouth: Box
    left_eye: Box
    right_eye: Box
    skin: str
    lips: str
    mouth_line: str

    def moved(self, dx: int, dy: int) -> FaceGeometry:
        """The same face with its boxes shifted by (dx, dy)."""

        def move(b: Box) -> Box:
            return (b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy)

        return FaceGeometry(
            move(self.face),
            move(self.mouth),
            move(self.left_eye),
            move(self.right_eye),
            self.skin,
            self.lips,
            self.mouth_line,
        )

    def boxes(self, character: str, size: tuple[int, int]) -> FaceBoxes:
        """These boxes as `FaceBoxes` of `character` in a picture of `size`."""
        return FaceBoxes(
            width=size[0],
            height=size[1],
            face=self.face,
            mouth=self.mouth,
            left_eye=self.left_eye,
            right_eye=self.right_eye,
            skin=self.skin,
            lips=self.lips,
            mouth_line=self.mouth_line,
            character=character,
        )


@dataclass(frozen=True)
class FaceBoxes:
    """Where a drawn face is, in pixels of its picture (carried on `Visual.faces`).

    Boxes are ``[left, top, right, bottom]`` (right and bottom exclusive). `skin`,
    `lips` and `mouth_line` are ``#rrggbb`` colours, so a lip-sync stage can paint
    mouth shapes that match.
    """

    width: int
    height: int
    face: tuple[int, int, int, int]
    mouth: tuple[int, int, int, int]
    left_eye: tuple[int, int, int, int]
    right_eye: tuple[int, int, int, int]
    skin: str
    lips: str
    mouth_line: str
    character: str
    version: int = 1

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaceBoxes:
        """The boxes back from `dataclasses.asdict` (JSON lists become tuples again)."""
        data = dict(data)
        for key in ("face", "mouth", "left_eye", "right_eye"):
            data[key] = tuple(data[key])
        return cls(**data)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _bbox(mask: np.ndarray) -> Box | None:
    import numpy as np

    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


# Fluent Emoji's face fill for each skin tone.
SKINS: dict[str, tuple[int, int, int]] = {
    "light": (0xFF, 0xD7, 0xC2),
    "medium-light": (0xEE, 0xBF, 0xAA),
    "medium": (0xC6, 0x8D, 0x7B),
    "medium-dark": (0x96, 0x66, 0x61),
    "dark": (0x57, 0x37, 0x39),
}


def _face_region(close: np.ndarray, least: float = 0.04) -> Box | None:
    """The head: the biggest blob of skin (eyes and mouth closed over) in the upper part."""
    import cv2
    import numpy as np

    height, width = close.shape
    k = max(3, round(min(height, width) * 0.08)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    solid = cv2.morphologyEx(close.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(solid, connectivity=4)
    best: Box | None = None
    best_area = 0
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if centroids[i][1] > height * 0.72 or area < best_area:
            continue
        best, best_area = (x, y, x + w, y + h), area
    if best is None or best_area < height * width * least:
        return None
    return best


def find_face(sprite: Image.Image, tone: str | None) -> FaceGeometry | None:
    """The face of a person picture (RGBA) of skin `tone`, or None if none is clear."""
    import numpy as np

    skin = SKINS.get(tone or "")
    if skin is None:
        return None
    rgba = np.asarray(sprite.convert("RGBA")).astype(np.int32)
    height, width = rgba.shape[:2]
    opaque = rgba[..., 3] > 200
    close = (np.abs(rgba[..., :3] - np.array(skin)).sum(axis=2) < 56) & opaque
    face = _face_region(close)
    if face is None:
        return None
    fx0, fy0, fx1, fy1 = face
    fw, fh = fx1 - fx0, fy1 - fy0
    inside = np.zeros(close.shape, bool)
    inside[fy0:fy1, fx0:fx1] = True
    not_skin = ~close & opaque & inside
    ys = np.arange(height)[:, None]
    xs = np.arange(width)[None, :]
    middle = (xs > fx0 + fw * 0.28) & (xs < fx1 - fw * 0.28)
    red = (rgba[..., 0] - rgba[..., 1] > 60) & (rgba[..., 0] > rgba[..., 2])

    def plausible(box: Box | None) -> bool:
        return box is not None and (box[3] - box[1]) <= fh * 0.3 and (box[2] - box[0]) <= fw * 0.55

    # The mouth: red lips (or whatever is not skin) low in the face; where the skin blob
    # runs down a neck the face is taller than it looks, so then red lips anywhere
    # below the eyes.
    lower = middle & (ys > fy0 + fh * 0.64) & (ys < fy1 - fh * 0.04)
    mouth = _bbox(not_skin & lower & red) or _bbox(not_skin & lower)
    eye_bottom = fy0 + fh * 0.64
    if not plausible(mouth):
        mouth = _bbox(not_skin & middle & red & (ys > fy0 + fh * 0.3) & (ys < fy0 + fh * 0.75))
        if mouth is not None:
            eye_bottom = mouth[1]
    if mouth is None or not plausible(mouth):
        return None
    # Eyes: their whites in the upper middle of the face, either side of the mouth;
    # where none show (glasses, closed eyes), where Fluent faces put them.
    upper = (ys > fy0 + fh * 0.15) & (ys < eye_bottom)
    white = rgba[..., :3].sum(axis=2) > 690
    centre = (mouth[0] + mouth[2]) / 2
    left = _bbox(not_skin & upper & white & (xs < centre) & (xs > fx0 + fw * 0.08))
    right = _bbox(not_skin & upper & white & (xs >= centre) & (xs < fx1 - fw * 0.08))
    if left is None or right is None:
        ey0 = round(mouth[1] - (mouth[3] - mouth[1]) * 3.2)
        ey1 = ey0 + max(2, round(fh * 0.1))
        left = (fx0 + round(fw * 0.22), ey0, fx0 + round(fw * 0.4), ey1)
        right = (fx0 + round(fw * 0.6), ey0, fx0 + round(fw * 0.78), ey1)
    lip_pixels = rgba[mouth[1] : mouth[3], mouth[0] : mouth[2]]
    lip_mask = ~close[mouth[1] : mouth[3], mouth[0] : mouth[2]] & (lip_pixels[..., 3] > 200)
    lips = tuple(int(x) for x in np.median(lip_pixels[lip_mask][:, :3], axis=0))
    line = tuple(max(0, int(c * 0.45)) for c in lips)
    return FaceGeometry(
        face=face,
        mouth=mouth,
        left_eye=left,
        right_eye=right,
        skin=_hex(skin),
        lips=_hex(lips),  # type: ignore[arg-type]
        mouth_line=_hex(line),  # type: ignore[arg-type]
    )


def _shade_hex(rgb: tuple[int, int, int], factor: float) -> str:
    return _hex((round(rgb[0] * factor), round(rgb[1] * factor), round(rgb[2] * factor)))


def face_from_geometry(sprite: Image.Image, tone: str | None) -> FaceGeometry:
    """Where a person picture's face is by its drawing's proportions, when `find_face`
    cannot read the features (a head small in a seated figure, a beard over the mouth,
    a visor): the head is the skin blob high in the picture (else the top of the
    figure), the mouth and eyes where Fluent draws them in a head.
    """
    import numpy as np

    rgba = np.asarray(sprite.convert("RGBA")).astype(np.int32)
    height, width = rgba.shape[:2]
    opaque = rgba[..., 3] > 200
    skin = SKINS.get(tone or "", SKINS["medium"])
    close = (np.abs(rgba[..., :3] - np.array(skin)).sum(axis=2) < 56) & opaque
    rows = np.nonzero(opaque.any(axis=1))[0]
    if len(rows):  # the head is high in the figure: arms and legs below are not the face
        close[int(rows.min() + (rows.max() - rows.min()) * 0.45) :] = False
    face = _face_region(close, least=0.002)
    if face is not None and face[3] - face[1] > (face[2] - face[0]) * 1.25:
        face = (face[0], face[1], face[2], face[1] + round((face[2] - face[0]) * 1.25))
    if face is None:
        ys, xs = np.nonzero(opaque)
        if len(xs) == 0:
            ys, xs = np.array([0, height - 1]), np.array([0, width - 1])
        top, bottom = int(ys.min()), int(ys.max()) + 1
        side = max(4, round((bottom - top) * 0.36))
        middle = round((int(xs.min()) + int(xs.max()) + 1) / 2)
        face = (max(0, middle - side // 2), top, min(width, middle + side // 2), top + side)
    eyes = _eye_whites(rgba, opaque)
    if eyes is not None:  # the eyes show: the head is laid out around them
        (lx, ly), (rx, ry) = eyes
        span = max(4.0, rx - lx)
        fw_f = span / 0.36
        cx, ey = (lx + rx) / 2, (ly + ry) / 2
        face = (
            max(0, round(cx - fw_f / 2)),
            max(0, round(ey - fw_f * 0.48)),
            min(width, round(cx + fw_f / 2)),
            min(height, round(ey + fw_f * 0.55)),
        )
    fx0, fy0, fx1, fy1 = face
    fw, fh = max(4, fx1 - fx0), max(4, fy1 - fy0)

    def part(x0: float, y0: float, x1: float, y1: float) -> Box:
        return (
            fx0 + math.floor(fw * x0),
            fy0 + math.floor(fh * y0),
            fx0 + max(math.floor(fw * x0) + 2, math.ceil(fw * x1)),
            fy0 + max(math.floor(fh * y0) + 2, math.ceil(fh * y1)),
        )

    return FaceGeometry(
        face=face,
        mouth=part(0.36, 0.68, 0.64, 0.8),
        left_eye=part(0.24, 0.42, 0.4, 0.54),
        right_eye=part(0.6, 0.42, 0.76, 0.54),
        skin=_hex(skin),
        lips=_shade_hex(skin, 0.62),
        mouth_line=_shade_hex(skin, 0.35),
    )


def _eye_whites(rgba: np.ndarray, opaque: np.ndarray) -> tuple[tuple[float, float], ...] | None:
    """The centres of two eye whites side by side high in a figure, if they show."""
    import cv2
    import numpy as np

    height, width = opaque.shape
    rows = np.nonzero(opaque.any(axis=1))[0]
    if len(rows) == 0:
        return None
    white = (rgba[..., :3].sum(axis=2) > 690) & opaque
    white[int(rows.min() + (rows.max() - rows.min()) * 0.55) :] = False
    count, _, stats, centroids = cv2.connectedComponentsWithStats(
        white.astype(np.uint8), connectivity=8
    )
    least = height * width * 0.0004
    blobs = [
        (int(stats[i][4]), float(centroids[i][0]), float(centroids[i][1]), int(stats[i][3]))
        for i in range(1, count)
        if least <= stats[i][4] <= height * width * 0.025
    ]
    blobs.sort(reverse=True)
    for n, a in enumerate(blobs[:6]):
        for b in blobs[n + 1 : 6]:
            gap = abs(a[1] - b[1])
            if abs(a[2] - b[2]) <= max(a[3], b[3]) and width * 0.06 < gap < width * 0.4:
                left, right = sorted((a, b), key=lambda e: e[1])
                if 0.5 <= left[0] / right[0] <= 2.0:
                    return (left[1], left[2]), (right[1], right[2])
    return None


def face_of(name: str, sprite: Image.Image, tone: str | None) -> FaceGeometry:
    """The face of person picture `name` (RGBA, cropped to it): read from its pixels,
    else from its proportions, so every drawn person can talk. Kept per picture and size."""
    key = (name, sprite.size, tone)
    found = _FACES.get(key)
    if found is None:
        found = find_face(sprite, tone)
        if found is None or not _sane(found):
            found = face_from_geometry(sprite, tone)
        if len(_FACES) > 512:
            _FACES.clear()
        _FACES[key] = found
    return found


def _sane(face: FaceGeometry) -> bool:
    """Whether features read from pixels sit as a face's do: the eyes inside the head
    above the mouth, the mouth in the head's lower half (not a pipe or a red scarf)."""
    fx0, fy0, fx1, fy1 = face.face
    mouth = face.mouth
    if not (fx0 <= mouth[0] < mouth[2] <= fx1 and (fy0 + fy1) / 2 <= mouth[1] < mouth[3] <= fy1):
        return False
    return all(
        fx0 <= eye[0] < eye[2] <= fx1 and fy0 <= eye[1] < eye[3] <= mouth[1]
        for eye in (face.left_eye, face.right_eye)
    )


_FACES: dict[tuple[str, tuple[int, int], str | None], FaceGeometry] = {}
