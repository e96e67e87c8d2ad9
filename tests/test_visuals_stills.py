"""The default visuals backend with real Pillow: sizes, fitting, odd files, portraits."""

from __future__ import annotations

import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from aifilm.errors import AssetError, UserError
from aifilm.pipeline.timeline import VisualSpec
from aifilm.pipeline.visuals.base import Visual, VisualRequest
from aifilm.pipeline.visuals.stills import Stills


def _render(
    spec: VisualSpec, out: Path, size: tuple[int, int] = (320, 180), language: str = "en"
) -> Visual:
    request = VisualRequest(
        spec=spec,
        width=size[0],
        height=size[1],
        duration=2.0,
        fps=30,
        title="Film",
        language=language,
    )
    return Stills().render(request, out)


def _pixels(visual: Visual) -> np.ndarray:
    with Image.open(visual.path) as im:
        assert im.mode == "RGB"
        return np.asarray(im).astype(np.int32)


def _character(name: str) -> VisualSpec:
    return VisualSpec(
        "generated", character=name, text=name, seed=zlib.crc32(name.casefold().encode())
    )


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.jpg"
    im = Image.new("RGB", (400, 300), (40, 120, 200))
    ImageDraw.Draw(im).ellipse((150, 100, 250, 200), fill=(240, 200, 40))
    im.save(path, quality=92)
    return path


@pytest.mark.parametrize("size", [(320, 180), (181, 323), (1280, 720)])
def test_every_kind_has_the_exact_size(tmp_path: Path, photo: Path, size: tuple[int, int]) -> None:
    specs = [
        VisualSpec("image", image=photo),
        VisualSpec("color", color="#1d3557"),
        VisualSpec("title", text="The Crow and the Pot", subtitle="a fable"),
        VisualSpec("generated", text="Scene one", seed=3),
        VisualSpec("prompt", prompt="a crow", text="Scene", seed=3),
        _character("Asha"),
    ]
    for index, spec in enumerate(specs):
        visual = _render(spec, tmp_path / str(index), size)
        assert visual.kind == "still"
        assert (visual.width, visual.height) == size
        with Image.open(visual.path) as im:
            assert im.size == size and im.format == "PNG"


def test_prompt_says_it_needs_an_ai_backend(tmp_path: Path) -> None:
    visual = _render(VisualSpec("prompt", prompt="a crow by a pot", seed=1), tmp_path)
    assert visual.note == "prompt needs an AI visual backend; used a generated still"
    assert _render(VisualSpec("generated", seed=1), tmp_path / "g").note is None


def test_same_request_same_bytes(tmp_path: Path, photo: Path) -> None:
    for index, spec in enumerate(
        [
            VisualSpec("image", image=photo),
            VisualSpec("title", text="नमस्ते"),
            VisualSpec("generated", text="x", seed=9),
            _character("Ravi"),
        ]
    ):
        a = _render(spec, tmp_path / f"a{index}")
        b = _render(spec, tmp_path / f"b{index}")
        assert a.path.read_bytes() == b.path.read_bytes()
        assert a.faces == b.faces


def test_color_has_visible_shading(tmp_path: Path) -> None:
    for color in ("teal", "#000000"):
        px = _pixels(_render(VisualSpec("color", color=color), tmp_path / color.strip("#")))
        centre, corner = px[90, 160].sum(), px[2, 2].sum()
        assert centre - corner >= 12  # a vignette the camera motion can show
    with pytest.raises(UserError, match="notacolour"):
        _render(VisualSpec("color", color="notacolour"), tmp_path / "bad")


def test_portrait_image_is_shown_whole_over_a_blur(tmp_path: Path) -> None:
    # A tall picture: blue "head" band on top, green "feet" band at the bottom.
    path = tmp_path / "tall.png"
    im = Image.new("RGB", (300, 600), (200, 60, 60))
    ImageDraw.Draw(im).rectangle((0, 0, 300, 60), fill=(30, 60, 230))
    ImageDraw.Draw(im).rectangle((0, 540, 300, 600), fill=(30, 200, 60))
    im.save(path)
    px = _pixels(_render(VisualSpec("image", image=path), tmp_path / "out", (320, 180)))
    top, bottom, middle = px[3, 160], px[176, 160], px[90, 160]
    assert top[2] > 150 and top[0] < 100  # the head is not cropped off
    assert bottom[1] > 150 and bottom[0] < 100  # nor are the feet
    assert middle[0] > 150
    side = px[90, 10]
    assert side.sum() < middle.sum() * 0.6  # the sides are the darkened blur


def test_similar_aspect_is_cover_cropped(tmp_path: Path, photo: Path) -> None:
    px = _pixels(_render(VisualSpec("image", image=photo), tmp_path, (320, 180)))
    assert abs(px[5, 5] - np.array([40, 120, 200])).max() < 12  # the photo fills the corners


def test_exif_rotated_jpeg_comes_out_upright(tmp_path: Path) -> None:
    # Stored landscape: left half red, right half blue. EXIF 6 means "turn 90° clockwise",
    # so upright it is a portrait with red on top.
    stored = Image.new("RGB", (200, 100), (220, 30, 30))
    ImageDraw.Draw(stored).rectangle((100, 0, 200, 100), fill=(30, 30, 220))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    stored.save(path, exif=exif.tobytes(), quality=95)
    px = _pixels(_render(VisualSpec("image", image=path), tmp_path / "out", (100, 200)))
    assert px[20, 50][0] > 150 and px[20, 50][2] < 100
    assert px[180, 50][2] > 150 and px[180, 50][0] < 100


def test_odd_modes_become_rgb(tmp_path: Path) -> None:
    rgba = Image.new("RGBA", (64, 36), (255, 255, 255, 0))
    ImageDraw.Draw(rgba).rectangle((16, 8, 48, 28), fill=(255, 0, 0, 255))
    palette = rgba.convert("P")
    palette.info["transparency"] = 0
    grey16 = Image.fromarray(np.full((36, 64), 40000, np.uint16))
    cmyk = Image.new("CMYK", (64, 36), (0, 255, 255, 0))
    files = {
        "rgba.png": rgba,
        "grey16.png": grey16,
        "cmyk.jpg": cmyk,
        "pal.gif": rgba.convert("RGB").convert("P"),
    }
    for name, image in files.items():
        image.save(tmp_path / name)
    px = _pixels(
        _render(VisualSpec("image", image=tmp_path / "rgba.png"), tmp_path / "a", (64, 36))
    )
    assert px[2, 2].sum() < 100  # transparent: laid on the dark backdrop, not white
    assert px[18, 32][0] > 200 and px[18, 32][1] < 60
    px = _pixels(
        _render(VisualSpec("image", image=tmp_path / "grey16.png"), tmp_path / "b", (64, 36))
    )
    assert 140 < px[18, 32][0] < 170  # 40000/65535 of full scale
    px = _pixels(
        _render(VisualSpec("image", image=tmp_path / "cmyk.jpg"), tmp_path / "c", (64, 36))
    )
    assert px[18, 32][0] > 180 and px[18, 32][1] < 80
    _render(VisualSpec("image", image=tmp_path / "pal.gif"), tmp_path / "d", (64, 36))


def test_huge_jpeg_is_fast_and_small_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jpg"
    im = Image.new("L", (12000, 9000), 90)
    ImageDraw.Draw(im).ellipse((3000, 2000, 9000, 7000), fill=220)
    im.save(path, quality=85)
    del im
    script = (
        "import resource, sys, time\n"
        "from pathlib import Path\n"
        "from aifilm.pipeline.timeline import VisualSpec\n"
        "from aifilm.pipeline.visuals.base import VisualRequest\n"
        "from aifilm.pipeline.visuals.stills import Stills\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter()\n"
        "r = VisualRequest(VisualSpec('image', image=Path(sys.argv[1])), 1280, 720, 2.0, 30)\n"
        "Stills().render(r, Path(sys.argv[2]))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(time.perf_counter() - t, (after - before) / 1024)\n"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", script, str(path), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, grown_mb = (float(v) for v in out.stdout.split())
    assert time.perf_counter() - started < 20
    assert seconds < 3.0
    assert grown_mb < 120  # the full picture would be 324 MB as RGB
    with Image.open(tmp_path / "out" / "still.png") as still:
        assert still.size == (1280, 720)
        assert still.getpixel((640, 360))[0] > 180  # the bright disc, centred


def test_missing_and_broken_files_raise_asset_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.png"
    with pytest.raises(AssetError, match=r"nope\.png") as info:
        _render(VisualSpec("image", image=missing), tmp_path / "a")
    assert info.value.path == missing and info.value.hint
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"this is not a picture at all")
    with pytest.raises(AssetError, match=r"corrupt\.jpg") as info:
        _render(VisualSpec("image", image=corrupt), tmp_path / "b")
    assert info.value.path == corrupt
    truncated = tmp_path / "truncated.jpg"
    good = tmp_path / "good.jpg"
    Image.effect_noise((200, 200), 50).convert("RGB").save(good, quality=90)
    truncated.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(AssetError, match=r"truncated\.jpg"):
        _render(VisualSpec("image", image=truncated), tmp_path / "c")
    with pytest.raises(AssetError, match="not a file"):
        _render(VisualSpec("image", image=tmp_path), tmp_path / "d")


def test_generated_portrait_has_a_face_and_a_mouth(tmp_path: Path) -> None:
    visual = _render(_character("Asha"), tmp_path / "asha", (1280, 720))
    face = visual.face_of("Asha")
    assert face is not None and face.character == "Asha"
    assert not (tmp_path / "asha" / "face.json").exists()  # on the Visual, not beside it
    px = _pixels(visual)
    skin = np.array([int(face.skin[i : i + 2], 16) for i in (1, 3, 5)])
    fx0, fy0, fx1, fy1 = face.face
    mx0, my0, mx1, my1 = face.mouth
    assert fx0 < mx0 < mx1 < fx1 and fy0 < my0 < my1 < fy1
    assert (fx1 - fx0) > 1280 * 0.15  # a clear face
    # the forehead-to-cheek area between eyes and mouth is skin coloured
    cheek = px[(face.left_eye[3] + my0) // 2, (fx0 + fx1) // 2 - (fx1 - fx0) // 8]
    assert np.abs(cheek - skin).max() < 40
    # the mouth is clearly darker than the skin around it
    mouth = px[my0:my1, mx0:mx1].reshape(-1, 3).mean(axis=0)
    assert mouth.sum() < skin.sum() - 60
    # the eyes have white in them
    ex0, ey0, ex1, ey1 = face.left_eye
    assert px[ey0:ey1, ex0:ex1].max() > 240


def test_portraits_differ_by_character_and_not_by_shot(tmp_path: Path) -> None:
    a = _render(_character("Asha"), tmp_path / "a")
    b = _render(_character("Omar"), tmp_path / "b")
    assert a.path.read_bytes() != b.path.read_bytes()
    again = _render(
        VisualSpec(
            "generated", character="Asha", text="another scene", seed=_character("Asha").seed
        ),
        tmp_path / "c",
    )
    assert again.path.read_bytes() == a.path.read_bytes()


@pytest.mark.parametrize("text", ["नमस्ते दुनिया", "مرحبا بالعالم", "வணக்கம்"])
def test_title_draws_real_glyphs(tmp_path: Path, text: str) -> None:
    real = _pixels(_render(VisualSpec("title", text=text), tmp_path / "real", language="hi"))
    tofu = _pixels(
        _render(VisualSpec("title", text="\ue000" * len(text)), tmp_path / "tofu", language="hi")
    )
    plain = _pixels(_render(VisualSpec("title", text=""), tmp_path / "plain", language="hi"))
    assert np.abs(real - plain).mean() > 1  # something was drawn
    assert np.abs(real - tofu).mean() > 1  # and it is not boxes
