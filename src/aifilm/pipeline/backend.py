"""What every backend declares about itself, whatever its stage.

A backend is one self-contained file beside its stage's `base.py`: a class with
a name, the stage it serves, the extra it needs, the environment variable of
its API key, its licences, a pydantic `Options` model and one method that does
the work (named by the stage's base class).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from aifilm.errors import MissingDependencyError, UserError


class BackendOptions(BaseModel):
    """Base of a backend's options: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class HealthCheck:
    """One thing `aifilm doctor` looked at: whether it is there and how to get it."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None


class Backend:
    """Base of all backends. Subclasses set the class attributes and the stage's method."""

    name: ClassVar[str]
    stage: ClassVar[str]
    description: ClassVar[str] = ""
    extra: ClassVar[str | None] = None  # pip extra that installs what it needs
    requires: ClassVar[tuple[str, ...]] = ()  # importable modules it needs
    programs: ClassVar[tuple[str, ...]] = ()  # external programs it needs on PATH
    api_key_env: ClassVar[str | None] = None
    license: ClassVar[str] = "MIT"  # licence of the code it runs
    weights_license: ClassVar[str | None] = None  # licence of models/data it uses, if any
    commercial_use: ClassVar[bool] = True
    # The provider's terms for what it makes (API backends): in `aifilm doctor` and reports.
    terms: ClassVar[str | None] = None
    version: ClassVar[str] = "1"  # bump when output changes, so caches are redone

    class Options(BackendOptions):
        """No options."""

    options: BackendOptions

    def __init__(self, options: BackendOptions | Mapping[str, Any] | None = None, **kwargs: Any):
        data: dict[str, Any] = {}
        if isinstance(options, BackendOptions):
            data = options.model_dump(exclude_unset=True)  # what the user set stays "set"
        elif options is not None:
            data = dict(options)
        data.update(kwargs)
        try:
            self.options = self.Options.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise UserError(
                f"bad options for {self.stage} backend '{self.name}': {problems}",
                hint=f"valid options: {', '.join(self.Options.model_fields) or 'none'}",
            ) from None

    def identity(self) -> dict[str, Any]:
        """What makes this backend's output what it is; part of every cache key."""
        return {
            "backend": self.name,
            "version": self.version,
            "options": self.options.model_dump(mode="json"),
        }

    @classmethod
    def health(cls) -> list[HealthCheck]:
        """What this backend needs and whether it is there (for `aifilm doctor`)."""
        checks = []
        install = f"pip install 'aifilm[{cls.extra}]'" if cls.extra else "pip install aifilm"
        for module in cls.requires:
            found = importable(module)
            checks.append(
                HealthCheck(
                    f"python module {module}",
                    found,
                    "installed" if found else "missing",
                    None if found else install,
                )
            )
        for program in cls.programs:
            path = shutil.which(program)
            checks.append(
                HealthCheck(
                    f"program {program}",
                    path is not None,
                    path or "not on PATH",
                    None if path else f"install {program}",
                )
            )
        if cls.api_key_env:
            present = bool(os.environ.get(cls.api_key_env))
            checks.append(
                HealthCheck(
                    f"API key {cls.api_key_env}",
                    present,
                    "set" if present else "not set",
                    None if present else f"export {cls.api_key_env}=...",
                )
            )
        return checks

    @classmethod
    def require(cls, *, skip: tuple[str, ...] = ("API key",)) -> None:
        """Raise `MissingDependencyError` naming the install command if something is missing.

        Checks whose names start with one of `skip` are left out.
        """
        for check in cls.health():
            if not check.ok and not check.name.startswith(skip):
                raise MissingDependencyError(
                    f"the {cls.stage} backend '{cls.name}' needs {check.name}: {check.detail}",
                    hint=check.fix,
                )


def importable(module: str) -> bool:
    """Whether `module` can be imported: installed, and neither it nor a package above it
    blocked (None in sys.modules, as a half-removed install or a test leaves it)."""
    parts = module.split(".")
    for n in range(1, len(parts) + 1):
        name = ".".join(parts[:n])
        if name in sys.modules and sys.modules[name] is None:
            return False
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
