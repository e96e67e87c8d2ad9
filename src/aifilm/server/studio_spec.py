"""A plain or Fountain script as project.yaml text, for the studio's editor.

The script goes into the project's `script:` block unchanged, so the server checks and
renders it exactly as `aifilm render script.fountain` would; `SCRIPT_OFFSET` is how many
lines come before it, to report issues at the script's own lines.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

NARRATOR = "narrator"  # the key `set_choices` reads as the narrator's voice
SCRIPT_OFFSET = 3  # title, output, "script: |2"


def script_to_spec(text: str, fmt: str, title: str) -> tuple[str, int]:
    """project.yaml text holding `text` as its script, and the lines before the script."""
    del fmt  # the loader tells plain from Fountain by the text itself, as the CLI does
    body = text.replace("\r\n", "\n").replace("\r", "\n")
    indented = "\n".join(("  " + line) if line.strip() else "" for line in body.split("\n"))
    spec = (
        f"title: {json.dumps(title.strip() or 'Untitled', ensure_ascii=False)}\n"
        "output: {resolution: 720p, quality: draft}\n"
        f"script: |2\n{indented}\n"
    )
    return spec, SCRIPT_OFFSET


class _Dumper(yaml.SafeDumper):
    """Block lists under their key, and multi-line text (a script) as a literal block."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _text)


def _mapping(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}


def set_choices(spec: str, voices: dict[str, str], genre: str | None) -> str:
    """`spec` with each named character's voice preset and the music genre set (None: no
    music); characters the spec does not list yet (a script's speakers) are added.

    The text is written anew, so YAML comments are not kept.
    """
    data = yaml.safe_load(spec)
    if not isinstance(data, dict):
        return spec
    characters = data.setdefault("characters", []) or []
    data["characters"] = characters
    for name, preset in voices.items():
        if name == NARRATOR:
            narrator: dict[str, Any] = _mapping(data.get("narrator"))
            data["narrator"] = {**narrator, "voice": preset}
            continue
        row = next((c for c in characters if isinstance(c, dict) and c.get("name") == name), None)
        if row is None:
            characters.append({"name": name, "voice": preset})
        else:
            row["voice"] = preset
    if not characters:
        del data["characters"]
    if genre:
        music = _mapping(data.get("music"))
        music.pop("file", None)
        data["music"] = {**music, "genre": genre}
    else:
        data.pop("music", None)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
