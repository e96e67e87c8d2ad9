"""Casting: give each character the voice preset that fits who they are.

The preset comes from the character's identity (`aifilm.cast.identity`); a `voice:`
the project sets always wins. Characters are cast in order of how much they
speak, so the main characters get the clearest voices: each main character a
(preset, variant) of their own. Minor characters may share a preset and variant,
but never with someone they speak with in the same scene, nor with the narrator.

A *variant* is a small per-film index among the characters sharing a preset: a
backend with several voices per preset speaks each variant with a different
voice, one with a single voice per preset shifts its pitch a little
(`aifilm.pipeline.voice.base.variant_semitones`), so two men talking are two
voices either way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aifilm.cast.identity import Identity, infer_cast

if TYPE_CHECKING:
    from aifilm.spec.models import Project

MAIN_CHARACTERS = 6  # this many of the most-speaking characters each get a voice of their own
_EITHER_ADULT = ("adult-female", "adult-male")


@dataclass(frozen=True)
class Role:
    """One character's casting: who they are, how much they speak, the voice they get."""

    identity: Identity
    lines: int
    voice: str  # a preset of spec.vocabulary.VOICE_PRESETS
    variant: int  # index among the characters sharing this preset in this film
    voice_set: bool  # True where the project chose the voice (`voice:` key)
    main: bool  # one of the most-speaking characters
    why: str  # how the voice was chosen, for `aifilm cast`

    @property
    def name(self) -> str:
        """The character's name."""
        return self.identity.name


def _speech(project: Project) -> tuple[Counter[str], dict[str, set[int]], list[str]]:
    """Lines per character, the scenes each speaks in, and speakers in order of first line."""
    lines: Counter[str] = Counter()
    scenes: dict[str, set[int]] = {}
    order: list[str] = []
    for s, scene in enumerate(project.scenes):
        for shot in scene.shots:
            for line in shot.lines:
                if not line.speaker:
                    continue
                char = project.character(line.speaker)
                name = char.name if char else line.speaker
                if name not in lines:
                    order.append(name)
                lines[name] += 1
                scenes.setdefault(name, set()).add(s)
    return lines, scenes, order


class _Seating:
    """Who speaks how much and with whom: the order of casting and the voices to avoid."""

    def __init__(self, project: Project, names: list[str]) -> None:
        self.lines, self.scenes, order = _speech(project)
        self.names = sorted(
            names,
            key=lambda n: (-self.lines.get(n, 0), order.index(n) if n in order else len(order)),
        )
        self.main = {n for n in self.names[:MAIN_CHARACTERS] if self.lines.get(n, 0) > 0}
        self.narrator = (project.narrator.voice, 0)
        self.taken: dict[str, tuple[str, int]] = {}

    def busy(self, name: str) -> set[tuple[str, int]]:
        """(preset, variant) pairs `name` must not have: the narrator's, and those of the
        main characters and of everyone they share a scene with (a main character: anyone)."""
        mine = self.scenes.get(name, set())
        partners = [
            other
            for other in self.taken
            if name in self.main or other in self.main or self.scenes.get(other, set()) & mine
        ]
        return {self.taken[p] for p in partners} | {self.narrator}

    def seat(self, name: str, voice: str, own_voice_id: bool) -> int:
        """The first free variant of `voice` for `name` (0 for a backend voice of their own)."""
        busy, variant = self.busy(name), 0
        while not own_voice_id and (voice, variant) in busy:
            variant += 1
        self.taken[name] = (voice, variant)
        return variant


def voice_variants(project: Project) -> dict[str, int]:
    """Each character's variant for the voice it has now (by name).

    The same rule casting uses, for a project whose voices were set another way (built in
    Python rather than loaded): speakers sharing a preset still sound different.
    """
    seating = _Seating(project, [c.name for c in project.characters])
    out: dict[str, int] = {}
    for name in seating.names:
        char = project.character(name)
        assert char is not None
        out[name] = seating.seat(name, char.voice, bool(char.voice_id))
    return out


def cast_project(project: Project) -> dict[str, Role]:
    """The voice of every character, by name, main characters first."""
    identities = infer_cast(project)
    seating = _Seating(project, list(identities))
    lines, main, taken = seating.lines, seating.main, seating.taken
    roles: dict[str, Role] = {}
    for name in seating.names:
        identity = identities[name]
        char = project.character(name)
        voice_set = char is not None and "voice" in char.model_fields_set
        if char is not None and voice_set:
            voice, why = char.voice, "set in the project"
        elif char is not None and project.whole is not project:
            voice, why = char.voice, "as cast for the whole script"
        else:
            voice, why = _preset(identity, seating.busy(name), taken)
        variant = seating.seat(name, voice, char is not None and bool(char.voice_id))
        if variant:
            why += f"; variant {variant}: shares the preset with others, differs from them"
        taken[name] = (voice, variant)
        roles[name] = Role(
            identity=identity,
            lines=lines.get(name, 0),
            voice=voice,
            variant=variant,
            voice_set=voice_set,
            main=name in main,
            why=why,
        )
    return roles


def _preset(
    identity: Identity, busy: set[tuple[str, int]], taken: dict[str, tuple[str, int]]
) -> tuple[str, str]:
    """The preset for someone not cast by the project, and why."""
    preset = identity.voice_preset()
    if identity.sex != "unknown" or identity.age != "adult":
        who = f"{identity.sex} {identity.age}" if identity.sex != "unknown" else identity.age
        return preset, f"fits a {who}"
    # Sex unknown: take whichever adult voice is free among those they speak with,
    # else the one fewer characters have, so unknowns do not all sound alike.
    free = [v for v in _EITHER_ADULT if (v, 0) not in busy]
    used = Counter(voice for voice, _ in taken.values())
    pick = min(free or list(_EITHER_ADULT), key=lambda v: (used[v], _EITHER_ADULT.index(v)))
    return pick, "adult, sex unknown: the adult voice free in their scenes"


def apply_casting(project: Project) -> dict[str, Role]:
    """Give characters whose voice the project does not set their cast voice and variant."""
    roles = cast_project(project)
    for char in project.characters:
        role = roles.get(char.name)
        if role is None:
            continue
        if not role.voice_set:
            char.voice = role.voice
            # Chosen here, not by the user: stays out of the fields the user set.
            char.model_fields_set.discard("voice")
        char._variant = role.variant
    return roles
