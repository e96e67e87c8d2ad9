"""Animals talk by hopping: with no mouth to move, an illustrated animal rises a little
on each open syllable of its lines and settles between them.

The illustrated still leaves, beside it, the patch of scene under each animal and the
animal's picture (`aifilm.pipeline.visuals.stills.read_hops`). A few frames are drawn
(the animal at a handful of heights on that patch) and an `.ffconcat` list times them,
laid over the still like a lip-sync mouth: one FFmpeg graph, no per-frame Python.
"""

from __future__ import annotations

from pathlib import Path

from aifilm.pipeline.compose.base import Overlay
from aifilm.pipeline.lipsync.base import LipSync, LipSyncRequest
from aifilm.pipeline.lipsync.visemes import REST, SHAPES, frame_visemes
from aifilm.pipeline.visuals.stills import Hop

HOP_FILE = "hop.ffconcat"
LEVELS = 4  # heights besides resting: few sprites, still a smooth rise and fall
SOURCE = "hop"  # `Face.source` of an animal that hops


def _heights(request: LipSyncRequest) -> list[int]:
    """Each frame's height level (0 rests): the syllable's openness, softened over 3 frames."""
    shapes = frame_visemes(request.lines, request.start, request.frames, request.fps)
    loudest = max(v for _, v in SHAPES.values())
    raw = [0.0 if s == REST else SHAPES[s][1] / loudest for s in shapes]
    soft = [
        sum(raw[max(0, n - 1) : n + 2]) / len(raw[max(0, n - 1) : n + 2]) for n in range(len(raw))
    ]
    return [min(LEVELS, round(v * LEVELS)) for v in soft]


def hop(request: LipSyncRequest, where: Hop, out_dir: Path) -> LipSync:
    """Write the animal's hop frames and their timing into `out_dir`."""
    from PIL import Image

    from aifilm.draw.scene import BOUNCE

    heights = _heights(request)
    if not any(heights):
        return LipSync("none", note="nothing said")
    out_dir.mkdir(parents=True, exist_ok=True)
    # On a still drawn in layers the animal is a layer of its own: its hop frames hold
    # only the animal (clear around it) and stand in for that layer, so the scene behind
    # can move at its own depth.
    alone = any(layer.name == where.character for layer in request.visual.layers)
    with Image.open(where.plate) as im:
        plate = im.convert("RGB")
    if alone:
        plate = Image.new("RGBA", plate.size, (0, 0, 0, 0))
    with Image.open(where.sprite) as im:
        sprite = im.convert("RGBA")
    lift = sprite.height * BOUNCE
    names: dict[int, str] = {}
    runs: list[tuple[str, int]] = []
    for level in heights:
        if level not in names:
            names[level] = f"hop-{level}.png"
            frame = plate.copy()
            # A small squash at rest, a stretch in the air: it reads as a hop, not a slide.
            stretch = 1.0 + 0.04 * level / LEVELS
            size = (sprite.width, max(1, round(sprite.height * stretch)))
            shown = sprite.resize(size) if stretch != 1.0 else sprite
            x = where.at[0]
            y = where.at[1] + sprite.height - shown.height - round(lift * level / LEVELS)
            if alone:
                frame.alpha_composite(shown, (x, max(0, y)))
            else:
                frame.paste(shown, (x, y), shown)
            frame.save(out_dir / names[level], "PNG", compress_level=1)
        if runs and runs[-1][0] == names[level]:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((names[level], 1))
    lines = ["ffconcat version 1.0"]
    for name, count in runs:
        lines += [f"file {name}", f"duration {count / request.fps:.6f}"]
    lines.append(f"file {runs[-1][0]}")
    (out_dir / HOP_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    overlay = Overlay(
        out_dir / HOP_FILE,
        where.box[0],
        where.box[1],
        request.start,
        replaces=where.character if alone else None,
    )
    return LipSync("overlay", overlay=overlay)
