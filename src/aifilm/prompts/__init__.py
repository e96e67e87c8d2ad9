"""The instructions aifilm gives language models, as Markdown files a user can read.

`load_prompt("write")` reads `write.md` from the folder named by `AIFILM_PROMPTS_DIR`
when that folder has one, else the copy shipped here: copy a file there and edit it
to change how films are written or directed.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from aifilm.errors import UserError

NAMES = ("write", "summarise", "direct")


def prompt_override_dir() -> Path | None:
    """The user's prompts folder, if one is set."""
    folder = os.environ.get("AIFILM_PROMPTS_DIR")
    return Path(folder).expanduser() if folder else None


def load_prompt(name: str) -> str:
    """The text of prompt `name`: the user's copy if there is one, else the shipped one."""
    if name not in NAMES:
        raise ValueError(f"unknown prompt '{name}'; prompts: {', '.join(NAMES)}")
    folder = prompt_override_dir()
    if folder is not None and (folder / f"{name}.md").is_file():
        try:
            return (folder / f"{name}.md").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(
                f"cannot read the prompt {folder / f'{name}.md'}: {exc}",
                hint="fix the file, or unset AIFILM_PROMPTS_DIR to use the shipped prompts",
            ) from None
    return resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
