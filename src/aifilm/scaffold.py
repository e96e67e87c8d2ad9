"""`aifilm init`: a new project folder that renders as it is."""

from __future__ import annotations

import zlib
from pathlib import Path

from aifilm.errors import InternalError, UserError
from aifilm.pipeline.timeline import VisualSpec
from aifilm.pipeline.visuals.base import VisualRequest

PROJECT_YAML = """\
# yaml-language-server: $schema=project.schema.json
# A film in one file. Run:  aifilm render project.yaml
title: {title}
language: en
duration: 45s            # 10 s to 10 min, or "auto" to fit the script

output:
  resolution: 720p       # 720p, 1080p, vertical (9:16 Shorts), square, or WIDTHxHEIGHT
  fps: 30

narrator:
  voice: mature          # baby toddler child pre-teen young-adult adult-male adult-female mature

characters:               # mouth: where the mouth is in the picture, for lip-sync
  - name: Mira
    voice: child
    image: images/mira.png
    mouth: {mira_mouth}
  - name: Grandpa
    voice: mature
    image: images/grandpa.png
    mouth: {grandpa_mouth}

music:
  genre: ambient         # see: aifilm music
  volume: 0.35

script_file: script.txt  # or write scenes/shots here; see docs/spec.md
"""

SCRIPT_TXT = """\
[Scene: The garden]
One quiet evening, Mira sat with her grandfather under the old mango tree.

Mira: Grandpa, why do the stars come out only at night?
Grandpa: They are always there, little one. The sun is just too bright to see them.

[Scene: Night]
Mira looked up and counted the stars, one by one, until she fell asleep.
"""


def create_project(folder: Path, *, title: str | None = None) -> Path:
    """Write project.yaml, script.txt, character portraits and the schema; return the spec."""
    from aifilm.pipeline.visuals.stills import Stills
    from aifilm.spec.schema import project_schema

    if folder.exists() and not folder.is_dir():
        raise UserError(f"'{folder}' is a file, not a folder", hint="choose a new folder name")
    if folder.exists() and any(folder.iterdir()):
        raise UserError(
            f"'{folder}' already exists and is not empty", hint="choose a new folder name"
        )
    title = title or folder.name.replace("-", " ").replace("_", " ").strip().title() or "My Film"
    images = folder / "images"
    images.mkdir(parents=True, exist_ok=True)
    stills = Stills()
    mouths: dict[str, str] = {}
    for name in ("Mira", "Grandpa"):
        spec = VisualSpec(
            "generated", character=name, text=name, seed=zlib.crc32(name.casefold().encode())
        )
        visual = stills.render(
            VisualRequest(spec=spec, width=768, height=768, duration=1.0, fps=30), images
        )
        # The portrait's faces say where its mouth is, but only for a still the stills
        # backend made itself; as the character's own picture, lip-sync reads `mouth:` from
        # the spec instead (the face detector does not see cartoon faces).
        face = visual.face_of(name)
        if face is None:
            raise InternalError(f"the portrait of {name} came without its face")
        mouths[f"{name.lower()}_mouth"] = "[" + ", ".join(str(v) for v in face.mouth) + "]"
        visual.path.rename(images / f"{name.lower()}.png")
    (folder / "script.txt").write_text(SCRIPT_TXT, encoding="utf-8")
    spec_path = folder / "project.yaml"
    spec_path.write_text(PROJECT_YAML.format(title=_yaml_string(title), **mouths), encoding="utf-8")
    import json

    (folder / "project.schema.json").write_text(
        json.dumps(project_schema(), indent=2) + "\n", encoding="utf-8"
    )
    return spec_path


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
