"""The stage list is the one source: what stages read and write, their backend kinds, the
defaults, the spec's `backends:` keys, the settings' variables, and plug-in stages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from aifilm.errors import SpecError
from aifilm.pipeline.backend import Backend
from aifilm.pipeline.context import RenderContext, RenderState
from aifilm.pipeline.registry import DEFAULT_BACKENDS, registry
from aifilm.pipeline.render import Pipeline
from aifilm.pipeline.stage_base import BackendKind, Stage
from aifilm.pipeline.stages import STAGES
from aifilm.settings import Settings
from aifilm.spec.loader import load_project_yaml

STATE_FIELDS = {f.name for f in dataclasses.fields(RenderState)}


def test_every_stage_reads_what_an_earlier_stage_wrote() -> None:
    written: set[str] = set()
    for stage in STAGES:
        assert set(stage.writes) <= STATE_FIELDS, stage.name
        missing = set(stage.reads) - written
        assert not missing, f"{stage.name} reads {missing} before any stage writes it"
        written |= set(stage.writes)


@pytest.mark.kokoro  # the real default voice (tests/conftest.py gives other tests espeak)
def test_defaults_and_kinds_come_from_the_stages() -> None:
    kinds = registry.backend_kinds()
    assert list(kinds) == ["voice", "llm", "music", "visuals", "compose", "lipsync", "translate"]
    assert {k.name: k.default for k in kinds.values() if k.default} == DEFAULT_BACKENDS
    assert "llm" not in DEFAULT_BACKENDS  # the director works without one


def test_no_llm_backend_unless_chosen(tmp_path: Path) -> None:
    project = load_project_yaml("title: T\nscenes:\n  - shots:\n      - narration: Hi.\n")
    settings = Settings(cache_dir=tmp_path)
    assert "llm" not in Pipeline(project, settings=settings, cache=False).backends
    chosen = Pipeline(project, settings=settings, cache=False, choices={"llm": "openai"})
    assert chosen.backends["llm"].name == "openai"


class Shout(Backend):
    name = "loud"
    stage = "shout"
    weights_license = "none"


SHOUT = BackendKind("shout", None)


class ShoutStage(Stage):
    name = "shout"
    after = "plan"
    reads = ("timeline",)
    backends: ClassVar[tuple[BackendKind, ...]] = (SHOUT,)
    ran: ClassVar[list[str]] = []

    def run(self, ctx: RenderContext) -> None:
        backend = ctx.backends.get("shout")
        self.ran.append(backend.name if backend else "none")


@pytest.fixture
def shout() -> object:
    registry.register(Shout)
    registry.register_stage(ShoutStage)
    ShoutStage.ran.clear()
    yield ShoutStage
    registry.unregister_stage(ShoutStage)
    registry.unregister(Shout)


@pytest.mark.usefixtures("shout")
def test_a_plugin_stage_runs_in_place_with_its_backend_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [s.name for s in registry.stage_classes()]
    assert names[names.index("plan") + 1] == "shout"
    monkeypatch.setenv("AIFILM_SHOUT_BACKEND", "loud")
    project = load_project_yaml("title: T\nscenes:\n  - shots:\n      - narration: Hi.\n")
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path), voice="espeak", cache=False)
    try:
        pipe.run(until="shout")
    finally:
        pipe.close()
    assert ShoutStage.ran == ["loud"]
    assert pipe.state.timeline is not None and not pipe.state.music  # stopped after shout


@pytest.mark.usefixtures("shout")
def test_the_specs_backends_keys_follow_the_stage_list() -> None:
    load_project_yaml("title: T\nbackends: {shout: loud}\nscenes: [{shots: [{narration: Hi.}]}]")
    registry.unregister_stage(ShoutStage)
    with pytest.raises(SpecError, match="unknown stage 'shout'"):
        load_project_yaml("title: T\nbackends: {shout: loud}\nscenes: [{shots: [{narration: Hi}]}]")


def test_config_file_chooses_any_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('llm_backend = "anthropic"\nshout_backend = "loud"\n')
    monkeypatch.setenv("AIFILM_CONFIG", str(config))
    settings = Settings()
    assert settings.backend_defaults() == {"llm": "anthropic", "shout": "loud"}
    assert "llm" not in settings.backend_overrides()


def test_none_turns_off_a_kind_without_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIFILM_LLM_BACKEND", "openai")
    project = load_project_yaml("title: T\nscenes:\n  - shots:\n      - narration: Hi.\n")
    settings = Settings(cache_dir=tmp_path)
    assert Pipeline(project, settings=settings, cache=False).backends["llm"].name == "openai"
    off = Pipeline(project, settings=settings, cache=False, choices={"llm": "none"})
    assert "llm" not in off.backends


def test_a_hosted_render_never_takes_the_servers_own_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    from aifilm.server.policy import render_choices

    monkeypatch.setenv("AIFILM_LLM_BACKEND", "openai")  # the operator's own shell setting
    choices = render_choices({})
    assert choices["llm"] == "none" and choices["voice"] == "espeak"
    assert set(choices) == set(registry.backend_kinds())
    assert render_choices({"llm": "anthropic"})["llm"] == "anthropic"


def test_a_plugin_adds_a_stage_and_its_backend_through_the_hooks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pluggy

    from aifilm.pipeline import builtins
    from aifilm.pipeline.registry import Registry, hookimpl

    class Plugin:
        @hookimpl
        def register_stages(self, register: Callable[[type[Stage]], None]) -> None:
            register(ShoutStage)

        @hookimpl
        def register_backends(self, register: Callable[[type[Backend]], None]) -> None:
            register(Shout)

    def entry_points(manager: pluggy.PluginManager, group: str, name: str | None = None) -> int:
        manager.register(builtins)
        manager.register(Plugin())
        return 2

    monkeypatch.setattr(pluggy.PluginManager, "load_setuptools_entrypoints", entry_points)
    plugged = Registry()
    names = [s.name for s in plugged.stage_classes()]
    assert names[names.index("plan") + 1] == "shout" and names[-1] == "compose"
    assert plugged.backend_kinds()["shout"] == SHOUT
    assert list(plugged.backends("shout")) == ["loud"]
    assert "voice" in plugged.backend_kinds()  # the built-ins still load beside it
