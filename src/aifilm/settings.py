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
from pydantic import ByteSize, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from aifilm.errors import SettingsError

ENV_PREFIX = "AIFILM_"
DEFAULT_CACHE_MAX_SIZE = 5 * 1000**3  # 5 GB: about 80 one-minute films


def user_config_file() -> Path:
    """Where the user's config.toml lives."""
    override = os.environ.get("AIFILM_CONFIG")
    return (
        Path(override) if override else Path(platformdirs.user_config_dir("aifilm")) / "config.toml"
    )


_BACKEND_SUFFIX = "_backend"


class _UserConfigFile(TomlConfigSettingsSource):
    """The user config file, with its backend choices set apart: they rank below a project's
    own `backends:` (environment variables and arguments rank above it). Any
    `<kind>_backend` key counts, so a plug-in stage's kind needs no setting of its own."""

    def __call__(self) -> dict[str, Any]:
        data = dict(super().__call__())
        chosen = {
            key.removesuffix(_BACKEND_SUFFIX): str(data.pop(key))
            for key in list(data)
            if key.endswith(_BACKEND_SUFFIX) and isinstance(data[key], str)
        }
        if chosen:
            data["config_file_backends"] = chosen
        return data


class Settings(BaseSettings):
    """Machine-level settings for rendering (not part of any project)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    def __init__(self, **values: Any) -> None:
        # pydantic's own errors would surface as tracebacks from wherever settings are first
        # read; say instead which variable or file holds the bad value, and what fits.
        config = user_config_file()
        if config.exists() and not config.is_file():  # pydantic-settings would skip it silently
            raise SettingsError(
                f"the config file {config} is not a file",
                hint="point AIFILM_CONFIG at a config.toml, or unset it",
            )
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise _settings_error(exc, values) from None
        except ValueError as exc:  # tomllib.TOMLDecodeError
            raise SettingsError(
                f"{user_config_file()} is not valid TOML: {exc}",
                hint="fix the line named, or remove the file to use the defaults",
            ) from None
        except OSError as exc:
            raise SettingsError(
                f"cannot read the config file {user_config_file()}: {exc.strerror}",
                hint="make it a readable file, or point AIFILM_CONFIG at one",
            ) from None

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
    llm_backend: str | None = Field(
        None, description="Language model for `aifilm write` and the director: openai, ..."
    )
    llm_model: str | None = Field(None, description="The llm backend's model.")
    llm_base_url: str | None = Field(
        None, description="The llm backend's server, e.g. http://localhost:11434/v1 (Ollama)."
    )
    llm_api_key: SecretStr | None = Field(
        None, description="The llm backend's key (default: the provider's own variable)."
    )
    llm_temperature: float | None = Field(None, ge=0.0, le=2.0)
    llm_timeout: float | None = Field(None, gt=0, description="Seconds for one llm answer.")
    config_file_backends: dict[str, str] = Field(
        default_factory=dict,
        description="The config file's `<stage>_backend` keys: used where a project names none.",
    )
    workers: int = Field(
        2, ge=1, le=64, description="Parallel jobs for per-line and per-shot work."
    )
    cache_max_size: ByteSize = Field(
        ByteSize(DEFAULT_CACHE_MAX_SIZE),
        ge=0,
        description="The cache is pruned to this size after each render, least recently "
        "used first (e.g. 5GB, 500MB; 0: no cap).",
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
        """Backend names chosen by arguments or environment variables, per kind: they win
        over a project's `backends:`. Besides the fields above, any `AIFILM_<KIND>_BACKEND`
        variable counts (a plug-in stage's kind)."""
        chosen = {
            name.removesuffix(_BACKEND_SUFFIX): value
            for name, value in self
            if name.endswith(_BACKEND_SUFFIX) and isinstance(value, str)
        }
        prefix = self.model_config.get("env_prefix") or ""
        for variable, value in os.environ.items():
            upper = variable.upper()
            if upper.startswith(prefix.upper()) and upper.endswith(_BACKEND_SUFFIX.upper()):
                kind = upper[len(prefix) : -len(_BACKEND_SUFFIX)].lower()
                if (
                    kind
                    and value
                    and kind not in chosen
                    and f"{kind}_backend" not in type(self).model_fields
                ):
                    chosen[kind] = value
        return {kind: name for kind, name in chosen.items() if name}

    def llm_options(self) -> dict[str, Any]:
        """The llm backend's options set here (model, base_url, api_key, ...)."""
        values = {
            "model": self.llm_model,
            "base_url": self.llm_base_url,
            "api_key": self.llm_api_key,
            "temperature": self.llm_temperature,
            "timeout": self.llm_timeout,
        }
        return {k: v for k, v in values.items() if v is not None}

    def backend_defaults(self) -> dict[str, Any]:
        """Backend names chosen by the user config file, per stage: used only for stages a
        project's `backends:` leaves out."""
        return dict(self.config_file_backends)


def _settings_error(exc: ValidationError, given: dict[str, Any]) -> SettingsError:
    """Name the source of each bad value: the argument, the variable, or the config file."""
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        variable = ENV_PREFIX + field.upper()
        if field in given:
            where = f"Settings({field}=...)"
        elif variable in os.environ:
            where = f"{variable}={os.environ[variable]!r}"
        else:
            where = f"'{field}' in {user_config_file()}"
        problems.append(f"{where}: {error['msg']}")
    return SettingsError(
        "bad setting" + ("s" if len(problems) > 1 else "") + ":\n  " + "\n  ".join(problems),
        hint="fix or unset the value; every setting is listed in docs/cli.md#settings",
    )
