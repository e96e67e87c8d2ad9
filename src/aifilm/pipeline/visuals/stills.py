"""The default visuals backend: one still picture per shot, made with Pillow, offline.

By the shot's `VisualSpec.kind`:

- ``image``: the user's picture, upright (EXIF), in RGB; cover-cropped to the frame, or,
  when its shape is far from the frame's (a portrait photo in a 16:9 film), shown whole
  over a blurred, darkened copy of itself. Huge files are decoded at reduced size.
- ``color``: a plain colour with a soft vignette, so camera motion stays visible.
- ``title``: a title card, text wrapped and centred, in the language's font.
- ``generated``: a soft gradient from the seed, with the scene title as a caption; with
  ``character`` set, a cartoon portrait of that character instead.
- ``prompt``: this backend cannot generate from a prompt; a generated still (with the
  prompt's first words as caption) and a note say so.
- ``podcast``: the hosts' panels side by side, the speaker's highlighted
  (`aifilm.pipeline.visuals.podcast`).

Output is a PNG of exactly the requested size, the same bytes for the same request.
A portrait also leaves ``face.json`` beside the PNG (see `FaceBoxes`), and a podcast
layout ``layout.json`` (its panels and their faces), so a lip-sync stage knows where
the faces and mouths are.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from aifilm.draw.text import fit_text, font_for, font_path, text_script, wrap_text
from aifilm.errors import AssetError, UserError
from aifilm.pipeline.visuals.base import Visual, VisualRequest, VisualsBackend

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image, ImageFont

    from aifilm.draw.scene import Bouncer, Drawing
    from aifilm.pipeline.timeline import VisualSpec

STILL_FILE = "still.png"
FACE_FILE = "face.json"
SCENE_FILE = "scene.json"  # an illustrated still's words matched and pictures used
FACES_FILE = "faces.json"  # an illustrated still's people: every face that can talk
HOPS_FILE = "hops.json"  # its animals: where each can hop (plates and sprites beside it)
MAX_PIXELS = 200_000_000  # biggest picture accepted; a PNG that size decodes to ~600 MB (RGB)
_CONTAIN_RATIO = 1.4  # aspect ratios further apart than this are shown whole over a blur
_MATTE_RATIO = 2.0  # up to this (a square picture in 16:9 or 9:16): trimmed a little, matted
_BACKDROP = (18, 18, 22)  # what transparent parts of a picture are laid on


@dataclass(frozen=True)
class FaceBoxes:
    """Where a generated portrait's face is, in pixels of its PNG (`face.json` beside it).

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


def read_faces(still: Path) -> list[FaceBoxes]:
    """Every face of an illustrated still (`faces.json` beside it), else `read_face`'s."""
    try:
        items = json.loads((still.parent / FACES_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        one = read_face(still)
        return [one] if one is not None else []
    faces = []
    for data in items:
        for key in ("face", "mouth", "left_eye", "right_eye"):
            data[key] = tuple(data[key])
        faces.append(FaceBoxes(**data))
    return faces


def read_face(still: Path) -> FaceBoxes | None:
    """The `FaceBoxes` written beside a still, if it is a generated portrait."""
    try:
        data = json.loads((still.parent / FACE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    for key in ("face", "mouth", "left_eye", "right_eye"):
        data[key] = tuple(data[key])
    return FaceBoxes(**data)


class Stills(VisualsBackend):
    """Pictures from files, colours, title cards and generated stills (Pillow, no AI)."""

    name: ClassVar[str] = "stills"
    description: ClassVar[str] = (
        "Pictures, colours, title cards and generated stills (Pillow, offline)"
    )
    requires: ClassVar[tuple[str, ...]] = ("PIL", "numpy")
    weights_license: ClassVar[str | None] = "no model weights; Noto fonts under SIL OFL-1.1"
    version: ClassVar[str] = "3"  # 2: podcast layouts write layout.json; 3: illustrated scenes

    def render(self, request: VisualRequest, out_dir: Path) -> Visual:
        """Write the shot's still into `out_dir` and describe it."""
        spec = request.spec
        size = (max(1, request.width), max(1, request.height))
        note = None
        face: FaceBoxes | None = None
        scene_facts: dict[str, Any] | None = None
        people: list[FaceBoxes] = []
        bouncers: dict[str, Bouncer] = {}
        if spec.kind == "image":
            if spec.image is None:
                raise AssetError("an image shot names no image file", hint="set `image:` to a file")
            picture = load_picture(spec.image, size)
        elif spec.kind == "color":
            picture = color_still(spec.color or "black", size)
        elif spec.kind == "title":
            picture = title_card(
                spec.text or request.title or "",
                spec.subtitle,
                size,
                request.language,
                spec.color,
                illustrated=True,
            )
        elif spec.kind in ("generated", "prompt"):
            caption = spec.text
            if spec.kind == "prompt":
                words = (spec.prompt or "").split()
                caption = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
                note = "prompt needs an AI visual backend; used a generated still"
            if spec.illustrate and spec.kind == "generated":
                drawing = illustrate(spec, size, request.language)
                picture = drawing.picture
                scene_facts = _scene_facts(drawing)
                people = [
                    FaceBoxes(
                        width=size[0],
                        height=size[1],
                        face=found.face,
                        mouth=found.mouth,
                        left_eye=found.left_eye,
                        right_eye=found.right_eye,
                        skin=found.skin,
                        lips=found.lips,
                        mouth_line=found.mouth_line,
                        character=who,
                    )
                    for who, found in drawing.faces.items()
                ]
                # face.json keeps the shown person (as portraits do); faces.json has all,
                # so each person's mouth moves on their own lines.
                face = next((f for f in people if f.character == spec.character), None)
                bouncers = drawing.bouncers
            elif spec.character:
                picture, face = portrait(spec.character, spec.seed, size)
            else:
                picture = generated_still(
                    spec.seed, caption or request.title or "", size, request.language
                )
        elif spec.kind == "podcast":
            from aifilm.pipeline.visuals.podcast import PanelPlace, podcast_layout

            places: list[PanelPlace] = []
            picture = podcast_layout(spec, size, request.language, places)
        else:
            raise UserError(
                f"the stills backend cannot make a '{spec.kind}' shot",
                hint="use an image, color, title, generated, prompt or podcast shot",
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / STILL_FILE
        # compress_level 1: a third of level 6's time for ~15% more bytes; decoded once anyway.
        picture.save(path, "PNG", compress_level=1)
        if face is not None:
            (out_dir / FACE_FILE).write_text(json.dumps(asdict(face), indent=1), encoding="utf-8")
        if bouncers:
            _write_hops(bouncers, out_dir)
        if people:
            (out_dir / FACES_FILE).write_text(
                json.dumps([asdict(f) for f in people], indent=1, ensure_ascii=False),
                encoding="utf-8",
            )
        if scene_facts is not None:
            (out_dir / SCENE_FILE).write_text(
                json.dumps(scene_facts, indent=1, ensure_ascii=False), encoding="utf-8"
            )
        if spec.kind == "podcast":
            from aifilm.pipeline.visuals.podcast import write_layout

            write_layout(places, size, out_dir)
        return Visual(path=path, kind="still", width=size[0], height=size[1], note=note)


def illustrate(spec: VisualSpec, size: tuple[int, int], language: str = "en") -> Drawing:
    """An illustrated shot (`aifilm.draw.scene`): backdrop, the props named, the characters."""
    from aifilm.draw.scene import draw_scene

    return draw_scene(
        size,
        heading=spec.text or "",
        words=spec.words,
        keywords=spec.keywords,
        figures=spec.figures,
        speaker=spec.speaker,
        tint=parse_color(spec.color) if spec.color else None,
        seed=spec.seed,
        genre=spec.genre,
        verse=spec.verse,
        language=language,
    )


@dataclass(frozen=True)
class Hop:
    """An animal in an illustrated still that hops while it speaks (`hops.json`)."""

    character: str
    box: tuple[int, int, int, int]  # the patch it moves in, in the still's pixels
    plate: Path  # the patch before the animal was drawn
    sprite: Path  # the animal (RGBA)
    at: tuple[int, int]  # where the sprite rests within the patch


def _write_hops(bouncers: dict[str, Bouncer], folder: Path) -> None:
    items = []
    for n, (who, hop) in enumerate(sorted(bouncers.items())):
        plate, sprite = f"hop-{n}-plate.png", f"hop-{n}-sprite.png"
        hop.plate.save(folder / plate, "PNG", compress_level=1)
        hop.sprite.save(folder / sprite, "PNG", compress_level=1)
        items.append(
            {
                "character": who,
                "box": list(hop.box),
                "plate": plate,
                "sprite": sprite,
                "at": list(hop.at),
            }
        )
    (folder / HOPS_FILE).write_text(json.dumps(items, indent=1, ensure_ascii=False), "utf-8")


def read_hops(still: Path) -> list[Hop]:
    """The animals of an illustrated still that can hop while they speak."""
    try:
        items = json.loads((still.parent / HOPS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    return [
        Hop(
            item["character"],
            tuple(item["box"]),
            still.parent / item["plate"],
            still.parent / item["sprite"],
            tuple(item["at"]),
        )
        for item in items
    ]


def read_scene(still: Path) -> dict[str, Any] | None:
    """What an illustrated still shows (`scene.json` beside it), if it is one."""
    try:
        data: dict[str, Any] = json.loads((still.parent / SCENE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


def _scene_facts(drawing: Drawing) -> dict[str, Any]:
    from aifilm.draw import assets

    art = assets.licence()
    return {
        "setting": drawing.setting,
        "words": [{"word": m.word, "picture": m.asset} for m in drawing.matched],
        "pictures": [
            {"name": p.asset, "layer": p.layer, "box": list(p.box), "word": p.word, "who": p.name}
            for p in drawing.placed
        ],
        "licence": {"source": art.source, "license": art.license, "attribution": art.attribution},
    }


# --- pictures from files ---------------------------------------------------------


def _open_failed(path: Path, why: str) -> AssetError:
    return AssetError(
        f"cannot read the image {path}: {why}",
        path=path,
        hint="use a PNG, JPEG or WebP picture (re-save it from an image editor if it is damaged)",
    )


def load_picture(path: Path, size: tuple[int, int]) -> Image.Image:
    """The picture at `path` fitted to `size` (RGB), decoding no more pixels than needed."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    # Pillow refuses pictures over ~89 MP as possible decompression bombs; a photo
    # stitched from a phone or a poster scan is legitimately bigger. Our own cap stays.
    if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_PIXELS:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    path = Path(path)
    if not path.exists():
        raise AssetError(
            f"image file not found: {path}",
            path=path,
            hint="check the file name; relative paths are read from the project's folder",
        )
    if not path.is_file():
        raise _open_failed(path, "it is not a file")
    try:
        with Image.open(path) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise AssetError(
                    f"the image {path} is too large ({width}x{height} pixels)",
                    path=path,
                    hint=f"scale it down to under {MAX_PIXELS // 1_000_000} megapixels",
                )
            orientation = im.getexif().get(0x0112, 1)
            upright = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
            need = _needed_size(upright, size)
            if im.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale straight from the DCT
                im.draft(
                    "RGB" if im.mode != "CMYK" else "CMYK",
                    _swap_if(need, upright != (width, height)),
                )
            im.load()
            picture = _reduce(im, _swap_if(need, upright != (width, height)))
            picture = ImageOps.exif_transpose(picture)
            picture = _to_rgb(picture, im.info.get("icc_profile"))
    except AssetError:
        raise
    except UnidentifiedImageError:
        raise _open_failed(path, "it is not a picture Pillow knows") from None
    except Image.DecompressionBombError as exc:
        raise AssetError(str(exc), path=path, hint="scale the picture down") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise _open_failed(path, str(exc) or type(exc).__name__) from None
    return fit_picture(picture, size)


def _swap_if(size: tuple[int, int], swap: bool) -> tuple[int, int]:
    return (size[1], size[0]) if swap else size


def _needed_size(image: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int]:
    """The smallest scaled size of `image` that still covers `frame` (never upscaled)."""
    scale = min(1.0, max(frame[0] / image[0], frame[1] / image[1]))
    return max(1, math.ceil(image[0] * scale)), max(1, math.ceil(image[1] * scale))


def _reduce(im: Image.Image, need: tuple[int, int]) -> Image.Image:
    """Shrink by a whole factor (fast box filter) while staying at least `need`."""
    factor = max(1, min(im.size[0] // max(1, need[0]), im.size[1] // max(1, need[1])))
    if factor >= 2:
        try:
            return im.reduce(factor)
        except ValueError:  # a mode reduce() does not handle (e.g. 16-bit grey)
            pass
    return im.copy()


def _to_rgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB from any mode: palettes, alpha (laid on a dark backdrop), CMYK, 16-bit and float."""
    from PIL import Image

    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        import numpy as np

        data = np.asarray(im, dtype=np.float64)
        top = float(data.max()) if data.size else 0.0
        scale = 255.0 / (65535.0 if top > 255 else 255.0)
        im = Image.fromarray(np.clip(data * scale, 0, 255).astype(np.uint8))
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = im.convert("RGBA")
        backdrop = Image.new("RGBA", rgba.size, (*_BACKDROP, 255))
        im = Image.alpha_composite(backdrop, rgba).convert("RGB")
    if icc and im.mode in ("RGB", "CMYK"):
        converted = _icc_to_srgb(im, icc)
        if converted is not None:
            return converted
    return im if im.mode == "RGB" else im.convert("RGB")


def _icc_to_srgb(im: Image.Image, icc: bytes) -> Image.Image | None:
    """Colours in the picture's embedded profile turned into sRGB, if LittleCMS is there."""
    try:
        import io

        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        result = ImageCms.profileToProfile(im, source, target, outputMode="RGB")
    except Exception:  # a broken or unusual profile: fall back to a plain conversion
        return None
    return result


def fit_picture(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Cover-crop `picture` to `size`, or, if shapes differ a lot, show it whole over a blur."""
    from PIL import Image, ImageEnhance, ImageFilter, ImageOps

    width, height = size
    ratio = (picture.width / picture.height) / (width / height)
    if max(ratio, 1 / ratio) <= _CONTAIN_RATIO:
        return ImageOps.fit(picture, size, Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    if max(ratio, 1 / ratio) <= _MATTE_RATIO:
        return _matted(picture, size)
    # Backdrop: the picture cover-fitted small, blurred, enlarged and darkened.
    small = (max(1, width // 16), max(1, height // 16))
    backdrop = ImageOps.fit(picture, small, Image.Resampling.BILINEAR)
    backdrop = backdrop.filter(ImageFilter.GaussianBlur(max(1.0, min(small) / 12)))
    backdrop = backdrop.resize(size, Image.Resampling.BICUBIC)
    backdrop = ImageEnhance.Brightness(backdrop).enhance(0.45)
    scale = min(width / picture.width, height / picture.height)
    inner = (max(1, round(picture.width * scale)), max(1, round(picture.height * scale)))
    front = picture.resize(inner, Image.Resampling.LANCZOS)
    backdrop.paste(front, ((width - inner[0]) // 2, (height - inner[1]) // 2))
    return backdrop


def matte_layout(
    image: tuple[int, int], size: tuple[int, int]
) -> tuple[tuple[int, int, int, int], tuple[int, int], tuple[int, int]]:
    """Where a matted picture goes: its crop (in its pixels), its size and place in the still.

    The crop trims the picture half-way (in log terms) to the frame's shape, a little
    more off the bottom than the top (heads stay).
    """
    iw, ih = image
    width, height = size
    ratio = (iw / ih) / (width / height)
    aspect = (iw / ih) / math.sqrt(ratio)
    if aspect < iw / ih:
        cw, ch = max(1, round(ih * aspect)), ih
    else:
        cw, ch = iw, max(1, round(iw / aspect))
    left, top = (iw - cw) // 2, round((ih - ch) * 0.35)
    scale = min(width / cw, height / ch)
    inner = (max(1, round(cw * scale)), max(1, round(ch * scale)))
    at = ((width - inner[0]) // 2, (height - inner[1]) // 2)
    return (left, top, left + cw, top + ch), inner, at


def _matted(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A picture of a rather different shape (a square in 16:9): trimmed a little, then
    shown whole like a print on a matte of its own tones with a soft shadow: narrow calm
    bands instead of wide blurred ones."""
    from PIL import Image, ImageDraw, ImageFilter, ImageStat

    crop, inner, at = matte_layout(picture.size, size)
    front = picture.crop(crop).resize(inner, Image.Resampling.LANCZOS)
    mean = ImageStat.Stat(front).mean
    matte = (round(mean[0] * 0.32 + 10), round(mean[1] * 0.32 + 10), round(mean[2] * 0.32 + 10))
    frame = Image.new("RGB", size, matte)
    shadow = Image.new("L", size, 0)
    spread = max(2, round(min(size) * 0.02))
    ImageDraw.Draw(shadow).rectangle(
        (at[0] - spread // 2, at[1], at[0] + inner[0] + spread // 2, at[1] + inner[1] + spread),
        fill=150,
    )
    frame.paste((0, 0, 0), mask=shadow.filter(ImageFilter.GaussianBlur(spread)))
    frame.paste(front, at)
    return frame


# --- colours and gradients -------------------------------------------------------


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


def _grid(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    width, height = size
    x = (np.arange(width, dtype=np.float32) + 0.5) / width - 0.5
    y = (np.arange(height, dtype=np.float32) + 0.5) / height - 0.5
    return x[None, :], y[:, None]


def _to_image(rgb: np.ndarray) -> Image.Image:
    """Float RGB (0..255) to an image, with a fixed ordered dither so gradients do not band."""
    import numpy as np
    from PIL import Image

    bayer = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32)
    height, width = rgb.shape[:2]
    tile = np.tile((bayer + 0.5) / 16 - 0.5, (height // 4 + 1, width // 4 + 1))[:height, :width]
    out = np.clip(rgb + tile[:, :, None] + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(out)


def _shade(color: tuple[int, int, int], size: tuple[int, int]) -> np.ndarray:
    """A colour with a soft vignette and a faint top light, as float RGB."""
    import numpy as np

    x, y = _grid(size)
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
    return _to_image(_shade(parse_color(color), size))


_PALETTES: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((38, 70, 83), (42, 157, 143), (233, 196, 106), (244, 162, 97), (231, 111, 81)),
    ((29, 53, 87), (69, 123, 157), (168, 218, 220), (241, 250, 238), (230, 57, 70)),
    ((61, 64, 91), (129, 178, 154), (242, 204, 143), (224, 122, 95), (244, 241, 222)),
    ((34, 34, 59), (74, 78, 105), (154, 140, 152), (201, 173, 167), (242, 233, 228)),
    ((0, 48, 73), (214, 40, 40), (247, 127, 0), (252, 191, 73), (234, 226, 183)),
    ((53, 80, 112), (109, 89, 122), (181, 101, 118), (229, 107, 111), (234, 172, 139)),
    ((15, 76, 92), (95, 15, 64), (154, 3, 30), (251, 139, 36), (227, 100, 20)),
    ((43, 45, 66), (141, 153, 174), (237, 242, 244), (239, 35, 60), (217, 4, 41)),
)


def _rng(*parts: object) -> random.Random:
    # Python's hash() of a str changes per process; a digest does not.
    digest = hashlib.sha256(repr(parts).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _blobs(rng: random.Random, size: tuple[int, int], darken: float = 1.0) -> np.ndarray:
    """A soft multi-colour gradient: a few colour blobs blended over a base, float RGB."""
    import numpy as np
    from PIL import Image

    palette = list(rng.choice(_PALETTES))
    rng.shuffle(palette)
    small = (64, max(1, round(64 * size[1] / size[0])))
    x, y = _grid(small)
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
    xs, ys = _grid(size)
    vignette = (1.04 - 0.32 * ((xs * 1.2) ** 2 + (ys * 1.2) ** 2) * 2)[:, :, None]
    result: np.ndarray = field * vignette
    return result


def generated_still(
    seed: int, caption: str, size: tuple[int, int], language: str = "en"
) -> Image.Image:
    """A deterministic soft gradient for `seed`, with `caption` small in the lower left."""
    from PIL import ImageDraw

    picture = _to_image(_blobs(_rng("generated", seed, caption), size, darken=0.9))
    caption = " ".join(caption.split())
    if caption:
        draw = ImageDraw.Draw(picture)
        width, height = size
        font_size = max(10, round(min(height, width * 0.5625) * 0.035))
        font = _font(caption, language, font_size, bold=False)
        lines = _wrap_text(draw, caption, font, width * 0.6)[:2]
        line_h = round(font_size * 1.35)
        y = height - round(height * 0.06) - line_h * len(lines)
        for line in lines:
            draw.text(
                (round(width * 0.05), y),
                line,
                font=font,
                fill=(255, 255, 255),
                stroke_width=max(1, font_size // 14),
                stroke_fill=(0, 0, 0),
            )
            y += line_h
    return picture


# --- text (aifilm.draw.text; the old private names stay for callers) ---------------

_text_script = text_script
_font_path = font_path
_font = font_for
_wrap_text = wrap_text
_layout = fit_text


def title_card(
    text: str,
    subtitle: str | None,
    size: tuple[int, int],
    language: str,
    color: str | None = None,
    *,
    illustrated: bool = False,
) -> Image.Image:
    """A title card: `text` large and centred, `subtitle` smaller below, on a colour or gradient."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    width, height = size
    if color:
        picture = _to_image(_shade(parse_color(color), size))
    else:
        picture = _to_image(_title_gradient(size))
    text = " ".join(text.split())
    subtitle = " ".join((subtitle or "").split())
    if not text and not subtitle:
        return picture
    unit = min(height, width * 0.5625)  # a vertical frame sizes text by its width
    draw = ImageDraw.Draw(picture)
    blocks: list[tuple[ImageFont.FreeTypeFont, list[str], int, tuple[int, int, int]]] = []
    if text:
        font, lines = _layout(
            draw, text, language, round(unit * 0.12), round(unit * 0.05), width * 0.82, 3, bold=True
        )
        blocks.append((font, lines, round(font.size * 1.3), (255, 255, 255)))
    if subtitle:
        font, lines = _layout(
            draw,
            subtitle,
            language,
            round(unit * 0.05),
            round(unit * 0.03),
            width * 0.76,
            3,
            bold=False,
        )
        blocks.append((font, lines, round(font.size * 1.35), (225, 228, 235)))
    gap = round(unit * 0.04) if len(blocks) == 2 else 0
    total = sum(step * len(lines) for _, lines, step, _ in blocks) + gap
    y = (height - total) / 2
    if illustrated:
        # What the title names (a crow, a lamp) stands above it, like a book's cover.
        from aifilm.draw import assets
        from aifilm.draw.words import find_things

        things = find_things(f"{text} {subtitle}", limit=3)
        if things:
            size_px = round(unit * 0.2)
            top = y - size_px * 0.55
            y += size_px * 0.55
            row = size_px * 1.15
            x0 = width / 2 - row * (len(things) - 1) / 2
            for n, thing in enumerate(things):
                sprite = assets.raster(thing.asset, size_px)
                picture.paste(
                    sprite, (round(x0 + n * row - size_px / 2), round(top - size_px / 2)), sprite
                )
    rows = []
    for index, (font, lines, step, fill) in enumerate(blocks):
        for line in lines:
            rows.append((line, font, y, fill))
            y += step
        if index == 0:
            y += gap
    # With libraqm, the language picks locale glyph forms (e.g. Marathi vs Hindi).
    raqm = blocks[0][0].layout_engine == ImageFont.Layout.RAQM
    lang = language.split("-")[0] if raqm else None
    # A soft shadow under the letters keeps them readable on any colour.
    shadow = Image.new("L", size, 0)
    shadow_draw = ImageDraw.Draw(shadow)
    for line, font, top, _ in rows:
        shadow_draw.text(
            (width / 2, top + font.size * 0.06),
            line,
            font=font,
            fill=150,
            anchor="ma",
            language=lang,
        )
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, round(unit * 0.012))))
    picture.paste((0, 0, 0), mask=shadow)
    for line, font, top, fill in rows:
        draw.text((width / 2, top), line, font=font, fill=fill, anchor="ma", language=lang)
    return picture


def _title_gradient(size: tuple[int, int]) -> np.ndarray:
    """The default title background: deep blue to plum, diagonally, with a vignette."""
    import numpy as np

    x, y = _grid(size)
    t = np.clip(0.5 + 0.7 * x + 0.5 * y, 0, 1)[:, :, None]
    start = np.array((20, 30, 62), np.float32)
    end = np.array((74, 32, 84), np.float32)
    colour = start * (1 - t) + end * t
    aspect = size[0] / size[1]
    r2 = ((x * aspect) ** 2 + y**2) / (0.25 * aspect**2 + 0.25)
    result: np.ndarray = colour * (1.1 - 0.35 * r2)[:, :, None]
    return result


# --- portraits ---------------------------------------------------------------------

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

    rng = _rng("portrait", seed)
    skin = rng.choice(_SKINS)
    hair = rng.choice(_HAIRS)
    eye = rng.choice(_EYES)
    shirt = rng.choice(_SHIRTS)
    style = rng.choice(_HAIR_STYLES)
    glasses = rng.random() < 0.2
    lips = _mix(skin, (168, 58, 72), 0.45 if skin[0] > 180 else 0.3)
    line = _mix(lips, (40, 14, 18), 0.6)

    width, height = size
    ss = 2  # drawn at twice the size and reduced: smooth edges
    canvas_size = (width * ss, height * ss)
    # A light, soft backdrop (made at 1x: it is smooth, enlarging it loses nothing).
    backdrop = _blobs(_rng("portrait-bg", seed), size) * 0.55 + 92
    picture = _to_image(backdrop).resize(canvas_size, Image.Resampling.BILINEAR)
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
