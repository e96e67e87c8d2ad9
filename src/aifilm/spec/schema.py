"""The JSON Schema of project.yaml, generated from the models (committed in docs/)."""

from __future__ import annotations

from typing import Any

from aifilm.spec.models import Project

SCHEMA_ID = "https://aifilm.dev/schema/project.json"


def project_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a project file."""
    schema = Project.model_json_schema(mode="validation")
    # The model stores seconds, but the file may say "90s", "2m" or "auto".
    schema["properties"]["duration"]["anyOf"] = [
        {"type": "number", "minimum": 10, "maximum": 600},
        {"type": "string", "pattern": r"^(auto|\d+(\.\d+)?\s*(s|m|min)?|\d+m\s*\d+s?)$"},
        {"type": "null"},
    ]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
