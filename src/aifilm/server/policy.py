"""What a hosted job may ask for: the backends the operator offers, the plan's limits and the
backends' licences. Checked when a project is saved, when a job is submitted, and again by
the worker before it renders (defence in depth: the worker trusts nothing it did not check).

Backends: every stage may use the embedded offline backends (they spend no API key and
download nothing) and the library's default; the operator adds more per stage with the
`allowed_backends` setting. A stage the project leaves out renders with the default, never
with a choice from the server's environment or config file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aifilm.pipeline.registry import DEFAULT_BACKENDS
from aifilm.server.errors import Forbidden, Problem
from aifilm.server.licences import refuse_unlicensed
from aifilm.server.plans import Plan
from aifilm.server.projectspec import SpecFacts

SETTING = "allowed_backends"
SETTING_ENV = "AIFILM_SERVER_ALLOWED_BACKENDS"

# Offline backends that ship in the base install: always offered.
EMBEDDED: dict[str, tuple[str, ...]] = {
    "voice": ("kokoro", "espeak"),
    "music": ("midi",),
    "visuals": ("stills",),
    "lipsync": ("visemes",),
    "translate": ("spec",),
    "compose": ("ffmpeg",),
}

AllowedSetting = Mapping[str, list[str]] | list[str]


def offered(setting: AllowedSetting) -> dict[str, list[str]]:
    """Backend names each stage may use: the embedded ones, the default, and the operator's
    additions (a list adds its names to every stage; a mapping adds per stage)."""
    stages = sorted(set(EMBEDDED) | set(DEFAULT_BACKENDS))
    out: dict[str, set[str]] = {}
    for stage in stages:
        names = set(EMBEDDED.get(stage, ()))
        if stage in DEFAULT_BACKENDS:
            names.add(DEFAULT_BACKENDS[stage])
        extra = setting if isinstance(setting, list) else setting.get(stage, [])
        names.update(extra)
        out[stage] = names
    if not isinstance(setting, list):
        for stage, names_ in setting.items():
            out.setdefault(stage, set()).update(names_)
    return {stage: sorted(names) for stage, names in out.items()}


def chosen_name(choice: Any) -> str:
    """The backend name of a project's choice (a name or {name, options})."""
    return choice if isinstance(choice, str) else str(dict(choice).get("name", ""))


def render_choices(project_backends: Mapping[str, Any]) -> dict[str, Any]:
    """The backend of every stage for a hosted render: the project's choice, else the
    library's default, else none (so nothing the server process's environment or config
    file says can stand in for a stage the project left out: no llm by AIFILM_LLM_BACKEND)."""
    from aifilm.pipeline.choice import NO_BACKEND
    from aifilm.pipeline.registry import registry

    return {
        kind: project_backends.get(kind, DEFAULT_BACKENDS.get(kind, NO_BACKEND))
        for kind in registry.backend_kinds()
    }


def refuse_unoffered(choices: Mapping[str, Any], setting: AllowedSetting) -> None:
    """Raise a 403 problem naming each backend the project picks that the server does not
    offer for that stage."""
    allowed = offered(setting)
    refused = [
        (stage, chosen_name(choice))
        for stage, choice in sorted(choices.items())
        if chosen_name(choice) not in allowed.get(stage, [])
    ]
    if not refused:
        return
    named = "; ".join(
        f"{stage} backend '{name}' (offered: {', '.join(allowed.get(stage, [])) or 'none'})"
        for stage, name in refused
    )
    raise Problem(
        403,
        f"this server does not offer these backends: {named}. Choose an offered backend in "
        "the project's `backends:` (or leave the stage out for the default); the server's "
        f"operator can offer more with the {SETTING} setting "
        f'({SETTING_ENV}=\'{{"{refused[0][0]}": ["{refused[0][1]}"]}}\')',
        title="Backend not offered",
        backends=[{"stage": stage, "name": name} for stage, name in refused],
        setting=SETTING,
    )


def check_limits(plan: Plan, length: float, size: tuple[int, int]) -> None:
    """Raise a 403 problem when the film is longer or larger than the plan renders."""
    if length > plan.max_seconds:
        raise Forbidden(
            f"the {plan.name} plan renders films up to {plan.max_seconds / 60:g} min; "
            f"this one is {length:g} s: shorten it or upgrade the plan"
        )
    if max(size) > plan.max_long_side:
        raise Forbidden(
            f"the {plan.name} plan renders up to {plan.max_long_side} px on the longer side; "
            f"the project asks for {size[0]}x{size[1]}: lower output.resolution "
            "or upgrade the plan"
        )


def check_job(
    facts: SpecFacts,
    plan: Plan,
    length: float,
    allowed: AllowedSetting,
    licensed: list[str],
) -> None:
    """Everything a job must pass before it is charged, and again before it renders."""
    refuse_unoffered(facts.choices, allowed)
    if plan.paid:
        refuse_unlicensed(facts.choices, licensed, plan.name)
    check_limits(plan, length, facts.size)
