"""The project spec: typed models, the vocabulary they use, and the loader."""

from aifilm.spec.loader import load_project, load_project_yaml, project_from_script
from aifilm.spec.models import (
    Character,
    Line,
    Music,
    Output,
    Project,
    Scene,
    Shot,
    SubtitleOptions,
    Voice,
    parse_duration,
)

__all__ = [
    "Character",
    "Line",
    "Music",
    "Output",
    "Project",
    "Scene",
    "Shot",
    "SubtitleOptions",
    "Voice",
    "load_project",
    "load_project_yaml",
    "parse_duration",
    "project_from_script",
]
