"""The fonts aifilm draws text with, one per script, shipped in Python packages (all OFL).

Where each script's font comes from (first installed package wins):

=============================  ==============================================
latin, cyrillic                 fontpkg-noto-sans, else manimgx-fonts
devanagari/arabic/tamil/telugu  fontpkg-noto-sans-<script>, else manimgx-fonts
bengali, gujarati, gurmukhi,    manimgx-fonts
kannada, malayalam
cjk (Chinese, Japanese)         noto-cjk-sans-jp-regular (Noto Sans CJK JP;
                                Chinese text uses Japanese glyph forms)
=============================  ==============================================

`fonts_dir()` gathers them in one folder with plain file names, for libass
(`ass=...:fontsdir=...`): the packages name variable fonts like
`NotoSans[wdth,wght].ttf`, and `[`, `]`, `,` are special in a filter graph.
Nothing is looked up at import time.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aifilm.errors import MissingDependencyError, UnsupportedError


@dataclass(frozen=True)
class _Source:
    package: str  # import name of the Python package holding the file
    file: str  # path inside the package folder
    install: str  # pip name

    def path(self) -> Path | None:
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            return None
        for location in spec.submodule_search_locations:
            candidate = Path(location) / self.file
            if candidate.is_file():
                return candidate
        return None


def _fontpkg(slug: str, file: str) -> _Source:
    return _Source(f"fontpkg_{slug.replace('-', '_')}", f"files/{file}", f"fontpkg-{slug}")


def _manimgx(file: str) -> _Source:
    return _Source("manimgx_fonts", file, "manimgx-fonts")


_CJK = _Source("noto_cjk_sans_jp_regular", "NotoSansCJKjp-Regular.otf", "noto-cjk-sans-jp-regular")

# Per script, the places its font may come from, best first.
_SCRIPTS: dict[str, tuple[_Source, ...]] = {
    "latin": (_fontpkg("noto-sans", "NotoSans[wdth,wght].ttf"), _manimgx("NotoSans[wght].ttf")),
    "devanagari": (
        _fontpkg("noto-sans-devanagari", "NotoSansDevanagari[wdth,wght].ttf"),
        _manimgx("NotoSansDevanagari[wght].ttf"),
    ),
    "arabic": (
        _fontpkg("noto-sans-arabic", "NotoSansArabic[wdth,wght].ttf"),
        _manimgx("NotoSansArabic[wght].ttf"),
    ),
    "tamil": (
        _fontpkg("noto-sans-tamil", "NotoSansTamil[wdth,wght].ttf"),
        _manimgx("NotoSansTamil[wght].ttf"),
    ),
    "telugu": (
        _fontpkg("noto-sans-telugu", "NotoSansTelugu[wdth,wght].ttf"),
        _manimgx("NotoSansTelugu[wght].ttf"),
    ),
    "bengali": (_manimgx("NotoSansBengali[wght].ttf"),),
    "gujarati": (_manimgx("NotoSansGujarati[wght].ttf"),),
    "gurmukhi": (_manimgx("NotoSansGurmukhi[wght].ttf"),),
    "kannada": (_manimgx("NotoSansKannada[wght].ttf"),),
    "malayalam": (_manimgx("NotoSansMalayalam[wght].ttf"),),
    "cjk": (_CJK,),
}
_SCRIPTS["cyrillic"] = _SCRIPTS["latin"]  # Noto Sans covers Cyrillic and Greek

# Fonts put in `fonts_dir()` only so libass can fall back to them (symbols, emoji).
_FALLBACKS: tuple[_Source, ...] = (
    _manimgx("NotoSansSymbols[wght].ttf"),
    _manimgx("NotoEmoji[wght].ttf"),
)


def _script(language: str) -> str:
    from aifilm.spec.vocabulary import LANGUAGE_CODES
    from aifilm.spec.vocabulary import language as lookup

    code = re.split(r"[-_]", language.strip(), maxsplit=1)[0].lower()
    try:
        return lookup(code).script
    except KeyError:
        raise UnsupportedError(
            f"no font is known for language '{language}'",
            hint=f"use one of: {', '.join(LANGUAGE_CODES)}",
        ) from None


def script_font_file(script: str) -> Path:
    """The font file for a script name (e.g. "devanagari"); `MissingDependencyError` if absent."""
    sources = _SCRIPTS.get(script)
    if sources is None:
        raise UnsupportedError(f"no font is known for the {script} script")
    for source in sources:
        found = source.path()
        if found is not None:
            return found
    raise MissingDependencyError(
        f"no font for the {script} script is installed",
        hint=f"pip install {sources[0].install}",
    )


def font_file(language: str) -> Path:
    """A font file that covers the script of `language` (a code such as "hi" or "pt-BR")."""
    return script_font_file(_script(language))


@functools.lru_cache(maxsize=64)
def _family_of(path: Path) -> str:
    from PIL import ImageFont

    family = ImageFont.truetype(str(path), 16).getname()[0]
    if not family:
        raise UnsupportedError(f"the font {path} has no family name")
    return family


def font_family(language: str) -> str:
    """The family name of `font_file(language)` as libass matches it (read from the font)."""
    return _family_of(font_file(language))


def bundled_fonts() -> list[Path]:
    """Every installed font aifilm uses: one per script it can find, then fallbacks."""
    found: list[Path] = []
    for sources in _SCRIPTS.values():
        for source in sources:
            path = source.path()
            if path is not None:
                if path not in found:
                    found.append(path)
                break
    for source in _FALLBACKS:
        path = source.path()
        if path is not None and path not in found:
            found.append(path)
    return found


def plain_name(path: Path) -> str:
    """A file name safe in a filter graph: `NotoSans[wdth,wght].ttf` -> `NotoSans-wdth-wght.ttf`."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-") or "font"
    return stem + path.suffix.lower()


def _default_base() -> Path:
    override = os.environ.get("AIFILM_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("aifilm"))


def fonts_dir(base: Path | None = None) -> Path:
    """A folder holding every bundled font under a plain name, for libass's `fontsdir=`.

    It lives in `<base>/fonts/<digest>/` (base: `AIFILM_CACHE_DIR`, else the user
    cache dir); the digest changes when the installed fonts change, so a folder is
    never altered once made. It is built in a temporary folder and renamed into
    place, so processes making it at the same time all get a complete folder.
    """
    fonts = bundled_fonts()
    if not fonts:
        raise MissingDependencyError(
            "no fonts are installed for subtitles and titles", hint="pip install fontpkg-noto-sans"
        )
    names = [plain_name(p) for p in fonts]
    stats = [(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in fonts]
    digest = hashlib.sha256(repr(stats).encode()).hexdigest()[:16]
    root = (base if base is not None else _default_base()) / "fonts"
    target = root / digest
    if all((target / name).is_file() for name in names):
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        for font, name in zip(fonts, names, strict=True):
            try:  # a hard link costs no space and survives the package being removed
                os.link(font, staging / name)
            except OSError:
                shutil.copyfile(font, staging / name)
        try:
            staging.rename(target)
        except OSError:
            # Another process won the race (the target exists now) or left a broken
            # folder behind; replace a broken one, accept a complete one.
            if not all((target / name).is_file() for name in names):
                shutil.rmtree(target, ignore_errors=True)
                staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


@functools.lru_cache(maxsize=64)
def vertical_extent(path: Path) -> float:
    """The font's line extent in ems: (OS/2 usWinAscent + usWinDescent) / unitsPerEm.

    libass sizes a font so that this extent equals the ASS `Fontsize`, so fonts
    with tall scripts (Devanagari, Arabic) look smaller at the same `Fontsize`.
    Falls back to hhea ascender - descender, then to 1.2.
    """
    import struct

    data = path.read_bytes()
    offset = 0
    if data[:4] == b"ttcf":  # a collection: read its first font
        offset = struct.unpack(">I", data[12:16])[0]
    count = struct.unpack(">H", data[offset + 4 : offset + 6])[0]
    tables: dict[bytes, int] = {}
    for i in range(count):
        entry = offset + 12 + 16 * i
        tables[data[entry : entry + 4]] = struct.unpack(">I", data[entry + 8 : entry + 12])[0]
    if b"head" not in tables:
        return 1.2
    units = struct.unpack(">H", data[tables[b"head"] + 18 : tables[b"head"] + 20])[0] or 1000
    if b"OS/2" in tables:
        win_ascent, win_descent = struct.unpack(
            ">HH", data[tables[b"OS/2"] + 74 : tables[b"OS/2"] + 78]
        )
        if win_ascent + win_descent:
            return float(win_ascent + win_descent) / units
    if b"hhea" in tables:
        ascender, descender = struct.unpack(">hh", data[tables[b"hhea"] + 4 : tables[b"hhea"] + 8])
        if ascender - descender:
            return float(ascender - descender) / units
    return 1.2
