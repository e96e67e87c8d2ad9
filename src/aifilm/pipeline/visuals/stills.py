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
A portrait's or a drawn scene's faces come back on the `Visual` (`Visual.faces`), so a
lip-sync stage knows where the mouths are; a drawn scene also comes in planes
(`Visual.layers`: its backdrop, then its props and characters) that the composer moves
at different depths. A podcast layout leaves ``layout.json`` (its panels) beside it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

# FaceBoxes, portrait, parse_color and color_still moved to aifilm.draw; importable here too.
from aifilm.draw.faces import FaceBoxes as FaceBoxes
from aifilm.draw.paint import PALETTES, blobs, grid, rng, shade, to_image
from aifilm.draw.paint import color_still as color_still
from aifilm.draw.paint import parse_color as parse_color
from aifilm.draw.portrait import portrait as portrait
from aifilm.draw.text import fit_text, font_for, font_path, text_script, wrap_text
from aifilm.errors import AssetError, UserError
from aifilm.pipeline.visuals.base import Layer, Visual, VisualRequest, VisualsBackend

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image, ImageFont

    from aifilm.draw.scene import Bouncer, Drawing
    from aifilm.pipeline.timeline import VisualSpec

STILL_FILE = "still.png"
SCENE_FILE = "scene.json"  # an illustrated still's words matched and pictures used
HOPS_FILE = "hops.json"  # its animals: where each can hop (plates and sprites beside it)
MAX_PIXELS = 200_000_000  # biggest picture accepted; a PNG that size decodes to ~600 MB (RGB)
_CONTAIN_RATIO = 1.4  # aspect ratios further apart than this are shown whole over a blur
_MATTE_RATIO = 2.0  # up to this (a square picture in 16:9 or 9:16): trimmed a little, matted
_BACKDROP = (18, 18, 22)  # what transparent parts of a picture are laid on


class Stills(VisualsBackend):
    """Pictures from files, colours, title cards and generated stills (Pillow, no AI)."""

    name: ClassVar[str] = "stills"
    description: ClassVar[str] = (
        "Pictures, colours, title cards and generated stills (Pillow, offline)"
    )
    requires: ClassVar[tuple[str, ...]] = ("PIL", "numpy")
    weights_license: ClassVar[str | None] = "no model weights; Noto fonts under SIL OFL-1.1"
    # 2: podcast layouts write layout.json; 3: illustrated scenes; 4: faces on the
    # Visual, scenes in planes (parallax); 5: a film's own language names its pictures;
    # 6: Japanese and eight more Indian languages' words, title lines broken between phrases
    version: ClassVar[str] = "6"

    def render(self, request: VisualRequest, out_dir: Path) -> Visual:
        """Write the shot's still into `out_dir` and describe it."""
        spec = request.spec
        size = (max(1, request.width), max(1, request.height))
        note = None
        faces: list[FaceBoxes] = []
        drawing: Drawing | None = None
        scene_facts: dict[str, Any] | None = None
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
                # Every person drawn can talk: each one's mouth moves on their own lines.
                faces = [found.boxes(who, size) for who, found in drawing.faces.items()]
                bouncers = drawing.bouncers
            elif spec.character:
                picture, face = portrait(spec.character, spec.seed, size)
                faces = [face]
            else:
                picture = generated_still(
                    spec.seed, caption or request.title or "", size, request.language
                )
        elif spec.kind == "podcast":
            from aifilm.pipeline.visuals.podcast import PanelPlace, podcast_layout

            places: list[PanelPlace] = []
            picture = podcast_layout(spec, size, request.language, places, faces)
        else:
            raise UserError(
                f"the stills backend cannot make a '{spec.kind}' shot",
                hint="use an image, color, title, generated, prompt or podcast shot",
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / STILL_FILE
        # compress_level 1: a third of level 6's time for ~15% more bytes; decoded once anyway.
        picture.save(path, "PNG", compress_level=1)
        if bouncers:
            _write_hops(bouncers, out_dir)
        layers = _write_layers(drawing, out_dir) if drawing is not None else ()
        if scene_facts is not None:
            (out_dir / SCENE_FILE).write_text(
                json.dumps(scene_facts, indent=1, ensure_ascii=False), encoding="utf-8"
            )
        if spec.kind == "podcast":
            from aifilm.pipeline.visuals.podcast import write_layout

            write_layout(places, size, out_dir)
        return Visual(
            path=path,
            kind="still",
            width=size[0],
            height=size[1],
            note=note,
            faces=tuple(faces),
            layers=layers,
        )


def _write_layers(drawing: Drawing, folder: Path) -> tuple[Layer, ...]:
    """A drawn scene's planes as PNGs in `folder`: the backdrop, then what stands on it."""
    if drawing.background is None or not drawing.planes:
        return ()
    drawing.background.save(folder / "layer-0.png", "PNG", compress_level=1)
    width, height = drawing.background.size
    layers = [Layer(folder / "layer-0.png", 0, 0, width, height)]
    for n, plane in enumerate(drawing.planes, start=1):
        path = folder / f"layer-{n}.png"
        plane.picture.save(path, "PNG", compress_level=1)
        w, h = plane.picture.size
        layers.append(Layer(path, plane.at[0], plane.at[1], w, h, plane.depth, plane.name))
    return tuple(layers)


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
            {
                "name": p.asset,
                "layer": p.layer,
                "box": list(p.box),
                "word": p.word,
                "who": p.name,
                # a character's own picture is the creator's, not shipped art
                "license": "your own picture" if p.asset.startswith("image:") else art.license,
            }
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


# --- colours and gradients (aifilm.draw.paint; old private names stay) ---------

_grid = grid
_to_image = to_image
_shade = shade
_PALETTES = PALETTES
_rng = rng
_blobs = blobs


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
        lines = _wrap_text(draw, caption, font, width * 0.6, language)[:2]
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

        things = find_things(f"{text} {subtitle}", limit=3, language=language)
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


# --- portraits: aifilm.draw.portrait (`portrait` is imported above) ---------------
