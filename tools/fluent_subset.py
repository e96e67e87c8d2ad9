"""Copy the Fluent Emoji (flat) pictures aifilm uses into src/aifilm/draw/assets/.

Usage (needs npm, once, by a maintainer; the result is committed):

    cd /tmp && npm pack @iconify-json/fluent-emoji-flat
    tar xzf iconify-json-fluent-emoji-flat-*.tgz
    python tools/fluent_subset.py /tmp/package

Every picture the word table, the figures, the backdrops and the genre looks name is
written as an SVG, with a manifest (name, the words that pick it, licence, source).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from aifilm.draw.figures import PERSON_BASES, TONES, UNKNOWN_ANIMAL
from aifilm.draw.looks import LOOK_ASSETS
from aifilm.draw.scenery import SCENERY_ASSETS
from aifilm.draw.words import HINDI, NOUNS

TARGET = Path(__file__).resolve().parents[1] / "src/aifilm/draw/assets"


def main(package: Path) -> None:
    icons = json.loads((package / "icons.json").read_text(encoding="utf-8"))
    info = json.loads((package / "info.json").read_text(encoding="utf-8"))
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    words: dict[str, set[str]] = {}
    for table in (NOUNS, HINDI):
        for word, asset in table.items():
            words.setdefault(asset, set()).add(word)
    wanted = set(words) | set(SCENERY_ASSETS) | set(LOOK_ASSETS) | {UNKNOWN_ANIMAL}
    wanted |= {f"{base}-{tone}" for base in PERSON_BASES for tone in TONES}
    folder = TARGET / "fluent"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.svg"):
        old.unlink()
    entries = {}
    missing = []
    default_w, default_h = icons.get("width", 32), icons.get("height", 32)
    for name in sorted(wanted):
        icon = icons["icons"].get(name)
        flip = False
        if icon is None and name in icons.get("aliases", {}):
            alias = icons["aliases"][name]
            icon, flip = icons["icons"][alias["parent"]], bool(alias.get("hFlip"))
        if icon is None:
            missing.append(name)
            continue
        w, h = icon.get("width", default_w), icon.get("height", default_h)
        body = icon["body"]
        if flip:
            body = f'<g transform="translate({w} 0) scale(-1 1)">{body}</g>'
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'viewBox="0 0 {w} {h}" width="{w}" height="{h}">{body}</svg>\n'
        )
        (folder / f"{name}.svg").write_text(svg, encoding="utf-8")
        entries[name] = {"file": f"fluent/{name}.svg", "keywords": sorted(words.get(name, ()))}
    manifest = {
        "source": f"Microsoft Fluent Emoji (flat), npm @iconify-json/fluent-emoji-flat {version}",
        "url": info["author"]["url"],
        "license": "MIT",
        "license_file": "LICENSE-fluent-emoji.txt",
        "attribution": "Fluent Emoji by Microsoft Corporation, MIT licence",
        "assets": entries,
    }
    (TARGET / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if missing:
        sys.exit(f"not in the package: {', '.join(missing)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
