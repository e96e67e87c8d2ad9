"""Checking a project.yaml the server receives: valid, and naming only safe relative files.

A spec may name files (character images, backgrounds, a music file); on the server these are
the project's uploaded assets, so every such path must be relative and stay inside the
project (no `..`, no absolute paths: a render must never read the server's own files).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from aifilm.client import spec_files
from aifilm.errors import SpecError
from aifilm.server.errors import Problem
from aifilm.spec.loader import load_project_yaml
from aifilm.spec.models import Project


@dataclass(frozen=True)
class SpecFacts:
    """What the server needs to know about a spec."""

    title: str
    duration: float | None
    size: tuple[int, int]
    files: list[str]  # relative paths the spec names, POSIX style
    backends: dict[str, str]  # stage -> backend name the spec picks
    choices: dict[str, Any] = field(default_factory=dict)  # stage -> name or {name, options}


def safe_name(name: str) -> str:
    """`name` as a clean relative POSIX path, or a 422 problem."""
    path = PurePosixPath(name.replace("\\", "/"))
    if (
        not name
        or len(name) > 255
        or path.is_absolute()
        or any(p in ("..", ".", "") for p in path.parts)
        or ":" in path.parts[0]
        or any(ord(ch) < 32 for ch in name)
    ):
        raise Problem(
            422,
            f"'{name}' is not allowed as a file name; use a relative path like images/cat.png",
        )
    return str(path)


def _spec_problem(error: SpecError) -> Problem:
    issues = [
        {"line": i.line, "column": i.column, "field": i.field, "message": i.message}
        for i in error.issues
    ]
    return Problem(422, error.message, title="Invalid project", issues=issues)


def check_spec(text: str, max_bytes: int) -> SpecFacts:
    """Validate project.yaml text as the CLI would; raise a 422 problem listing every issue."""
    if len(text.encode("utf-8")) > max_bytes:
        raise Problem(413, f"the project file is over {max_bytes} bytes")
    with tempfile.TemporaryDirectory(prefix="aifilm-spec-") as tmp:
        base = Path(tmp)
        try:
            data = yaml.safe_load(text)
            model = Project.model_validate(data)
        except Exception:
            # Let the loader explain it, with lines and columns.
            try:
                load_project_yaml(text, filename="project.yaml", base_dir=base)
            except SpecError as error:
                raise _spec_problem(error) from None
            raise Problem(422, "the project file is not valid YAML") from None
        files = sorted({safe_name(p.as_posix()) for p in spec_files(model)})
        for name in files:  # stand-ins, so that only non-file problems are reported here
            (base / name).parent.mkdir(parents=True, exist_ok=True)
            (base / name).touch()
        try:
            project = load_project_yaml(text, filename="project.yaml", base_dir=base)
        except SpecError as error:
            raise _spec_problem(error) from None
    backends = {
        stage: choice if isinstance(choice, str) else str(dict(choice).get("name", ""))
        for stage, choice in project.backends.items()
    }
    choices = {
        stage: choice if isinstance(choice, str) else dict(choice)
        for stage, choice in project.backends.items()
    }
    return SpecFacts(project.title, project.duration, project.output.size, files, backends, choices)
