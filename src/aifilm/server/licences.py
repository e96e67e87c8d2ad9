"""Licences on the hosted server: a paying user's film is commercial use, so a backend whose
weights are licensed for non-commercial use only (MusicGen's CC-BY-NC weights, Wav2Lip's,
XTTS's CPML, ElevenLabs' free plan) is refused to paying plans unless the operator lists it in
the ``licensed_backends`` setting, having acquired a commercial licence for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aifilm.errors import AifilmError
from aifilm.pipeline.backend import Backend
from aifilm.pipeline.registry import DEFAULT_BACKENDS, registry
from aifilm.server.errors import Problem

SETTING = "licensed_backends"
SETTING_ENV = "AIFILM_SERVER_LICENSED_BACKENDS"


@dataclass(frozen=True)
class Unlicensed:
    """A chosen backend whose weights are not cleared for commercial use."""

    stage: str
    name: str
    weights_license: str


def _backend(stage: str, choice: Any) -> Backend | type[Backend] | None:
    """The backend as the project configures it (its licence can depend on the model), else
    its class (options that only fail at render time), else None (not installed here)."""
    try:
        return registry.create(stage, choice)
    except AifilmError:
        name = choice if isinstance(choice, str) else dict(choice).get("name")
        try:
            return registry.get(stage, str(name))
        except AifilmError:
            return None


def unlicensed(choices: Mapping[str, Any], licensed: Iterable[str]) -> list[Unlicensed]:
    """The project's backends (its choices, else the defaults) that are non-commercial and not
    in `licensed`."""
    cleared = set(licensed)
    found = []
    for stage in sorted(set(DEFAULT_BACKENDS) | set(choices)):
        choice = choices.get(stage, DEFAULT_BACKENDS.get(stage))
        if choice is None:
            continue
        backend = _backend(stage, choice)
        if backend is None or backend.name in cleared or backend.commercial_use:
            continue
        licence = backend.weights_license or backend.license
        found.append(Unlicensed(stage, backend.name, licence))
    return found


def refuse_unlicensed(choices: Mapping[str, Any], licensed: Iterable[str], plan: str) -> None:
    """Raise a 403 problem naming each non-commercial backend and the setting that allows it."""
    refused = unlicensed(choices, licensed)
    if not refused:
        return
    named = "; ".join(
        f"{u.stage} backend '{u.name}' (weights: {u.weights_license})" for u in refused
    )
    names = ", ".join(sorted({u.name for u in refused}))
    raise Problem(
        403,
        f"the {plan} plan is a paying plan, so its films are commercial use, and these "
        f"backends are licensed for non-commercial use only: {named}. Choose other backends "
        "in the project's `backends:`, or, as the server's operator holding a commercial "
        f"licence, add them to the {SETTING} setting ({SETTING_ENV}='[\"{names}\"]')",
        title="Backend not licensed for commercial use",
        backends=[
            {"stage": u.stage, "name": u.name, "weights_license": u.weights_license}
            for u in refused
        ],
        setting=SETTING,
    )
