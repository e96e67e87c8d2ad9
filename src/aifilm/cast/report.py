"""The cast as people read it: who each character is, why, their voice and how to change it.

Shown by `aifilm cast` and `aifilm plan`, and written into the render report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aifilm.cast.casting import Role, cast_project

if TYPE_CHECKING:
    from aifilm.spec.models import Project


def override_hint(role: Role) -> str:
    """The `characters:` entry that changes what casting decided."""
    if role.voice_set:
        return f"set by the project: edit characters: - {{name: {role.name}, voice: ...}}"
    return (
        f"characters: - {{name: {role.name}, sex: female|male, age: ..., voice: ...}} "
        "(or look: 'a few words')"
    )


def role_dict(role: Role) -> dict[str, Any]:
    """One character's casting as JSON."""
    who = role.identity
    return {
        "name": role.name,
        "lines": role.lines,
        "main": role.main,
        "species": who.species,
        "sex": who.sex,
        "age": who.age,
        "role": who.role,
        "look": who.look,
        "evidence": list(who.evidence),
        "voice": role.voice,
        "variant": role.variant,
        "voice_set": role.voice_set,
        "why": role.why,
        "override": override_hint(role),
    }


def cast_report(project: Project) -> list[dict[str, Any]]:
    """Every character's casting, main characters first (as `cast_project` orders them)."""
    return [role_dict(role) for role in cast_project(project).values()]
