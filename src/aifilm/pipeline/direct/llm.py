"""The director with a language model: one request per scene, cached by its content.

The model writes, for every shot of the scene, what the picture shows and stock search
terms; the character sheet is appended afterwards by the director itself, so the looks
stay word for word the same. A shot the answer leaves out gets the rules' direction.
"""

from __future__ import annotations

import json
from typing import Any

from aifilm.errors import UserError
from aifilm.pipeline.cache import Cache, cache_key
from aifilm.pipeline.direct.base import Direction, with_sheet
from aifilm.pipeline.llm.base import ChatRequest, LLMBackend, schema_of
from aifilm.pipeline.timeline import TimedShot
from aifilm.prompts import load_prompt


class MalformedAnswerError(UserError):
    """The model's answer was not the asked JSON (the scene falls back to the rules)."""


DIRECT_VERSION = "2"  # bump when the request or how its answer is read changes
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "shots": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": "The shot's id, as given."},
                    "picture": {
                        "type": "string",
                        "description": "What the picture shows, in one or two sentences.",
                    },
                    "search": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "2 to 4 stock-footage search terms, best first.",
                    },
                    "characters": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Names of the characters the picture shows.",
                    },
                },
                "required": ["id", "picture", "search"],
            },
        }
    },
    "required": ["shots"],
}


def scene_request(
    title: str,
    heading: str | None,
    shots: list[TimedShot],
    sheet: dict[str, str],
    style: str,
) -> ChatRequest:
    """The one request that directs a scene's shots."""
    brief = {
        "film": title,
        "scene": heading,
        "look": style,
        "characters": sheet,
        "shots": [
            {
                "id": s.id,
                "words": [f"{ln.speaker or 'Narrator'}: {ln.text}" for ln in s.lines],
                **({"card": s.visual.text} if s.visual.kind == "title" else {}),
            }
            for s in shots
        ],
    }
    return ChatRequest(
        system=load_prompt("direct"),
        messages=(("user", json.dumps(brief, ensure_ascii=False, indent=1)),),
        schema=SCHEMA,
        schema_name="direct_scene",
        max_tokens=4096,
    )


def direct_scene(
    backend: LLMBackend,
    cache: Cache,
    request: ChatRequest,
    orient: str,
    sheet: dict[str, str],
) -> dict[str, Direction]:
    """Directions by shot id from the model (a cache hit costs no request)."""
    # The answer depends on the asked shape and the instructions' version, not only on
    # their text: a changed schema (or how answers are read) must ask again.
    digest = cache_key(
        "direct",
        DIRECT_VERSION,
        backend.identity(),
        request.system,
        request.messages,
        request.schema,
        request.schema_name,
        request.max_tokens,
    )

    def ask(folder: Any) -> dict[str, Any]:
        answer = backend.chat(request)
        try:
            data = schema_of(answer.text)
            shots = data["shots"]
            assert isinstance(shots, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            raise MalformedAnswerError(
                f"the model {backend.model} answered the director with something other than "
                f"the asked JSON ({answer.text[:80]!r}); these shots are directed by rules",
                hint="use a model that supports structured output",
            ) from None
        return {"shots": shots, "usage": [answer.input_tokens, answer.output_tokens]}

    entry = cache.fetch("direct", digest, ask)
    out: dict[str, Direction] = {}
    for item in entry.meta["shots"]:
        if not isinstance(item, dict) or not isinstance(item.get("picture"), str):
            continue
        names = tuple(n for n in item.get("characters") or () if n in sheet)
        search = tuple(str(t) for t in item.get("search") or () if str(t).strip())
        out[str(item.get("id"))] = Direction(
            shot=str(item.get("id")),
            prompt=with_sheet(item["picture"], names, sheet),
            search=search[:5],
            orientation=orient,
            characters=names,
            source=f"llm:{backend.name}",
        )
    return out
