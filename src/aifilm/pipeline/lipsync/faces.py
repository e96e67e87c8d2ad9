"""Where the talking faces are in a shot's still, whatever made it.

In order of trust:

1. the faces a drawn still carries (`Visual.faces`: a portrait's, every person's in an
   illustrated scene, each drawn host's in a podcast layout, already placed);
2. a podcast layout's ``layout.json``: where each panel with a picture of its own is;
3. the character's ``mouth: [x0, y0, x1, y1]`` in the spec, in its image's pixels,
   carried through the same fitting the stills backend does;
4. OpenCV's Haar cascades (shipped inside ``opencv-python-headless``): the largest
   frontal face, the mouth in its lower third, the eyes found inside its upper half.

A face that none of these finds gives a note instead (the character is shown as a
still); it never stops the render.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from aifilm.pipeline.lipsync.base import Box, Face
from aifilm.pipeline.timeline import TimedShot
from aifilm.pipeline.visuals.base import Visual

if TYPE_CHECKING:
    import numpy as np

    from aifilm.spec.models import Project

DETECTOR = "opencv-haar-1"  # part of cache keys: bump when detection changes


def mouth_from_face(face: Box) -> Box:
    """The mouth's box in a frontal face's box: the middle of its lower third."""
    x0, y0, x1, y1 = face
    w, h = x1 - x0, y1 - y0
    return (
        round(x0 + 0.28 * w),
        round(y0 + 0.69 * h),
        round(x0 + 0.72 * w),
        round(y0 + 0.88 * h),
    )


def detect_face(rgb: np.ndarray) -> tuple[Box, tuple[Box, ...]] | None:
    """The largest frontal face in an RGB array and the eyes in it; None if none or no OpenCV."""
    try:
        import cv2
    except ImportError:
        return None
    import numpy as np

    cascades = Path(cv2.__file__).parent / "data"  # the XML models inside the wheel
    grey = cv2.equalizeHist(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY))
    height, width = grey.shape
    smallest = max(24, min(width, height) // 8)
    cascade = cv2.CascadeClassifier(str(cascades / "haarcascade_frontalface_default.xml"))
    found = cascade.detectMultiScale(
        grey, scaleFactor=1.1, minNeighbors=6, minSize=(smallest, smallest)
    )
    if len(found) == 0:
        return None
    x, y, w, h = (int(v) for v in max(found, key=lambda f: int(f[2]) * int(f[3])))
    face = (x, y, x + w, y + h)
    upper = grey[y : y + h // 2, x : x + w]
    eye_cascade = cv2.CascadeClassifier(str(cascades / "haarcascade_eye.xml"))
    eyes = eye_cascade.detectMultiScale(
        upper, scaleFactor=1.1, minNeighbors=5, minSize=(max(6, w // 10), max(6, w // 10))
    )
    boxes = sorted(
        ((x + int(a), y + int(b), x + int(a + c), y + int(b + d)) for a, b, c, d in eyes),
        key=lambda e: (e[2] - e[0]) * (e[3] - e[1]),
        reverse=True,
    )[:2]
    # two eyes, one on each side of the face's middle; otherwise no blinking
    middle = x + w / 2
    if len(boxes) == 2 and ((boxes[0][0] + boxes[0][2]) / 2 < middle) != (
        (boxes[1][0] + boxes[1][2]) / 2 < middle
    ):
        return face, tuple(sorted(boxes))
    return face, ()


def fitted_box(box: Box, image: tuple[int, int], still: tuple[int, int]) -> Box:
    """`box` in a picture's pixels carried to the still `fit_picture` made of it.

    Mirrors `aifilm.pipeline.visuals.stills.fit_picture`: a cover-crop about the centre,
    a trimmed picture on a matte (`matte_layout`), or, for shapes far apart, the whole
    picture centred over a blur.
    """
    from aifilm.pipeline.visuals.stills import _CONTAIN_RATIO, _MATTE_RATIO, matte_layout

    iw, ih = image
    width, height = still
    ratio = (iw / ih) / (width / height)
    if _CONTAIN_RATIO < max(ratio, 1 / ratio) <= _MATTE_RATIO:
        crop, inner, at = matte_layout(image, still)
        scale = inner[0] / (crop[2] - crop[0])
        dx, dy = crop[0] * scale - at[0], crop[1] * scale - at[1]
    elif max(ratio, 1 / ratio) <= _CONTAIN_RATIO:
        scale = max(width / iw, height / ih)
        dx, dy = (iw * scale - width) / 2, (ih * scale - height) / 2
    else:
        scale = min(width / iw, height / ih)
        dx = -((width - round(iw * scale)) // 2)
        dy = -((height - round(ih * scale)) // 2)
    return (
        max(0, math.floor(box[0] * scale - dx)),
        max(0, math.floor(box[1] * scale - dy)),
        min(width, math.ceil(box[2] * scale - dx)),
        min(height, math.ceil(box[3] * scale - dy)),
    )


def _upright_size(image: Path) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(image) as im:
            width, height = im.size
            turned = im.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    except (OSError, ValueError):
        return None
    return (height, width) if turned else (width, height)


def _usable(box: Box, size: tuple[int, int]) -> bool:
    return (
        0 <= box[0] < box[2] <= size[0]
        and 0 <= box[1] < box[3] <= size[1]
        and (box[2] - box[0] >= 4 and box[3] - box[1] >= 3)
    )


def _find_in(
    still: np.ndarray,
    region: Box,
    character: str | None,
    label: str,
    image: Path | None,
    mouth: tuple[int, int, int, int] | None,
) -> tuple[Face | None, str | None]:
    """A face inside `region` of the still: from the spec's mouth box, else detected."""
    width, height = region[2] - region[0], region[3] - region[1]
    if mouth is not None and image is not None:
        size = _upright_size(image)
        if size is not None:
            box = fitted_box(mouth, size, (width, height))
            placed = (
                box[0] + region[0],
                box[1] + region[1],
                box[2] + region[0],
                box[3] + region[1],
            )
            if _usable(placed, (still.shape[1], still.shape[0])) and _usable(box, (width, height)):
                return Face(character, placed, "spec"), None
        return None, f"{label}: its mouth box {list(mouth)} is outside its picture"
    found = detect_face(still[region[1] : region[3], region[0] : region[2]])
    if found is None:
        where = f" in {image.name}" if image is not None else ""
        try:
            import cv2  # noqa: F401
        except ImportError:
            why = "no face detector (pip install 'opencv-python-headless<5')"
        else:
            why = f"no face found{where}"
        return None, f"{label}: {why}; shown as a still (set `mouth:` on the character)"
    face, eyes = found

    def move(b: Box) -> Box:
        return (b[0] + region[0], b[1] + region[1], b[2] + region[0], b[3] + region[1])

    return (
        Face(
            character,
            move(mouth_from_face(face)),
            "detected",
            face=move(face),
            eyes=tuple(move(e) for e in eyes),
        ),
        None,
    )


def _load(still: Path) -> np.ndarray:
    import numpy as np
    from PIL import Image

    with Image.open(still) as im:
        return np.asarray(im.convert("RGB"))


def find_faces(shot: TimedShot, visual: Visual, project: Project) -> tuple[list[Face], list[str]]:
    """The faces that can talk in a shot's still, and a note for each one not found."""
    from aifilm.pipeline.visuals.stills import read_hops

    if visual.kind != "still":
        return [], []
    spec = shot.visual
    if spec.kind == "podcast":
        return _podcast_faces(shot, visual, project)
    # Illustrated animals hop while they speak (aifilm.pipeline.lipsync.hops).
    hopping = [Face(h.character, h.box, "hop", face=h.box) for h in read_hops(visual.path)]
    if spec.character is None:
        return hopping, []
    character = project.character(spec.character)
    name = character.name if character else spec.character
    drawn = visual.faces
    if drawn:
        # A portrait has one face; an illustrated scene one per person in it.
        return [
            Face(
                name if boxes.character == spec.character else boxes.character,
                boxes.mouth,
                "portrait",
                face=boxes.face,
                eyes=(boxes.left_eye, boxes.right_eye),
                skin=boxes.skin,
                lips=boxes.lips,
                mouth_line=boxes.mouth_line,
            )
            for boxes in drawn
        ] + hopping, []
    mouth = tuple(character.mouth) if character and character.mouth else None
    found, note = _find_in(
        _load(visual.path),
        (0, 0, visual.width, visual.height),
        name,
        f"shot {shot.id}: {name}",
        spec.image,
        mouth,  # type: ignore[arg-type]
    )
    return ([found] if found else []), ([note] if note else [])


def _podcast_faces(
    shot: TimedShot, visual: Visual, project: Project
) -> tuple[list[Face], list[str]]:
    from aifilm.pipeline.visuals.podcast import read_layout
    from aifilm.spec.podcast import podcast_hosts

    places = read_layout(visual.path)
    if places is None:
        return [], [f"shot {shot.id}: the layout still has no layout.json; hosts shown as stills"]
    hosts = podcast_hosts(project)
    faces: list[Face] = []
    notes: list[str] = []
    pixels: np.ndarray | None = None
    for place in places:
        if place.index >= len(hosts):
            continue
        who = hosts[place.index].character  # None: the narrator
        boxes = visual.face_of(place.name) if place.image is None else None
        if boxes is not None:
            faces.append(
                Face(
                    who,
                    boxes.mouth,
                    "layout",
                    face=boxes.face,
                    eyes=(boxes.left_eye, boxes.right_eye),
                    skin=boxes.skin,
                    lips=boxes.lips,
                    mouth_line=boxes.mouth_line,
                )
            )
            continue
        if pixels is None:
            pixels = _load(visual.path)
        character = project.character(who) if who else None
        mouth = tuple(character.mouth) if character and character.mouth else None
        found, note = _find_in(
            pixels,
            place.box,
            who,
            f"shot {shot.id}: {place.name}",
            Path(place.image) if place.image else None,
            mouth,  # type: ignore[arg-type]
        )
        if found is not None:
            faces.append(found)
        if note is not None:
            notes.append(note)
    return faces, notes
