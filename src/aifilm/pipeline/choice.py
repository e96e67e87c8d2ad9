"""Which backend each kind gets: the one place that applies the precedence.

    argument (a command-line flag) > AIFILM_<KIND>_BACKEND > the project's `backends:`
    > the user config file's `<kind>_backend` > the kind's default

A kind without a default (llm) gets no backend unless one is chosen; choosing the name
`none` for it turns it off whatever a later layer says (`AIFILM_LLM_BACKEND=none`, or a
server that must not use its own environment's choice). The llm kind also takes its
options (model, base URL, key, temperature, timeout) from the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aifilm.pipeline.backend import Backend
from aifilm.pipeline.registry import Registry
from aifilm.settings import Settings

BackendChoice = str | Mapping[str, Any] | Backend | None
NO_BACKEND = "none"  # for a kind without a default: no backend, whatever else says


def backend_choice(
    kind: str,
    *,
    argument: BackendChoice = None,
    project_backends: Mapping[str, Any] | None = None,
    settings: Settings,
) -> BackendChoice:
    """What was chosen for `kind`, by the precedence above (None: nothing was)."""
    layers = (
        argument,
        settings.backend_overrides().get(kind),
        (project_backends or {}).get(kind),
        settings.backend_defaults().get(kind),
    )
    pick = next((c for c in layers if c is not None), None)
    if kind == "llm" and pick is not None and not isinstance(pick, Backend):
        extra = settings.llm_options()
        if isinstance(pick, str):
            pick = {"name": pick, "options": extra} if extra else pick
        elif extra:
            data = dict(pick)
            data["options"] = {**dict(data.get("options") or {}), **extra}
            pick = data
    return pick


def choose_backends(
    registry: Registry,
    *,
    arguments: Mapping[str, BackendChoice],
    project_backends: Mapping[str, Any],
    settings: Settings,
) -> dict[str, Backend]:
    """A backend for every kind the stages use (kinds without a default only if chosen)."""
    backends: dict[str, Backend] = {}
    for name, kind in registry.backend_kinds().items():
        pick = backend_choice(
            name,
            argument=arguments.get(name),
            project_backends=project_backends,
            settings=settings,
        )
        if kind.default is None and (pick is None or pick == NO_BACKEND):
            continue
        backends[name] = registry.create(name, pick)
    return backends


NO_LLM_HINT = (
    "choose one: export AIFILM_LLM_BACKEND=openai and OPENAI_API_KEY=... (or "
    "AIFILM_LLM_BASE_URL=http://localhost:11434/v1 for Ollama, with AIFILM_LLM_MODEL), "
    "anthropic with ANTHROPIC_API_KEY, or gemini with GEMINI_API_KEY; or pass --llm NAME. "
    "See docs/writer.md"
)


def language_model(
    registry: Registry,
    settings: Settings,
    *,
    argument: BackendChoice = None,
    model: str | None = None,
) -> Backend:
    """The llm backend chosen by flag, environment or config file, or a `UserError`
    naming what to set (a project plays no part: the writer makes the project)."""
    from aifilm.errors import UserError

    pick = backend_choice("llm", argument=argument, settings=settings)
    if pick is None or pick == NO_BACKEND:
        raise UserError("no language model is configured", hint=NO_LLM_HINT)
    if model and not isinstance(pick, Backend):
        data: dict[str, Any] = {"name": pick} if isinstance(pick, str) else dict(pick)
        data["options"] = {**dict(data.get("options") or {}), "model": model}
        pick = data
    return registry.create("llm", pick)
