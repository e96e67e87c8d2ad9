"""Settings in one place: `AIFILM_*` environment variables > user config file > defaults.

The user config file is `config.toml` in the user config dir (see `aifilm doctor`),
or the file named by `AIFILM_CONFIG`. A project's own choices (its `backends:`
table) sit between these and the CLI flags, which win over everything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def user_config_file() -> Path:
    """Where the user's config.toml lives."""
    override = os.environ.get("AIFILM_CONFIG")
    return (
        Path(override) if override else Path(platformdirs.user_config_dir("aifilm")) / "config.toml"
    )


class Settings(BaseSettings):
    """Machine-level settings for rendering (not part of any project)."""

    model_config = SettingsConfigDict(env_prefix="AIFILM_", extra="ignore")

    cache_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_cache_dir("aifilm")),
        description="Where stage outputs are cached by content.",
    )
    no_cache: bool = Field(
        False, description="Render everything again, reading and writing no cache."
    )
    ffmpeg: str | None = Field(None, description="Path of the FFmpeg program to use.")
    voice_backend: str | None = None
    music_backend: str | None = None
    visuals_backend: str | None = None
    lipsync_backend: str | None = None
    compose_backend: str | None = None
    translate_backend: str | None = None
    workers: int = Field(
        2, ge=1, le=64, description="Parallel jobs for per-line and per-shot work."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=user_config_file()),
        )

    def backend_overrides(self) -> dict[str, Any]:
        """Backend names chosen by settings, per stage."""
        chosen = {
            "voice": self.voice_backend,
            "music": self.music_backend,
            "visuals": self.visuals_backend,
            "lipsync": self.lipsync_backend,
            "compose": self.compose_backend,
            "translate": self.translate_backend,
        }
        return {stage: name for stage, name in chosen.items() if name}
