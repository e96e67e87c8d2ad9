"""Checking a project.yaml the server receives: valid, and naming only safe relative files.

A spec may name files (character images, backgrounds, a music file); on the server these are
the project's uploaded assets, so every such path must be relative and stay inside the
project (no `..`, no absolute paths: a render must never read the server's own files).
"""

from __future__ import annotations

import hashlib
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
    shots: int = 0  # every shot of the film
    provider_shots: int = 0  # shots without a picture of their own (a visuals API makes them)


# Names the worker itself uses in a job's folder; an upload may never take them, so that no
# asset can stand in for the spec the server validated (issue 11).
RESERVED_NAMES = frozenset({"project.yaml", "project.yml"})


def unsafe_reason(name: str) -> str | None:
    """Why `name` cannot be a project file's path (None when it is a clean relative path)."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or len(name) > 255:
        return "a file name is 1 to 255 characters"
    if any(ord(ch) < 32 for ch in name):
        return "control characters are not allowed"
    if path.is_absolute() or ":" in path.parts[0]:
        return "it is an absolute path; paths are relative to the project"
    if any(p in ("..", ".", "") for p in path.parts):
        return "'..', '.' and empty parts are not allowed"
    if path.parts[0].startswith("~"):
        return "'~' (a home folder) is not allowed"
    return None


def safe_name(name: str) -> str:
    """`name` as a clean relative POSIX path, or a 422 problem."""
    reason = unsafe_reason(name)
    if reason is not None:
        raise Problem(
            422,
            f"'{name}' is not allowed as a file name ({reason}); use a relative path like "
            "images/cat.png",
        )
    return str(PurePosixPath(name.replace("\\", "/")))


def asset_name(name: str) -> str:
    """`name` as an uploaded file's path: safe, and not one of the names the worker uses."""
    clean = safe_name(name)
    if clean.casefold() in RESERVED_NAMES:
        raise Problem(
            422,
            f"'{name}' is reserved for the project's spec; upload media under another name "
            "(e.g. images/cat.png) and change the spec with PATCH /api/projects/{id}",
            title="Reserved file name",
        )
    return clean


def folder_clashes(names: list[str]) -> list[tuple[str, str]]:
    """Pairs (file, path) where a file's name is also used as a folder by another path
    (`images` and `images/bg.png` cannot both exist in one folder)."""
    taken = set(names)
    clashes = []
    for name in sorted(taken):
        parts = PurePosixPath(name).parts
        for i in range(1, len(parts)):
            folder = "/".join(parts[:i])
            if folder in taken:
                clashes.append((folder, name))
    return clashes


def spec_digest(text: str) -> str:
    """The SHA-256 of a spec's text: what a job records, and its worker checks, to render
    exactly the spec the server validated."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
        files = sorted({asset_name(p.as_posix()) for p in spec_files(model)})
        clashes = folder_clashes(files)
        if clashes:
            file, path = clashes[0]
            raise Problem(
                422,
                f"the project names '{file}' as a file and also '{path}' inside a folder of "
                "that name; rename one of them",
            )
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
    shots, provider_shots = _shot_counts(project)
    return SpecFacts(
        project.title,
        project.duration,
        project.output.size,
        files,
        backends,
        choices,
        shots,
        provider_shots,
    )


def _shot_counts(project: Project) -> tuple[int, int]:
    """All shots, and those a visuals API would make (no image, title or colour of their
    own), as the render resolves them."""
    from aifilm.pipeline.plan.timing import resolve_visual
    from aifilm.pipeline.visuals.directed import STOCK_KINDS

    shots = provider = 0
    for n, scene in enumerate(project.scenes):
        for shot in scene.shots:
            shots += 1
            provider += resolve_visual(project, scene, n, shot).kind in STOCK_KINDS
    return shots, provider
