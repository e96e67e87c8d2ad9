"""The spec a worker renders: the text the server validated, never a file.

A job's folder holds only the uploaded files the spec names (the spec itself is not written
there, so no upload can stand in for it), and the spec is loaded against that folder with the
same checks as `check_spec` plus confinement: every path it names is relative, inside the
folder, a regular file, and reached through no symbolic link. A render thus never reads a file
outside its own working folder (issue 11).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from aifilm.client import spec_files
from aifilm.errors import UserError
from aifilm.server.errors import Problem
from aifilm.server.projectspec import RESERVED_NAMES, folder_clashes, unsafe_reason
from aifilm.server.storage import Storage
from aifilm.spec.loader import load_project_yaml
from aifilm.spec.models import Project


class RenderRefusedError(UserError):
    """The stored project or its files cannot be rendered as they are."""


def as_user_error(problem: Problem) -> RenderRefusedError:
    """A server check's problem as the error a job fails with."""
    return RenderRefusedError(problem.detail)


def materialise(storage: Storage, files: Mapping[str, str], folder: Path) -> None:
    """Copy the uploaded files (`name -> storage key`) into `folder`; a clear error, never a
    stuck job, when they cannot be laid out (a name clashing with another's folder)."""
    clashes = folder_clashes(list(files))
    if clashes:
        file, path = clashes[0]
        raise RenderRefusedError(
            f"the uploaded files '{file}' and '{path}' cannot both exist (one is named like the "
            "other's folder); delete one of them and submit again"
        )
    root = folder.resolve()
    for name, key in sorted(files.items()):
        reason = unsafe_reason(name) or ("reserved" if name.casefold() in RESERVED_NAMES else None)
        target = folder / name
        if reason is not None or not target.resolve().is_relative_to(root):
            why = reason or "it leads outside the project"
            raise RenderRefusedError(f"the uploaded file name '{name}' is not allowed ({why})")
        try:
            storage.get_file(key, target)
        except Exception as error:
            raise RenderRefusedError(
                f"the uploaded file '{name}' could not be read from storage "
                f"({type(error).__name__}: {error}); upload it again"
            ) from None


def _confined(folder: Path, name: str) -> str | None:
    """Why the spec's path `name` is not a regular file inside `folder` (None when it is)."""
    reason = unsafe_reason(name)
    if reason is not None:
        return reason
    if name.casefold() in RESERVED_NAMES:
        return "the name is reserved for the project's spec"
    path = folder
    for part in Path(name).parts:
        path = path / part
        if path.is_symlink():
            return f"'{path.relative_to(folder)}' is a symbolic link"
    if path.exists() and not path.resolve().is_relative_to(folder.resolve()):
        return "it leads outside the project"
    if path.exists() and not path.is_file():
        return "it is not a regular file"
    return None


def load_confined(text: str, folder: Path) -> Project:
    """Validate the spec text and load it against `folder`, refusing any path that is not a
    plain file inside it; else `SpecError` or `RenderRefusedError`."""
    try:
        model = Project.model_validate(yaml.safe_load(text))
    except Exception:
        # Let the loader explain it with lines and columns (it fails before reading a file).
        load_project_yaml(text, filename="project.yaml", base_dir=folder)
        raise RenderRefusedError("the stored project file is not valid") from None
    refused = []
    for path in sorted({p.as_posix() for p in spec_files(model)}):
        reason = _confined(folder, path)
        if reason is not None:
            refused.append(f"'{path}': {reason}")
    if refused:
        raise RenderRefusedError(
            "the project names files outside its own folder: "
            + "; ".join(refused)
            + ". Paths are relative to the project, like images/cat.png"
        )
    return load_project_yaml(text, filename="project.yaml", base_dir=folder)
