"""Fonts per language, their family names, and the plain-named fonts folder for libass."""

from __future__ import annotations

import importlib.util
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import ImageFont

from aifilm.errors import UnsupportedError
from aifilm.media.fonts import (
    bundled_fonts,
    font_family,
    font_file,
    fonts_dir,
    plain_name,
    vertical_extent,
)
from aifilm.spec.vocabulary import LANGUAGES

# Scripts whose font comes from a package that is a core dependency.
CORE = {
    "en": "Noto Sans",
    "hi": "Noto Sans Devanagari",
    "ar": "Noto Sans Arabic",
    "ta": "Noto Sans Tamil",
    "te": "Noto Sans Telugu",
    "ru": "Noto Sans",
    "mr": "Noto Sans Devanagari",
}
# Scripts served by further font packages.
EXTRA = {
    "bn": "manimgx_fonts",
    "gu": "manimgx_fonts",
    "pa": "manimgx_fonts",
    "ml": "manimgx_fonts",
    "kn": "manimgx_fonts",
    "ja": "noto_cjk_sans_jp_regular",
    "zh": "noto_cjk_sans_jp_regular",
}


@pytest.mark.parametrize(("code", "family"), sorted(CORE.items()))
def test_core_languages_have_fonts(code: str, family: str) -> None:
    path = font_file(code)
    assert path.is_file()
    assert font_family(code) == family


@pytest.mark.parametrize("lang", LANGUAGES, ids=lambda lang: lang.code)
def test_every_language_has_a_font_that_names_its_family(lang: object) -> None:
    code = lang.code  # type: ignore[attr-defined]
    if code in EXTRA and importlib.util.find_spec(EXTRA[code]) is None:
        pytest.skip(f"{EXTRA[code]} is not installed")
    path = font_file(code)
    family = font_family(code)
    assert family and family == ImageFont.truetype(str(path), 12).getname()[0]
    assert 1.0 < vertical_extent(path) < 3.0


def test_region_subtags_and_unknown_languages() -> None:
    assert font_file("pt-BR") == font_file("pt")
    with pytest.raises(UnsupportedError, match="xx"):
        font_file("xx")


def test_plain_name() -> None:
    assert plain_name(Path("NotoSans[wdth,wght].ttf")) == "NotoSans-wdth-wght.ttf"


def test_fonts_dir_is_plain_complete_and_idempotent(tmp_path: Path) -> None:
    first = fonts_dir(tmp_path)
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == len(bundled_fonts())
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", name) for name in names)
    assert "NotoSansDevanagari-wdth-wght.ttf" in names
    assert fonts_dir(tmp_path) == first
    assert sorted(p.name for p in first.iterdir()) == names
    # no staging folders left behind
    assert [p.name for p in first.parent.iterdir()] == [first.name]


def test_fonts_dir_made_by_many_at_once(tmp_path: Path) -> None:
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: fonts_dir(tmp_path), range(6)))
    assert len(set(results)) == 1
    folder = results[0]
    assert len(list(folder.iterdir())) == len(bundled_fonts())
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]


def test_fonts_dir_defaults_to_the_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIFILM_CACHE_DIR", str(tmp_path / "cache"))
    assert fonts_dir().is_relative_to(tmp_path / "cache" / "fonts")
