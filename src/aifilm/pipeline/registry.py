"""Backends found by name through entry points (pluggy), built-ins included.

Built-in backends register through the same hook other packages use
(`[project.entry-points.aifilm]`), so the built-ins prove the plug-in path. A
plug-in module implements::

    @aifilm.hookimpl
    def register_backends(register):
        register(MyVoice)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pluggy

from aifilm.errors import UnknownBackendError, UserError
from aifilm.pipeline.backend import Backend
from aifilm.spec.vocabulary import choice_error

hookspec = pluggy.HookspecMarker("aifilm")
hookimpl = pluggy.HookimplMarker("aifilm")

DEFAULT_BACKENDS: dict[str, str] = {
    "voice": "kokoro",  # Kokoro-82M where it speaks the language, espeak-ng elsewhere
    "music": "midi",
    "visuals": "stills",
    "lipsync": "visemes",
    "translate": "spec",
    "compose": "ffmpeg",
}


class _Hooks:
    @hookspec
    def register_backends(self, register: Callable[[type[Backend]], None]) -> None:
        """Call `register(BackendClass)` for each backend the plug-in provides."""


class Registry:
    """All known backends by stage and name."""

    def __init__(self, *, load_entry_points: bool = True) -> None:
        self._backends: dict[str, dict[str, type[Backend]]] = {}
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
            choice = DEFAULT_BACKENDS.get(stage)
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
