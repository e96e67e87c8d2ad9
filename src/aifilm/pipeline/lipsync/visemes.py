"""The default lip-sync backend: mouth shapes from the voice's phoneme timings, offline, CPU.

Each frame gets a *viseme* (a mouth shape): from the phoneme spoken at the frame's
middle (espeak's IPA, `viseme_of`), or, for a line without phonemes (API voices),
from the loudness of its audio. The mouth is painted with Pillow, once per shape, on
a patch cut from the still (the original mouth covered with the face's skin, then
lips, a dark opening, teeth or tongue); blinks close the eyes for a few frames on a
seeded, natural schedule. The patch's edges fade out, so it sits on the still with no
seam. Frames are never drawn one by one: the result is an ``.ffconcat`` list of the
few distinct sprites with their durations, which the composer reads as a clip and
lays on the still before the camera moves.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from aifilm.pipeline.compose.base import Overlay
from aifilm.pipeline.lipsync.base import (
    Box,
    Face,
    LipSync,
    LipSyncBackend,
    LipSyncRequest,
    SpokenLine,
)

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

LIST_FILE = "mouth.ffconcat"

# --- phonemes to visemes ---------------------------------------------------------

REST = "rest"  # mouth closed at rest (silence): the still's own mouth
VISEMES: tuple[str, ...] = (REST, "mbp", "fv", "th", "ltd", "kg", "sz", "a", "e", "i", "o", "u")

# (width, opening) of each shape, as fractions of the mouth box's width and height
SHAPES: dict[str, tuple[float, float]] = {
    "mbp": (0.92, 0.0),
    "fv": (0.95, 0.35),
    "th": (0.95, 0.55),
    "ltd": (0.95, 0.7),
    "kg": (0.9, 0.8),
    "sz": (1.0, 0.4),
    "a": (1.0, 1.5),
    "e": (1.05, 0.95),
    "i": (1.15, 0.6),
    "o": (0.7, 1.15),
    "u": (0.55, 0.7),
}
_TEETH = frozenset({"fv", "th", "sz", "e", "i", "ltd"})
_TONGUE = frozenset({"th", "ltd"})

_CONSONANTS: dict[str, str] = {
    **dict.fromkeys("mbpɓ", "mbp"),
    **dict.fromkeys("fvʋɸβ", "fv"),
    **dict.fromkeys("θð", "th"),
    **dict.fromkeys("lɫtdnɾɗʈɖɳɭɬ", "ltd"),
    **dict.fromkeys("kgɡŋxɣqɢχʁhɦʔcɟɲçj", "kg"),
    **dict.fromkeys("szʃʒʂʐɕʑ", "sz"),
    **dict.fromkeys("wɥ", "u"),
    **dict.fromkeys("ɹrɻʀ", "o"),
}
_VOWELS: dict[str, str] = {
    **dict.fromkeys("aɑɐæɒʌ", "a"),
    **dict.fromkeys("eɛəɜɘɚɝœø", "e"),
    **dict.fromkeys("iɪyʏɨ", "i"),
    **dict.fromkeys("oɔɤ", "o"),
    **dict.fromkeys("uʊɯʉ", "u"),
}


def viseme_of(phoneme: str) -> str:
    """The mouth shape for one phoneme in IPA (espeak's notation); unknown ones: "e".

    Affricates and diphthongs take their first sound's shape ("tʃ" -> "ltd",
    "aɪ" -> "a"); stress and length marks are ignored; "_" or "" (a pause) is rest.
    """
    text = unicodedata.normalize("NFD", phoneme)
    for ch in text:
        if ch in "ˈˌːˑ'-_ \u0303\u0329\u032f\u0361":
            continue
        if unicodedata.combining(ch):
            continue
        if ch in _VOWELS:
            return _VOWELS[ch]
        if ch in _CONSONANTS:
            return _CONSONANTS[ch]
        return "e"
    return REST


def visemes_of(phonemes: str | Sequence[str]) -> list[str]:
    """Visemes of a sequence of phonemes (a string is taken one IPA letter at a time)."""
    items = list(phonemes) if isinstance(phonemes, str) else phonemes
    out = [viseme_of(p) for p in items]
    return [v for v, p in zip(out, items, strict=True) if not (v == REST and p != "_")]


# --- a viseme per frame ------------------------------------------------------------


def _rms_levels(audio: Path, fps: int) -> list[float]:
    """Loudness of a clip per frame (RMS, 0..1)."""
    import numpy as np

    from aifilm.media.wav import read_wav

    samples, rate = read_wav(audio)
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    step = max(1, round(rate / fps))
    count = math.ceil(len(mono) / step)
    padded = np.zeros(count * step, np.float32)
    padded[: len(mono)] = mono
    return [float(v) for v in np.sqrt((padded.reshape(count, step) ** 2).mean(axis=1))]


def _energy_viseme(level: float, loudest: float) -> str:
    if loudest <= 0 or level < 0.12 * loudest:
        return REST
    share = level / loudest
    return "a" if share > 0.6 else "e" if share > 0.35 else "sz"


def frame_visemes(lines: Sequence[SpokenLine], start: float, frames: int, fps: int) -> list[str]:
    """The mouth shape of each frame: the phoneme sounding at the frame's middle."""
    shapes = [REST] * frames
    for line in lines:
        first = max(0, math.floor((line.start - start) * fps))
        last = min(frames, math.ceil((line.start + line.duration - start) * fps) + 1)
        if first >= last:
            continue
        levels: list[float] | None = None
        phonemes = [p for p in line.phonemes if p.end > p.start]
        if not phonemes:
            levels = _rms_levels(line.audio, fps) if line.audio.is_file() else []
        loudest = max(levels) if levels else 0.0
        k = 0
        for n in range(first, last):
            t = start + (n + 0.5) / fps - line.start  # the frame's middle, in the clip
            if t < 0 or t >= line.duration:
                continue
            if levels is not None:
                index = int(t * fps)
                if index < len(levels):
                    shape = _energy_viseme(levels[index], loudest)
                    if shape != REST:
                        shapes[n] = shape
                continue
            while k < len(phonemes) and phonemes[k].end <= t:
                k += 1
            if k < len(phonemes) and phonemes[k].start <= t:
                shape = viseme_of(phonemes[k].phoneme)
                if shape != REST:
                    shapes[n] = shape
    return shapes


def blink_frames(frames: int, fps: int, seed: int) -> list[bool]:
    """Which frames have the eyes shut: ~120 ms blinks every 2-6 s, from `seed`."""
    rng = random.Random(seed)
    shut = [False] * frames
    length = max(1, round(0.12 * fps))
    t = rng.uniform(0.6, 3.0)
    while True:
        first = round(t * fps)
        if first >= frames:
            break
        for n in range(first, min(frames, first + length)):
            shut[n] = True
        t += rng.uniform(2.0, 6.0) if rng.random() > 0.15 else 0.35  # sometimes a double blink
    return shut


# --- sprites -------------------------------------------------------------------------


def _even_box(box: Box, size: tuple[int, int]) -> Box:
    """A box grown to even edges inside `size` (the composer's 4:2:0 chroma grid)."""
    x0, y0 = max(0, box[0] // 2 * 2), max(0, box[1] // 2 * 2)
    x1 = min(size[0] // 2 * 2, (box[2] + 1) // 2 * 2)
    y1 = min(size[1] // 2 * 2, (box[3] + 1) // 2 * 2)
    return x0, y0, max(x0 + 2, x1), max(y0 + 2, y1)


def _union(boxes: Sequence[Box]) -> Box:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _grow(box: Box, left: float, top: float, right: float, bottom: float) -> Box:
    w, h = box[2] - box[0], box[3] - box[1]
    return (
        math.floor(box[0] - w * left),
        math.floor(box[1] - h * top),
        math.ceil(box[2] + w * right),
        math.ceil(box[3] + h * bottom),
    )


def _rgb(color: str) -> tuple[int, int, int]:
    value = int(color.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


@dataclass(frozen=True)
class _Colours:
    skin: tuple[int, int, int]
    lips: tuple[int, int, int]
    line: tuple[int, int, int]
    inside: tuple[int, int, int]
    teeth: tuple[int, int, int]
    tongue: tuple[int, int, int]


def _colours(face: Face, pixels: np.ndarray, mouth: Box) -> _Colours:
    """The face's colours: from its `Visual.faces`, else read from the picture."""
    import numpy as np

    if face.skin and face.lips:
        skin, lips = _rgb(face.skin), _rgb(face.lips)
        line = _rgb(face.mouth_line) if face.mouth_line else _mix(lips, (30, 10, 12), 0.6)
    else:
        x0, y0, x1, y1 = mouth
        h = y1 - y0
        band = pixels[max(0, y0 - h) : y0, x0:x1].reshape(-1, 3)  # above the lips
        if band.size == 0:
            band = pixels[y0:y1, x0:x1].reshape(-1, 3)
        skin_a = np.median(band, axis=0)
        inner = pixels[y0:y1, x0:x1].reshape(-1, 3).astype(np.float32)
        red = inner[:, 0] - inner[:, 1]
        lips_a = inner[red >= np.quantile(red, 0.7)].mean(axis=0) if len(inner) else skin_a
        skin = (int(skin_a[0]), int(skin_a[1]), int(skin_a[2]))
        lips = (int(lips_a[0]), int(lips_a[1]), int(lips_a[2]))
        lips = _mix(lips, (170, 70, 80), 0.25)
        line = _mix(lips, (30, 10, 12), 0.6)
    level = max(skin) / 255 if max(skin) else 1.0  # dimmed panels: darken the inside too
    return _Colours(
        skin=skin,
        lips=lips,
        line=line,
        inside=_mix((0, 0, 0), (70, 20, 28), min(1.0, level + 0.1)),
        teeth=_mix((0, 0, 0), (246, 244, 238), min(1.0, level * 1.05)),
        tongue=_mix((0, 0, 0), (196, 92, 100), min(1.0, level * 1.05)),
    )


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _feather(size: tuple[int, int], inset: int) -> Image.Image:
    """An alpha mask: opaque inside, fading to clear over `inset` pixels at the edges."""
    import numpy as np
    from PIL import Image

    w, h = size
    x = np.minimum(np.arange(w), np.arange(w)[::-1]).astype(np.float32)
    y = np.minimum(np.arange(h), np.arange(h)[::-1]).astype(np.float32)
    edge = np.minimum(x[None, :], y[:, None])
    alpha = np.clip(edge / max(1, inset), 0, 1) * 255
    return Image.fromarray(alpha.astype(np.uint8))


def draw_sprite(
    patch: Image.Image,
    mouth: Box,
    eyes: Sequence[Box],
    shape: str,
    shut: bool,
    colours: _Colours,
) -> Image.Image:
    """The patch with mouth `shape` (and shut eyes) painted on; boxes in patch pixels."""
    from PIL import Image, ImageDraw, ImageFilter

    ss = 4  # drawn at 4x and reduced: smooth edges at any size
    w, h = patch.size
    big = patch.resize((w * ss, h * ss), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(big)
    if shape != REST:
        x0, y0, x1, y1 = (v * ss for v in mouth)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        mw, mh = x1 - x0, y1 - y0
        # cover the still's own mouth with skin (soft-edged)
        cover = Image.new("L", big.size, 0)
        ImageDraw.Draw(cover).ellipse(
            (cx - mw * 0.62, cy - mh * 0.9, cx + mw * 0.62, cy + mh * 0.9), fill=255
        )
        cover = cover.filter(ImageFilter.GaussianBlur(mh * 0.2))
        big.paste(colours.skin, mask=cover)
        width_f, open_f = SHAPES[shape]
        rx = mw / 2 * width_f
        lip = max(ss * 1.5, mh * 0.32)  # lip thickness
        opening = mh * open_f
        top = cy - lip - opening * 0.35
        bottom = cy + lip + opening * 0.65
        draw.ellipse((cx - rx, top, cx + rx, bottom), fill=colours.lips)
        if opening > 0:
            ix, it, ib = rx * 0.78, top + lip * 0.9, bottom - lip * 0.9
            draw.ellipse((cx - ix, it, cx + ix, ib), fill=colours.inside)
            if shape in _TEETH:
                draw.chord(
                    (cx - ix, it, cx + ix, it + (ib - it) * 0.9), 180, 360, fill=colours.teeth
                )
            if shape in _TONGUE:
                draw.chord(
                    (cx - ix * 0.6, ib - (ib - it) * 0.6, cx + ix * 0.6, ib + (ib - it) * 0.2),
                    180,
                    360,
                    fill=colours.tongue,
                )
        else:
            draw.line(
                (cx - rx * 0.9, cy, cx + rx * 0.9, cy), fill=colours.line, width=max(2, ss * 2)
            )
    if shut:
        for e in eyes:
            x0, y0, x1, y1 = (v * ss for v in e)
            ew, eh = x1 - x0, y1 - y0
            draw.ellipse(
                (x0 - ew * 0.12, y0 - eh * 0.2, x1 + ew * 0.12, y1 + eh * 0.2), fill=colours.skin
            )
            draw.arc(
                (x0, y0 - eh * 0.1, x1, y1 + eh * 0.1),
                20,
                160,
                fill=colours.line,
                width=max(2, round(eh * 0.14)),
            )
    return big.reduce(ss)


@dataclass(frozen=True)
class _Plan:
    box: Box  # the overlay in the still
    mouth: Box  # in the patch
    eyes: tuple[Box, ...]  # in the patch


def plan_patch(face: Face, size: tuple[int, int]) -> _Plan:
    """The still's region the animation covers: the mouth with room to open, and the eyes."""
    mouth_room = _grow(face.mouth, 0.35, 0.9, 0.35, 1.9)
    parts = [mouth_room] + [_grow(e, 0.35, 0.5, 0.35, 0.5) for e in face.eyes]
    box = _even_box(_union(parts), size)

    def local(b: Box) -> Box:
        return (b[0] - box[0], b[1] - box[1], b[2] - box[0], b[3] - box[1])

    return _Plan(box, local(face.mouth), tuple(local(e) for e in face.eyes))


class VisemeLipSync(LipSyncBackend):
    """Mouth shapes from phoneme timings (or loudness), blinks; sprites drawn with Pillow."""

    name: ClassVar[str] = "visemes"
    description: ClassVar[str] = (
        "Mouth shapes from the voice's phonemes, blinking eyes (Pillow + FFmpeg, offline)"
    )
    requires: ClassVar[tuple[str, ...]] = ("PIL", "numpy")
    weights_license: ClassVar[str | None] = (
        "no model weights; OpenCV's Haar face cascades (Intel open-source licence, BSD-style)"
    )
    version: ClassVar[str] = "1"

    def animate(self, request: LipSyncRequest, out_dir: Path) -> LipSync:
        """Write the sprites and their `.ffconcat` timing list into `out_dir`."""
        import numpy as np
        from PIL import Image

        out_dir.mkdir(parents=True, exist_ok=True)
        with Image.open(request.visual.path) as im:
            still = im.convert("RGB")
        plan = plan_patch(request.face, still.size)
        patch = still.crop(plan.box)
        colours = _colours(request.face, np.asarray(still), request.face.mouth)
        shapes = frame_visemes(request.lines, request.start, request.frames, request.fps)
        shut = (
            blink_frames(request.frames, request.fps, request.seed)
            if plan.eyes
            else [False] * request.frames
        )
        if all(s == REST for s in shapes) and not any(shut):
            return LipSync("none", note="nothing said and no blinks")
        alpha = _feather(patch.size, max(2, min(patch.size) // 8))
        alpha = _within_layer(request, plan.box, alpha)
        names: dict[tuple[str, bool], str] = {}
        runs: list[tuple[str, int]] = []
        for shape, closed in zip(shapes, shut, strict=True):
            key = (shape, closed)
            if key not in names:
                names[key] = f"{shape}{'-blink' if closed else ''}.png"
                sprite = draw_sprite(patch, plan.mouth, plan.eyes, shape, closed, colours)
                sprite.putalpha(alpha)
                sprite.save(out_dir / names[key], "PNG", compress_level=1)
            if runs and runs[-1][0] == names[key]:
                runs[-1] = (runs[-1][0], runs[-1][1] + 1)
            else:
                runs.append((names[key], 1))
        lines = ["ffconcat version 1.0"]
        for name, count in runs:
            lines += [f"file {name}", f"duration {count / request.fps:.6f}"]
        lines.append(f"file {runs[-1][0]}")  # the last entry's duration needs a successor
        (out_dir / LIST_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        overlay = Overlay(out_dir / LIST_FILE, plan.box[0], plan.box[1], request.start)
        return LipSync("overlay", overlay=overlay)


def _within_layer(request: LipSyncRequest, box: Box, alpha: Image.Image) -> Image.Image:
    """On a still drawn in layers, the patch moves with the layer the face is on: keep it
    to that layer's own pixels, so no background rides along at the layer's depth."""
    from PIL import Image, ImageChops

    for layer in reversed(request.visual.layers[1:]):
        x0, y0, x1, y1 = layer.box
        if layer.name is None and x0 <= box[0] + 2 < x1 and y0 <= box[1] + 2 < y1:
            with Image.open(layer.path) as im:
                shape = im.convert("RGBA").getchannel("A")
            local = (box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0)
            return ImageChops.multiply(alpha, shape.crop(local))
    return alpha


def embedded_mouths(request: LipSyncRequest, out_dir: Path, why: str) -> LipSync:
    """What a neural backend answers for a face it cannot animate (too small, say): this
    backend's mouth shapes, with `why` in the report's notes."""
    made = VisemeLipSync().animate(request, out_dir)
    return LipSync(made.kind, made.overlay, made.video, f"{why}; embedded mouth shapes used")
