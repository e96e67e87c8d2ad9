"""Writing a project as YAML a person reads and edits: spec key order, block style, one
line per text, the writer's picture notes as comments above their shots."""

from __future__ import annotations

import re
from typing import Any

import yaml

PICTURE_KEY = "__picture__"


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def project_yaml(spec: dict[str, Any], header: str) -> str:
    """The spec as YAML text, `header` as comment lines at the top."""
    text = yaml.dump(
        spec,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=10_000,  # a spoken line stays on one line, however long
    )
    out: list[str] = [f"# {line}".rstrip() for line in header.splitlines()]
    lines = text.splitlines()
    marker = re.compile(rf"^(\s*)- {PICTURE_KEY}: (.*)$")
    i = 0
    while i < len(lines):
        found = marker.match(lines[i])
        if found and i + 1 < len(lines):
            indent, value = found.groups()
            value = yaml.safe_load(value) if value[:1] in "'\"" else value
            out.append(f"{indent}# picture: {value}")
            nxt = lines[i + 1]
            out.append(f"{indent}- {nxt[len(indent) + 2 :]}")
            i += 2
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out) + "\n"
