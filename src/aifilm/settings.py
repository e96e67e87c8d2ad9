"""Settings in one place: `AIFILM_*` environment variables > user config file > defaults.

The user config file is `config.toml` in the user config dir (see `aifilm doctor`),
or the file named by `AIFILM_CONFIG`. For backends the precedence is: command-line flag
(an argument to `render`) > `AIFILM_*_BACKEND` > the project's `backends:` > the config
file > the default, so a config file sets a machine's defaults without overriding what a
project asks for.
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


_STAGES = ("voice", "music", "visuals", "lipsync", "compose", "translate")


class _UserConfigFile(TomlConfigSettingsSource):
    """The user config file, with its backend choices set apart: they rank below a project's
    own `backends:` (environment variables and arguments rank above it)."""

    def __call__(self) -> dict[str, Any]:
        data = dict(super().__call__())
        chosen = {s: data.pop(f"{s}_backend") for s in _STAGES if f"{s}_backend" in data}
        if chosen:
            data["config_file_backends"] = chosen
        return data


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
    config_file_backends: dict[str, str] = Field(
        default_factory=dict,
        description="The config file's `<stage>_backend` keys: used where a project names none.",
    )
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
            _UserConfigFile(settings_cls, toml_file=user_config_file()),
        )

    def backend_overrides(self) -> dict[str, Any]:
        """Backend names chosen by arguments or environment variables, per stage: they win
        over a project's `backends:`."""
        chosen = {
            "voice": self.voice_backend,
            "music": self.music_backend,
            "visuals": self.visuals_backend,
            "lipsync": self.lipsync_backend,
            "compose": self.compose_backend,
            "translate": self.translate_backend,
        }
        return {stage: name for stage, name in chosen.items() if name}

    def backend_defaults(self) -> dict[str, Any]:
        """Backend names chosen by the user config file, per stage: used only for stages a
        project's `backends:` leaves out."""
        return dict(self.config_file_backends)
