"""Which backend a render uses: argument > AIFILM_* environment > project file > user config
file > default (CONVENTIONS point 10; docs/cli.md, Settings)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aifilm.pipeline.registry import registry
from aifilm.pipeline.render import Pipeline
from aifilm.pipeline.voice.espeak import EspeakVoice
from aifilm.settings import Settings, user_config_file
from aifilm.spec.loader import load_project_yaml

SPEC = """\
title: Precedence
duration: 10s
scenes:
  - shots:
      - narration: Hello.
"""


class _Named(EspeakVoice):
    """A stand-in voice backend whose name shows which layer chose it."""


def _voice(name: str) -> type[EspeakVoice]:
    return type(f"Voice_{name}", (_Named,), {"name": name})


@pytest.fixture
def voices() -> Iterator[None]:
    made = [_voice(n) for n in ("from-config", "from-project", "from-env")]
    for cls in made:
        registry.register(cls)
    yield
    for cls in made:
        registry.unregister(cls)


def _chosen(tmp_path: Path, spec: str, **settings: object) -> str:
    project = load_project_yaml(spec, base_dir=tmp_path)
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "cache", **settings))  # type: ignore[arg-type]
    return pipe.backends["voice"].name


def test_project_file_beats_user_config_file(
    voices: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_config_file().write_text('voice_backend = "from-config"\n', encoding="utf-8")
    assert _chosen(tmp_path, SPEC + "backends: {voice: from-project}\n") == "from-project"
    # where the project is silent, the config file still sets the machine's default
    assert _chosen(tmp_path, SPEC) == "from-config"
    # and the environment beats the project
    monkeypatch.setenv("AIFILM_VOICE_BACKEND", "from-env")
    assert _chosen(tmp_path, SPEC + "backends: {voice: from-project}\n") == "from-env"
    # an argument (the CLI's --voice) beats everything
    project = load_project_yaml(SPEC + "backends: {voice: from-project}\n", base_dir=tmp_path)
    assert Pipeline(project, voice="espeak").backends["voice"].name == "espeak"


def test_settings_keep_config_file_backends_apart(voices: None) -> None:
    user_config_file().write_text('voice_backend = "from-config"\nworkers = 3\n', encoding="utf-8")
    settings = Settings()
    assert settings.backend_defaults() == {"voice": "from-config"}
    assert settings.backend_overrides() == {}
    assert settings.workers == 3  # other keys of the file still apply
