"""What every script format parses into: scenes of spoken lines with line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

NARRATOR_NAMES = frozenset({"narrator", "narration", "voice over", "v.o."})


@dataclass
class ScriptLine:
    """One spoken line; speaker None is the narrator. ``line`` is 1-based in the file.

    ``interrupt``: the script marks the line as cutting in (``-- Name: ...`` or
    ``Name (interrupting): ...``; in Fountain an ``(interrupting)`` parenthetical).
    """

    speaker: str | None
    text: str
    line: int
    interrupt: bool = False  # cuts into the previous line (podcast mode overlaps them)

    def __post_init__(self) -> None:
        # "NARRATOR: ..." in a script is narration, spoken by the project's narrator voice.
        if self.speaker is not None and self.speaker.strip().casefold() in NARRATOR_NAMES:
            self.speaker = None


@dataclass
class ScriptScene:
    """A scene heading (maybe none) and its lines."""

    title: str | None
    line: int
    lines: list[ScriptLine] = field(default_factory=list)
    section: str | None = None  # the act (top-level `# section`) the scene is in


@dataclass
class ScriptDocument:
    """A parsed script: an optional title and its scenes, in order."""

    title: str | None = None
    scenes: list[ScriptScene] = field(default_factory=list)

    @property
    def speakers(self) -> list[str]:
        """Named speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for scene in self.scenes:
            for line in scene.lines:
                if line.speaker and line.speaker.casefold() not in {s.casefold() for s in seen}:
                    seen[line.speaker] = None
        return list(seen)
