"""What the director decides per shot, and the film's character sheet.

A `Direction` carries an image prompt for generators, search terms and an orientation
for stock libraries, and the characters it shows. Every prompt that shows a character
ends with that character's line from the sheet, word for word, so a generator draws
them alike in every shot.
"""

from __future__ import annotations

from dataclasses import dataclass

from aifilm.spec.models import Character, Project

_PRESET_LOOKS = {
    "baby": "a baby",
    "toddler": "a toddler",
    "child": "a child of about eight",
    "pre-teen": "a twelve-year-old",
    "young-adult": "a young adult",
    "adult-male": "a man in his thirties",
    "adult-female": "a woman in her thirties",
    "mature": "a grey-haired elder",
}


@dataclass(frozen=True)
class Direction:
    """What one shot's picture should show."""

    shot: str  # "2.3", as in the timeline
    prompt: str  # for image and video generators
    search: tuple[str, ...]  # for stock libraries, most telling first
    orientation: str  # landscape | portrait | square
    characters: tuple[str, ...] = ()  # shown in the picture, by name
    source: str = "rules"  # spec (the shot's `prompt:`), rules, or llm:<backend>


def character_look(character: Character) -> str:
    """A character's look: the spec's `look`, else one from the voice preset and colour."""
    look = character.look
    if look:
        return look.strip().rstrip(".")
    base = _PRESET_LOOKS.get(character.voice, "a person")
    return f"{base} dressed in {character.color}" if character.color else base


def character_sheet(project: Project) -> dict[str, str]:
    """Each character's look by name, as every prompt will repeat it."""
    return {c.name: character_look(c) for c in project.characters}


def with_sheet(prompt: str, names: tuple[str, ...], sheet: dict[str, str]) -> str:
    """The prompt followed by the sheet's line for each character shown."""
    lines = [f"{name}: {sheet[name]}" for name in names if name in sheet]
    prompt = prompt.strip()
    if prompt and prompt[-1] not in ".!?।。！？":
        prompt += "."
    return prompt + (" " + "; ".join(lines) + "." if lines else "")


def orientation(width: int, height: int) -> str:
    """landscape, portrait or square, from the frame size."""
    if width > height:
        return "landscape"
    return "portrait" if height > width else "square"
