"""The shape the language model answers in, derived from the spec's own models.

A `Draft` is the part of a project a writer decides (title, cast, music, scenes, shots,
words, pictures) with the spec's descriptions and vocabularies (voice presets, genres)
as enums, so the JSON Schema sent to the model already rules out most mistakes. Lines are
`{speaker, text}` objects (easier for a model than the spec's `{Speaker: text}`);
`to_spec` turns a draft into the spec's own layout, which the spec's loader then checks.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aifilm.spec.models import Project, Scene, Shot
from aifilm.spec.vocabulary import GENRE_IDS, VOICE_PRESETS


def _about(model: type[BaseModel], name: str, extra: str = "") -> str:
    """The spec field's own description (plus a writer's note)."""
    described = model.model_fields[name].description or ""
    return (described + " " + extra).strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftCharacter(_Strict):
    """Someone who speaks (a podcast's host, a story's character)."""

    name: str = Field(min_length=1, max_length=60, description="A short name, as spoken.")
    voice: str = Field(
        description="Voice preset: " + "; ".join(VOICE_PRESETS.values()),
        json_schema_extra={"enum": list(VOICE_PRESETS)},  # the loader checks it too
    )
    look: str = Field(
        min_length=3,
        max_length=300,
        description="What they look like, the same every time: 'a little black crow'.",
    )


class DraftLine(_Strict):
    """One character's line."""

    speaker: str = Field(description="A character's name, exactly as in `characters`.")
    text: str = Field(min_length=1, description="The words, in the film's language.")


class DraftShot(_Strict):
    """One picture on screen while its words are spoken."""

    narration: str | None = Field(None, description=_about(Shot, "narration"))
    lines: list[DraftLine] = Field(default_factory=list, description="Dialogue, in order.")
    picture: str = Field(min_length=3, description="What the picture shows, in one plain sentence.")

    @model_validator(mode="after")
    def _spoken(self) -> DraftShot:
        if not (self.narration and self.narration.strip()) and not self.lines:
            raise ValueError("a shot needs narration or lines: every shot is spoken over")
        return self


class DraftScene(_Strict):
    """A group of shots in one place."""

    title: str = Field(min_length=1, description="A short heading: the place or the idea.")
    shots: list[DraftShot] = Field(min_length=1)


class Draft(_Strict):
    """A whole film as the writer sees it."""

    title: str = Field(min_length=1, max_length=100, description=_about(Project, "title"))
    description: str = Field(description="One or two sentences for a video description.")
    music: str = Field(
        description="Music genre: " + ", ".join(GENRE_IDS),
        json_schema_extra={"enum": list(GENRE_IDS)},
    )
    characters: list[DraftCharacter] = Field(default_factory=list)
    scenes: list[DraftScene] = Field(min_length=1, description=_about(Scene, "shots"))


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with every `$ref` replaced by its definition (some providers need that)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]])
                return walk(target)
            return {k: walk(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def draft_schema() -> dict[str, Any]:
    """The JSON Schema of a `Draft`, self-contained."""
    return _inline(Draft.model_json_schema())


def to_spec(
    draft: Draft,
    *,
    language: str,
    seconds: float,
    podcast: bool,
    prompts: bool,
) -> dict[str, Any]:
    """The project as the spec lays it out (for YAML); each shot's picture under the key
    `prompt` when `prompts`, else under `__picture__` (written as a comment)."""
    spec: dict[str, Any] = {
        "title": draft.title.strip(),
        "description": draft.description.strip() or None,
        "language": language,
        "duration": f"{seconds:g}s",
    }
    if podcast:
        spec["mode"] = "podcast"
    spec["characters"] = [
        {"name": c.name.strip(), "voice": c.voice, "look": c.look.strip()} for c in draft.characters
    ]
    spec["music"] = {"genre": draft.music}
    spec["scenes"] = []
    for scene in draft.scenes:
        shots = []
        for shot in scene.shots:
            item: dict[str, Any] = {"prompt" if prompts else "__picture__": shot.picture.strip()}
            if shot.narration and shot.narration.strip():
                item["narration"] = shot.narration.strip()
            if shot.lines:
                item["dialogue"] = [{ln.speaker.strip(): ln.text.strip()} for ln in shot.lines]
            shots.append(item)
        spec["scenes"].append({"title": scene.title.strip(), "shots": shots})
    if not spec["characters"]:
        del spec["characters"]
    if spec["description"] is None:
        del spec["description"]
    return spec
