"""What a render checks before it starts, so it fails in a second rather than minutes in.

`render()` runs these before the first stage and `aifilm validate` runs the very same
function, so a project that validates has passed every check a render makes up front:
the spec and its files (loading the project), the backends it will use (registered,
their options valid, their Python packages, programs and API keys present), FFmpeg,
and a usable output folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from aifilm.errors import UserError

if TYPE_CHECKING:
    from aifilm.pipeline.render import Pipeline

# Stages whose backend is called only for some projects (translate: only when a subtitle
# language lacks its text), so a missing API key there is not certain to matter.
_KEY_ONLY_WHEN_USED = ("translate",)
# What a backend's health() reports that only its run can settle: the model its options name
# (health() looks for the default one), the device, and the API key (checked below).
_SETTLED_WHEN_RUN = ("API key", "device", "model", "weights licence")


def preflight(pipe: Pipeline, out_dir: Path | None) -> None:
    """Raise the error a render of `pipe` would meet first, if any is known before starting."""
    from aifilm.media.ffmpeg import ffmpeg_exe

    running = {stage.name for stage in pipe.stages}
    for stage, backend in pipe.backends.items():
        if stage not in running:
            continue
        # MissingDependencyError naming `pip install 'aifilm[extra]'`, a program, a soundfont
        backend.require(skip=_SETTLED_WHEN_RUN)
        api_key = getattr(backend, "api_key", None)
        if callable(api_key) and stage not in _KEY_ONLY_WHEN_USED:
            api_key()
    ffmpeg_exe()
    if out_dir is not None:
        check_out_dir(out_dir)


def check_out_dir(out_dir: Path) -> None:
    """The output folder must be a folder (or creatable as one) that we may write in."""
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise UserError(
            f"the output folder '{folder}' is a file",
            hint="give --out a folder (it is made if missing), e.g. --out renders/",
        )
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise UserError(
            f"cannot make the output folder '{folder}': '{existing}' is a file",
            hint="choose an output folder whose parents are folders",
        )
    if existing.exists() and not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(
            f"cannot write in '{existing}' (permission denied)",
            hint="choose an output folder you may write to",
        )
