"""Draw this example's two picture-book illustrations (the PNGs beside this file).

    python examples/talking-picture-book/draw.py

Stand-ins for a storyteller's own scanned or painted pages: flat-colour animals that a
face detector does not recognise, so `project.yaml` gives each one's mouth as a box.
Prints those boxes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).parent
SIZE = (1200, 1200)


def _scene(sky: str, ground: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", SIZE, sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 820, SIZE[0], SIZE[1]], fill=ground)
    for x in range(40, SIZE[0], 140):  # tufts of grass
        draw.polygon([(x, 840), (x + 18, 790), (x + 36, 840)], fill="#3f7d3a")
    draw.ellipse([930, 90, 1090, 250], fill="#ffd166")  # the sun
    return image, draw


def hare() -> tuple[Image.Image, list[int]]:
    """A grey hare with long ears, looking out of the page."""
    image, draw = _scene("#9bd4f5", "#7cc26b")
    fur, inner = "#b8b2a7", "#f2b5c4"
    for x in (430, 650):  # ears
        draw.ellipse([x, 60, x + 120, 470], fill=fur, outline="#5b5650", width=6)
        draw.ellipse([x + 30, 110, x + 90, 430], fill=inner)
    draw.ellipse([300, 380, 900, 960], fill=fur, outline="#5b5650", width=6)  # head
    draw.ellipse([360, 700, 560, 900], fill="#e9e4dc")  # cheeks
    draw.ellipse([640, 700, 840, 900], fill="#e9e4dc")
    for x in (440, 660):  # eyes
        draw.ellipse([x, 560, x + 100, 670], fill="white", outline="#2d2a26", width=5)
        draw.ellipse([x + 30, 590, x + 80, 650], fill="#2d2a26")
        draw.ellipse([x + 50, 598, x + 64, 612], fill="white")
    draw.polygon([(570, 720), (630, 720), (600, 760)], fill="#c9667e")  # nose
    mouth = [545, 775, 655, 845]
    draw.line([(560, 800), (600, 815), (640, 800)], fill="#2d2a26", width=6)
    for side in (-1, 1):  # whiskers
        for dy in (-15, 10, 35):
            draw.line([(600 + side * 70, 770 + dy), (600 + side * 260, 740 + dy * 2)],
                      fill="#5b5650", width=3)
    return image, mouth


def tortoise() -> tuple[Image.Image, list[int]]:
    """A green tortoise peering from under its shell."""
    image, draw = _scene("#f7d9a8", "#a7c957")
    skin = "#b5c99a"
    draw.rectangle([640, 720, 800, 900], fill=skin, outline="#4f6d3a", width=6)  # neck
    draw.ellipse([120, 620, 820, 1080], fill="#6a994e", outline="#386641", width=8)  # shell
    for cx, cy in ((300, 800), (470, 760), (640, 800), (390, 930), (560, 930)):
        draw.regular_polygon((cx, cy, 70), 6, fill="#a7c957", outline="#386641")
    draw.ellipse([640, 380, 1100, 800], fill=skin, outline="#4f6d3a", width=6)  # head
    for x in (760, 930):  # eyes
        draw.ellipse([x, 490, x + 90, 590], fill="white", outline="#2d2a26", width=5)
        draw.ellipse([x + 25, 515, x + 70, 570], fill="#2d2a26")
        draw.ellipse([x + 42, 522, x + 54, 534], fill="white")
        draw.arc([x - 5, 455, x + 95, 545], 200, 340, fill="#4f6d3a", width=6)  # sleepy lids
    mouth = [800, 640, 960, 720]
    draw.line([(815, 675), (880, 690), (945, 675)], fill="#2d2a26", width=6)
    return image, mouth


def main() -> None:
    for name, draw_it in (("hare", hare), ("tortoise", tortoise)):
        image, mouth = draw_it()
        image.save(HERE / f"{name}.png", optimize=True)
        print(f"{name}.png  mouth: {mouth}")


if __name__ == "__main__":
    main()
