"""Backends and stages found through entry points (pluggy), built-ins included.

Built-in backends register through the same hook other packages use
(`[project.entry-points.aifilm]`), so the built-ins prove the plug-in path. A
plug-in module implements either hook or both::

    @aifilm.hookimpl
    def register_backends(register):
        register(MyVoice)

    @aifilm.hookimpl
    def register_stages(register):
        register(MyStage)  # a Stage subclass; `after = "plan"` places it

The stage list (`aifilm.pipeline.stages.STAGES` plus plug-in stages) is the one source
of the backend kinds: `DEFAULT_BACKENDS`, the spec's `backends:` keys, the settings'
`AIFILM_<KIND>_BACKEND` variables and the pipeline's backends all come from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pluggy

from aifilm.errors import UnknownBackendError, UserError
from aifilm.pipeline.backend import Backend
from aifilm.pipeline.stage_base import BackendKind, Stage
from aifilm.pipeline.stages import BACKEND_KINDS, STAGES
from aifilm.spec.vocabulary import choice_error

hookspec = pluggy.HookspecMarker("aifilm")
hookimpl = pluggy.HookimplMarker("aifilm")

# The built-in stages' defaults; kinds whose stage works without a backend (llm) have none.
DEFAULT_BACKENDS: dict[str, str] = {k.name: k.default for k in BACKEND_KINDS if k.default}


class _Hooks:
    @hookspec
    def register_backends(self, register: Callable[[type[Backend]], None]) -> None:
        """Call `register(BackendClass)` for each backend the plug-in provides."""

    @hookspec
    def register_stages(self, register: Callable[[type[Stage]], None]) -> None:
        """Call `register(StageClass)` for each pipeline stage the plug-in provides."""


class Registry:
    """All known backends by stage and name."""

    def __init__(self, *, load_entry_points: bool = True) -> None:
        self._backends: dict[str, dict[str, type[Backend]]] = {}
        self._stages: list[type[Stage]] = []
        self._load_entry_points = load_entry_points
        self._loaded = False

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        manager = pluggy.PluginManager("aifilm")
        manager.add_hookspecs(_Hooks)
        if self._load_entry_points:
            manager.load_setuptools_entrypoints("aifilm")
        if self._load_entry_points and not manager.get_plugins():
            # Running from a source tree without installed metadata: load built-ins directly.
            from aifilm.pipeline import builtins

            manager.register(builtins)
        manager.hook.register_backends(register=self.register)
        manager.hook.register_stages(register=self.register_stage)

    def register(self, backend: type[Backend]) -> type[Backend]:
        """Add a backend class (usable as a decorator); a later one replaces an earlier one."""
        for attr in ("name", "stage"):
            if not isinstance(getattr(backend, attr, None), str):
                raise TypeError(f"{backend.__qualname__} must set the class attribute '{attr}'")
        self._backends.setdefault(backend.stage, {})[backend.name] = backend
        return backend

    def unregister(self, backend: type[Backend]) -> None:
        """Remove a backend class (tests register fakes per test)."""
        self._backends.get(backend.stage, {}).pop(backend.name, None)

    def register_stage(self, stage: type[Stage]) -> type[Stage]:
        """Add a pipeline stage (usable as a decorator), run after the stage named by its
        `after` (else last); a stage of the same name is replaced."""
        if not isinstance(getattr(stage, "name", None), str):
            raise TypeError(f"{stage.__qualname__} must set the class attribute 'name'")
        self._stages = [s for s in self._stages if s.name != stage.name] + [stage]
        return stage

    def unregister_stage(self, stage: type[Stage]) -> None:
        """Remove a plug-in stage."""
        self._stages = [s for s in self._stages if s is not stage]

    def stage_classes(self) -> list[type[Stage]]:
        """Every stage in the order a render runs them: built-ins, plug-ins placed."""
        self._ensure_loaded()
        order = [s for s in STAGES if s.name not in {p.name for p in self._stages}]
        for stage in self._stages:
            names = [s.name for s in order]
            if stage.after is not None and stage.after not in names:
                raise UnknownBackendError(
                    f"stage '{stage.name}' runs after '{stage.after}', which is not a stage",
                    hint=f"stages: {', '.join(names)}",
                )
            at = names.index(stage.after) + 1 if stage.after is not None else len(order)
            order.insert(at, stage)
        return order

    def backend_kinds(self) -> dict[str, BackendKind]:
        """Every backend kind the stages use, by name, in pipeline order."""
        return {k.name: k for s in self.stage_classes() for k in s.backends}

    def stages(self) -> list[str]:
        """Stages that have at least one backend."""
        self._ensure_loaded()
        return sorted(self._backends)

    def backends(self, stage: str) -> dict[str, type[Backend]]:
        """Backends of one stage, by name."""
        self._ensure_loaded()
        return dict(sorted(self._backends.get(stage, {}).items()))

    def get(self, stage: str, name: str) -> type[Backend]:
        """The backend class with that name, or a helpful `UnknownBackendError`."""
        found = self.backends(stage)
        if name not in found:
            if not found:
                raise UnknownBackendError(f"no backends are registered for the stage '{stage}'")
            raise UnknownBackendError(
                choice_error(f"{stage} backend", name, list(found)),
                hint="a plug-in package may provide it; 'aifilm doctor' lists what is installed",
            )
        return found[name]

    def create(
        self, stage: str, choice: str | Mapping[str, Any] | Backend | None = None
    ) -> Backend:
        """A backend from a name, a {name, options} mapping, an instance, or the default."""
        if isinstance(choice, Backend):
            return choice
        if choice is None:
            # DEFAULT_BACKENDS first: it is public, and changing it (a notebook, a test
            # session) changes what every later render picks; a plug-in's kind brings its own.
            kind = self.backend_kinds().get(stage)
            choice = DEFAULT_BACKENDS.get(stage) or (kind.default if kind else None)
            if choice is None:
                raise UnknownBackendError(f"the stage '{stage}' has no default backend")
        if isinstance(choice, str):
            return self.get(stage, choice)()
        data = dict(choice)
        name = data.pop("name", None)
        options = data.pop("options", {})
        if not isinstance(name, str) or data:
            raise UserError(
                f"backend for '{stage}' must be a name or {{name: ..., options: {{...}}}}; "
                f"got {dict(choice)!r}"
            )
        return self.get(stage, name)(options)


registry = Registry()
