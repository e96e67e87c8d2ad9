"""aifilm: turn a script into a finished film, offline on a CPU.

import aifilm
project = aifilm.Project.load("project.yaml")
result = aifilm.render(project, "renders/")
print(result.video, result.duration)
"""

# No `from __future__ import annotations` here: it would add a public name to the package.
__version__ = "0.1.0"

from aifilm.client import Client, RemoteError, RemoteResult
from aifilm.errors import (
    EXIT_CODES,
    AifilmError,
    AssetError,
    InternalError,
    MissingDependencyError,
    ServerUnreachableError,
    SettingsError,
    SpecError,
    SpecIssue,
    StageError,
    ToolError,
    UnknownBackendError,
    UnsupportedError,
    UserError,
)
from aifilm.pipeline.backend import Backend, HealthCheck
from aifilm.pipeline.cache import Cache
from aifilm.pipeline.context import ProgressEvent
from aifilm.pipeline.registry import DEFAULT_BACKENDS, Registry, hookimpl, registry
from aifilm.pipeline.render import Pipeline, RenderResult, render
from aifilm.pipeline.stages import STAGES
from aifilm.pipeline.timeline import Timeline
from aifilm.settings import Settings
from aifilm.spec.models import Character, Music, Output, Project, Scene, Shot, Voice

__all__ = [
    "DEFAULT_BACKENDS",
    "EXIT_CODES",
    "STAGES",
    "AifilmError",
    "AssetError",
    "Backend",
    "Cache",
    "Character",
    "Client",
    "HealthCheck",
    "InternalError",
    "MissingDependencyError",
    "Music",
    "Output",
    "Pipeline",
    "ProgressEvent",
    "Project",
    "Registry",
    "RemoteError",
    "RemoteResult",
    "RenderResult",
    "Scene",
    "ServerUnreachableError",
    "Settings",
    "SettingsError",
    "Shot",
    "SpecError",
    "SpecIssue",
    "StageError",
    "Timeline",
    "ToolError",
    "UnknownBackendError",
    "UnsupportedError",
    "UserError",
    "Voice",
    "__version__",
    "hookimpl",
    "registry",
    "render",
]
