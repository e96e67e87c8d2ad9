"""A plain or Fountain script as project.yaml text, for the studio's editor.

The script goes into the project's `script:` block unchanged, so the server checks and
renders it exactly as `aifilm render script.fountain` would; `SCRIPT_OFFSET` is how many
lines come before it, to report issues at the script's own lines.
"""

from __future__ import annotations

import json

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
