"""A shot drawn as an illustrated scene: backdrop, the props its words name, its characters.

Layout, back to front: the setting's backdrop (`scenery`), sky things (sun, moon,
clouds, and props that live in the sky), scenery on the horizon, the props the words
name on a ground line in the middle distance, then the characters large in front,
the speaker a little larger. Everything stands on a soft shadow. The bottom of the
frame is kept clear of figures for subtitles; a vertical frame also keeps the right
edge and the bottom fifth clear (the Shorts player's buttons and captions).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aifilm.draw import assets
from aifilm.draw.faces import FaceGeometry, face_of
from aifilm.draw.figures import Figure
from aifilm.draw.looks import DEVOTIONAL_ALLOWED, DEVOTIONAL_PROPS, PODCAST_PROPS, draw_verse
from aifilm.draw.scenery import SETTINGS, Setting, horizon_y, paint_backdrop, pick_setting
from aifilm.draw.words import Match, find_things

if TYPE_CHECKING:
    from PIL import Image

Box = tuple[int, int, int, int]

# Pictures that belong in the sky rather than on the ground.
# fmt: off
SKY_ASSETS = frozenset(
    {
        "sun", "full-moon", "crescent-moon", "new-moon", "cloud", "cloud-with-rain",
        "cloud-with-lightning", "cloud-with-lightning-and-rain", "glowing-star", "star",
        "rainbow", "ringed-planet", "comet", "milky-way", "airplane", "rocket", "satellite",
        "wind-face", "high-voltage", "sunrise", "sunset", "fog", "tornado", "cyclone",
        "globe-showing-asia-australia", "kite", "balloon", "sparkles", "dove", "eagle",
        "shooting-star", "thought-balloon", "om",
    }
)
# fmt: on
MAX_PROPS = 3
# Which way Fluent draws an animal: most look left; these look right or straight out.
FACING_RIGHT = frozenset({"blackbird", "dove", "rabbit", "rooster", "chicken", "baby-chick"})
FACING_FRONT = frozenset(
    {
        "owl",
        "lion",
        "fox",
        "wolf",
        "bear",
        "frog",
        "crab",
        "butterfly",
        "peacock",
        "panda",
        "koala",
        "monkey",
        "octopus",
        "spider",
        "ant",
        "honeybee",
        "beetle",
        "lady-beetle",
        "bug",
    }
)


@dataclass(frozen=True)
class Placed:
    """One picture drawn into the scene: which asset, where, and why."""

    asset: str
    box: Box
    layer: str  # "sky", "scenery", "prop" or "figure"
    word: str | None = None  # the word that named it (props)
    name: str | None = None  # the character it shows (figures)


@dataclass(frozen=True)
class Bouncer:
    """An animal that can hop while it speaks: the scene under it and its picture.

    `plate` is the still's pixels in `box` before the animal was drawn (with its shadow);
    `sprite` goes at `at` within the plate when it stands still.
    """

    box: Box
    plate: Image.Image
    sprite: Image.Image
    at: tuple[int, int]


BOUNCE = 0.1  # how high an animal hops on a stressed syllable, in its own heights


PROP_DEPTH = 0.35  # props move this much faster than the backdrop under the camera
FIGURE_DEPTH = 0.7  # and the characters in front this much


@dataclass(frozen=True)
class Plane:
    """One plane of a drawn scene (RGBA, cropped to what it holds) and where it goes.

    `depth` says how much faster than the backdrop it passes the camera; a `name`d
    plane is one animal alone (it hops while it speaks, so it can be swapped out).
    """

    picture: Image.Image
    at: tuple[int, int]
    depth: float
    name: str | None = None


@dataclass
class Drawing:
    """A drawn scene and what is in it (for the render report, lip-sync and tests).

    `picture` is the whole scene; `background` and `planes` are the same scene in
    planes, back to front, for the camera to pass at different depths (parallax).
    """

    picture: Image.Image
    setting: str
    background: Image.Image | None = None
    planes: list[Plane] = field(default_factory=list)
    placed: list[Placed] = field(default_factory=list)
    matched: list[Match] = field(default_factory=list)
    faces: dict[str, FaceGeometry] = field(default_factory=dict)  # by character, in pixels
    # Animals, which "talk" by bouncing: what lies under each and its picture, by name.
    bouncers: dict[str, Bouncer] = field(default_factory=dict)

    @property
    def assets(self) -> list[str]:
        """The pictures used, each once, in drawing order."""
        return list(dict.fromkeys(p.asset for p in self.placed))


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode("utf-8")).digest()[:8], "big")


def over(canvas: Image.Image, picture: Image.Image, left: int, top: int) -> None:
    """Lay RGBA `picture` over RGBA `canvas` at (left, top), clipped to the canvas.

    `alpha_composite` (not `paste`) so a transparent canvas keeps true alpha at edges.
    """
    x0, y0 = max(0, left), max(0, top)
    x1 = min(canvas.width, left + picture.width)
    y1 = min(canvas.height, top + picture.height)
    if x1 <= x0 or y1 <= y0:
        return
    part = picture.crop((x0 - left, y0 - top, x1 - left, y1 - top))
    canvas.alpha_composite(part.convert("RGBA"), (x0, y0))


def _shadow(
    canvas: Image.Image, centre_x: float, base_y: float, width: float, height: float
) -> None:
    """A soft dark ellipse on the ground where something stands."""
    from PIL import Image, ImageDraw, ImageFilter

    w = width * 0.9
    h = max(3.0, height * 0.09)
    pad = round(h * 2)
    mask = Image.new("L", (round(w) + 2 * pad, round(h) + 2 * pad), 0)
    ImageDraw.Draw(mask).ellipse((pad, pad, pad + w, pad + h), fill=110)
    mask = mask.filter(ImageFilter.GaussianBlur(h * 0.45))
    shade = Image.new("RGBA", mask.size, (20, 24, 20, 255))
    shade.putalpha(mask)
    over(canvas, shade, round(centre_x - w / 2) - pad, round(base_y - h / 2) - pad)


def _paste(
    canvas: Image.Image,
    name: str,
    height: int,
    centre_x: float,
    base_y: float,
    *,
    flip: bool = False,
    shadow: bool = True,
    tone: str | None = None,
    faces: dict[str, FaceGeometry] | None = None,
    who: str | None = None,
    bouncers: dict[str, Bouncer] | None = None,
    under: Image.Image | None = None,
    apart: list[Plane] | None = None,
    sprite: Image.Image | None = None,
) -> Box:
    """Draw asset `name` (or a ready `sprite`) standing on (centre_x, base_y), with a
    soft ground shadow, on the RGBA plane `canvas`.

    With `faces` and `who`, a person's face found in the picture is recorded there. An
    animal that can hop (`bouncers`) is recorded with the scene under it (`under`, the
    whole picture so far) and, with `apart`, drawn on a plane of its own.
    """
    if sprite is None:
        sprite = assets.raster(name, height, flip=flip)
        bbox = sprite.getbbox() or (0, 0, sprite.width, sprite.height)
        sprite = sprite.crop(bbox)
    left = round(centre_x - sprite.width / 2)
    top = round(base_y - sprite.height)
    if shadow:
        _shadow(canvas, centre_x, base_y, sprite.width, sprite.height)
    if bouncers is not None and who is not None:
        lift = round(sprite.height * BOUNCE) + 2
        box = (
            max(0, left - 2),
            max(0, top - lift),
            min(canvas.width, left + sprite.width + 2),
            min(canvas.height, top + sprite.height + 2),
        )
        below = under.copy() if under is not None else canvas.copy()
        if under is not None:
            below.alpha_composite(canvas)
        plate = below.crop(box).convert("RGB")
        bouncers[who] = Bouncer(box, plate, sprite.copy(), (left - box[0], top - box[1]))
    if apart is not None and bouncers is not None and who is not None:
        apart.append(Plane(sprite.copy(), (left, top), FIGURE_DEPTH, who))
    else:
        over(canvas, sprite, left, top)
    if faces is not None and who is not None:
        found = face_of(name, sprite, tone) if tone is not None else None
        if found is not None:
            faces[who] = found.moved(left, top)
    return (left, top, left + sprite.width, top + sprite.height)


def _clear_zone(size: tuple[int, int]) -> tuple[float, float, float]:
    """(right limit, ground line of the figures, unit) keeping subtitles and UI clear."""
    width, height = size
    vertical = height > width * 1.2
    if vertical:  # subtitles sit at 0.7-0.78 of the height, the player's UI below
        return width * 0.84, height * 0.67, width * 0.95
    return float(width), height * 0.8, float(height) * 0.92


def draw_scene(
    size: tuple[int, int],
    *,
    heading: str = "",
    words: str = "",
    keywords: tuple[str, ...] = (),
    figures: tuple[Figure, ...] = (),
    speaker: str | None = None,
    tint: tuple[int, int, int] | None = None,
    seed: int = 0,
    genre: str = "story",
    verse: str | None = None,
    language: str = "en",
) -> Drawing:
    """Draw a shot's scene at `size`.

    `words` are what is said in the shot (narration, lines, translations); `keywords`
    (the shot's `keywords:`) are looked up first; `figures` are the characters present,
    `speaker` the one speaking (drawn larger, in front). `genre` "devotional" or
    "podcast" adds that genre's props when the words name none; a devotional shot also
    sets its `verse` large across the sky.
    """
    width, height = size
    rng = random.Random(_seed("scene", seed, heading, words))
    setting = _setting_for(heading, words, keywords, genre, language)
    from PIL import Image

    picture = paint_backdrop(setting, size, rng.randrange(1 << 30), tint).convert("RGBA")
    drawing = Drawing(picture=picture, setting=setting.name)
    props = Image.new("RGBA", size, (0, 0, 0, 0))
    people = Image.new("RGBA", size, (0, 0, 0, 0))
    apart: list[Plane] = []
    horizon = horizon_y(size, setting)
    right, ground, unit = _clear_zone(size)
    taken = {f.asset for f in figures}

    matched = (
        find_things(" ".join(keywords), limit=MAX_PROPS, language=language) if keywords else []
    )
    for match in find_things(words, language=language):
        if all(m.asset != match.asset for m in matched):
            matched.append(match)
    matched = [m for m in matched if m.asset not in taken][: MAX_PROPS + 1]
    if genre == "devotional":
        matched = [m for m in matched if m.asset in DEVOTIONAL_ALLOWED][:2]
        for asset in DEVOTIONAL_PROPS[:2]:
            if len(matched) < 3 and all(m.asset != asset for m in matched):
                matched.append(Match("", asset))
    if not matched and genre == "podcast":
        matched = [Match("", a) for a in PODCAST_PROPS]
    drawing.matched = [m for m in matched if m.word]
    sky = [m for m in matched if m.asset in SKY_ASSETS]
    ground_props = [m for m in matched if m.asset not in SKY_ASSETS][:MAX_PROPS]

    # Sky: the setting's sun/moon/clouds unless the words put their own there.
    sky_slots = [(0.16, 0.16), (0.82, 0.14), (0.5, 0.1), (0.34, 0.2)]
    if width < height:
        sky_slots = [(0.22, 0.12), (0.64, 0.1), (0.42, 0.2)]
    things = [(m.asset, m.word) for m in sky[:2]]
    if verse:  # the verse fills the sky: one small sun or moon at most
        things = things[:1]
    for asset in setting.sky_things:
        if verse and things:
            break
        if len(things) >= 3:
            break
        if all(a != asset for a, _ in things):
            things.append((asset, ""))
    for (asset, word), (sx, sy) in zip(things, sky_slots, strict=False):
        named = bool(word)
        h = round(unit * (0.2 if named else 0.13))
        box = _paste(picture, asset, h, width * sx, height * sy + h / 2, shadow=False)
        drawing.placed.append(Placed(asset, box, "sky" if not named else "prop", word or None))

    # Scenery along the horizon, thinned where the props will stand.
    scenery = list(setting.scenery)
    count = 3 if width >= height else 2
    for i in range(count):
        asset = scenery[i % len(scenery)]
        x = right * (0.1 + 0.8 * i / max(1, count - 1)) + rng.uniform(-0.04, 0.04) * width
        h = round(unit * rng.uniform(0.2, 0.27) * (1.25 if setting.indoor else 1.0))
        base = horizon + unit * (0.02 if not setting.indoor else 0.0)
        box = _paste(picture, asset, h, x, base)
        drawing.placed.append(Placed(asset, box, "scenery"))

    # Props on the middle ground, to the side of the characters.
    prop_base = horizon + (ground - horizon) * 0.55
    slots = _prop_slots(len(figures), len(ground_props), right, width)
    for match, x in zip(ground_props, slots, strict=False):
        h = round(unit * (0.22 if figures else 0.3) * (1.35 if height > width * 1.2 else 1.0))
        box = _paste(props, match.asset, h, x, prop_base)
        drawing.placed.append(Placed(match.asset, box, "prop", match.word or None))
    under = picture.copy()
    under.alpha_composite(props)

    # Characters in front; the speaker last (on top) and a little larger.
    order = sorted(range(len(figures)), key=lambda i: figures[i].name == speaker)
    xs = _figure_slots(len(figures), right)
    for i in order:
        figure = figures[i]
        big = 0.46 if not figure.animal else 0.36
        if len(figures) > 2:
            big *= 0.8
        if figure.name == speaker:
            big *= 1.1
        x = xs[i]
        if figure.color:
            _spot(people, figure.color, x, ground, unit * big * 0.55)
        # An animal turns towards the middle of the picture (to the others, the props).
        flip = figure.animal and _faces_right(figure.asset) != (x < right / 2)
        flip = flip and figure.asset not in FACING_FRONT
        own = own_picture(figure, round(unit * big)) if figure.image is not None else None
        box = _paste(
            people,
            figure.asset,
            round(unit * big),
            x,
            ground,
            flip=flip,
            tone=figure.tone,
            faces=drawing.faces if own is None else None,
            who=figure.name,
            bouncers=drawing.bouncers if figure.animal and own is None else None,
            under=under,
            apart=apart,
            sprite=own,
        )
        asset = figure.asset if own is None else f"image:{figure.image.name}"  # type: ignore[union-attr]
        drawing.placed.append(Placed(asset, box, "figure", name=figure.name))
    if verse:
        margin = width * 0.06
        draw_verse(
            picture, verse, language, (margin, height * 0.06, right - margin, horizon * 0.92)
        )
    drawing.background = picture.convert("RGB")
    for plane, depth in ((props, PROP_DEPTH), (people, FIGURE_DEPTH)):
        bbox = plane.getbbox()
        if bbox is not None:
            drawing.planes.append(Plane(plane.crop(bbox), (bbox[0], bbox[1]), depth))
    drawing.planes += apart
    whole = picture.copy()
    for item in drawing.planes:
        over(whole, item.picture, *item.at)
    drawing.picture = whole.convert("RGB")
    return drawing


def _faces_right(asset: str) -> bool:
    return asset in FACING_RIGHT


def _setting_for(
    heading: str, words: str, keywords: tuple[str, ...], genre: str, language: str = "en"
) -> Setting:
    if genre == "devotional":
        return SETTINGS["temple"]
    default = "studio" if genre == "podcast" else "meadow"
    return pick_setting(" ".join((*keywords, heading)), words, default, language)


def _figure_slots(count: int, right: float) -> list[float]:
    if count == 0:
        return []
    if count == 1:
        return [right * 0.36]
    if count == 2:
        return [right * 0.28, right * 0.68]
    return [right * (0.14 + 0.72 * i / (count - 1)) for i in range(count)]


def _prop_slots(figures: int, props: int, right: float, width: float) -> list[float]:
    if figures == 0:
        return [right * x for x in ((0.5,), (0.32, 0.68), (0.22, 0.5, 0.78))[max(0, props - 1)]]
    if figures == 1:
        return [right * x for x in (0.72, 0.88, 0.58)]
    return [right * x for x in (0.48, 0.9, 0.1)]


def _spot(picture: Image.Image, color: str, x: float, y: float, radius: float) -> None:
    """A soft disc of the character's colour where it stands."""
    from PIL import Image, ImageColor, ImageDraw, ImageFilter

    try:
        rgb = ImageColor.getrgb(color)[:3]
    except ValueError:
        return
    h = radius * 0.32
    pad = round(h)
    mask = Image.new("L", (round(radius * 2) + 2 * pad, round(h * 2) + 2 * pad), 0)
    ImageDraw.Draw(mask).ellipse((pad, pad, pad + radius * 2, pad + h * 2), fill=150)
    mask = mask.filter(ImageFilter.GaussianBlur(h * 0.3))
    disc = Image.new("RGBA", mask.size, (*rgb, 255))
    disc.putalpha(mask)
    over(picture, disc, round(x - radius) - pad, round(y - h) - pad)


def own_picture(figure: Figure, height: int) -> Image.Image:
    """A character's own `image:` as it stands in a scene, `height` pixels tall (RGBA).

    A picture with a transparent background is a cut-out and stands as it is; any other
    is a framed portrait: fitted to a 4:5 card with a light border and rounded corners.
    The same picture gives the same figure in every shot.
    """
    from PIL import Image, ImageDraw, ImageOps

    assert figure.image is not None
    with Image.open(figure.image) as im:
        im = ImageOps.exif_transpose(im)
        rgba = im.convert("RGBA")
    alpha = rgba.getchannel("A")
    lowest = alpha.getextrema()[0]
    if isinstance(lowest, int | float) and lowest < 128:  # a cut-out: stands on its own outline
        rgba = rgba.crop(rgba.getbbox() or (0, 0, rgba.width, rgba.height))
        scale = height / max(1, rgba.height)
        size = (max(1, round(rgba.width * scale)), max(1, height))
        return rgba.resize(size, Image.Resampling.LANCZOS)
    border = max(2, round(height * 0.035))
    inner = (max(1, round(height * 0.8) - 2 * border), max(1, height - 2 * border))
    photo = ImageOps.fit(rgba.convert("RGB"), inner, Image.Resampling.LANCZOS)
    card = Image.new("RGBA", (inner[0] + 2 * border, height), (0, 0, 0, 0))
    radius = border * 2
    ImageDraw.Draw(card).rounded_rectangle(
        (0, 0, card.width - 1, card.height - 1), radius=radius, fill=(250, 246, 236, 255)
    )
    mask = Image.new("L", inner, 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, inner[0] - 1, inner[1] - 1), radius=max(1, radius - border), fill=255
    )
    card.paste(photo, (border, border), mask)
    return card
