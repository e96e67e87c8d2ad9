"""The director: a prompt, search terms and orientation per shot, with each character's
look word for word in every prompt; by rules without an llm, one cached request per scene
with one; a shot's own `prompt:` wins; `aifilm plan` shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.fakes.llm_server import KEYS, FakeLLMServer, Reply
from typer.testing import CliRunner

from aifilm.cli.app import app
from aifilm.pipeline.render import Pipeline
from aifilm.settings import Settings
from aifilm.spec.loader import load_project_yaml

SPEC = """
title: The Thirsty Crow
output: {resolution: 720x1280}
characters:
  - {name: Crow, voice: child, look: a little black crow with a bright eye}
  - {name: Owl, voice: mature}
scenes:
  - title: A hot summer field
    shots:
      - narration: On a hot day a thirsty crow searched everywhere for water.
      - dialogue:
          - Crow: I see a clay pot under the old banyan tree!
      - dialogue:
          - Owl: Drop pebbles into the pot, little one.
          - Crow: Thank you, wise owl.
  - title: By the pot
    shots:
      - prompt: A crow dropping pebbles into a clay pot, watercolour
        show: Crow
        narration: One by one, the pebbles fell.
"""


@pytest.fixture
def fake(llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> FakeLLMServer:
    llm_server.reset()
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"])
    return llm_server


def directions(tmp_path: Path, **choices: object) -> list:  # type: ignore[type-arg]
    project = load_project_yaml(SPEC, base_dir=tmp_path)
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "cache"), choices=choices)
    try:
        return list(pipe.run(until="direct").directions)
    finally:
        pipe.close()


def test_rules_direct_every_shot_with_the_characters_looks(tmp_path: Path) -> None:
    found = directions(tmp_path)
    assert [d.shot for d in found] == ["1.1", "1.2", "1.3", "2.1"]
    assert {d.orientation for d in found} == {"portrait"}
    first, crow, both, own = found
    assert first.source == "rules" and first.characters == ()
    assert (
        first.prompt
        == "A hot summer field. On a hot day a thirsty crow searched everywhere for water."
    )
    assert "thirsty" in first.search and "water" in first.search
    look = "Crow: a little black crow with a bright eye."
    assert crow.prompt.endswith(look) and crow.characters == ("Crow",)
    assert both.characters == ("Owl", "Crow")
    assert "Owl: a grey-haired elder; Crow: a little black crow with a bright eye." in both.prompt
    assert own.source == "spec"
    assert own.prompt == "A crow dropping pebbles into a clay pot, watercolour. " + look


def test_an_llm_directs_each_scene_in_one_cached_request(
    fake: FakeLLMServer, tmp_path: Path
) -> None:
    llm = {"name": "openai", "options": {"base_url": fake.url + "/v1"}}
    found = directions(tmp_path, llm=llm)
    assert len(fake.requests) == 1  # scene 2 has only its own prompt: nothing to ask
    asked = json.loads(fake.requests[0].body["messages"][-1]["content"])
    assert asked["characters"]["Crow"] == "a little black crow with a bright eye"
    assert [s["id"] for s in asked["shots"]] == ["1.1", "1.2", "1.3"]
    assert [d.source for d in found] == ["llm:openai"] * 3 + ["spec"]
    assert found[1].prompt == (
        "LLM picture of shot 1.2 in A hot summer field. "
        "Crow: a little black crow with a bright eye."
    )
    assert found[1].search == ("blue sky", "shot 1.2")
    assert directions(tmp_path, llm=llm) == found
    assert len(fake.requests) == 1  # the second render's request came from the cache


def test_a_shot_the_llm_leaves_out_falls_back_to_rules(fake: FakeLLMServer, tmp_path: Path) -> None:
    answer = {"shots": [{"id": "1.1", "picture": "A dry field at noon", "search": ["field"]}]}
    fake.push(Reply(text=json.dumps(answer)))
    llm = {"name": "openai", "options": {"base_url": fake.url + "/v1"}}
    found = directions(tmp_path, llm=llm)
    assert [d.source for d in found] == ["llm:openai", "rules", "rules", "spec"]


def test_plan_shows_the_prompts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "project.yaml").write_text(SPEC)
    monkeypatch.setenv("AIFILM_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(app, ["plan", str(tmp_path / "project.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output.strip().splitlines()[-1])
    assert [d["source"] for d in plan["directions"]] == ["rules"] * 3 + ["spec"]
    shown = CliRunner().invoke(app, ["plan", str(tmp_path / "project.yaml")])
    assert "1.2 (rules) A hot summer field." in " ".join(shown.output.split())


def test_a_malformed_answer_leaves_the_scene_to_the_rules_with_a_warning(
    fake: FakeLLMServer, tmp_path: Path
) -> None:
    fake.push(Reply(text="Sure! Here are some ideas: a crow, a pot."))
    project = load_project_yaml(SPEC, base_dir=tmp_path)
    llm = {"name": "openai", "options": {"base_url": fake.url + "/v1"}}
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "c"), choices={"llm": llm})
    pipe.run(until="direct")
    pipe.close()
    assert [d.source for d in pipe.state.directions] == ["rules"] * 3 + ["spec"]
    (warning,) = pipe.context.warnings
    assert warning.startswith("scene 1: the model gpt-4o-mini answered the director")


def test_a_changed_answer_schema_asks_the_model_again(
    fake: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aifilm.pipeline.direct import llm as director

    llm = {"name": "openai", "options": {"base_url": fake.url + "/v1"}}
    directions(tmp_path, llm=llm)
    assert len(fake.requests) == 1
    # Same instructions and shots, but a newer answer shape: the cached answer was read
    # against the old one, so the model is asked again.
    shape = json.loads(json.dumps(director.SCHEMA))
    shape["properties"]["shots"]["items"]["properties"]["mood"] = {"type": "string"}
    monkeypatch.setattr(director, "SCHEMA", shape)
    directions(tmp_path, llm=llm)
    assert len(fake.requests) == 2
    monkeypatch.setattr(director, "DIRECT_VERSION", "test")
    directions(tmp_path, llm=llm)
    assert len(fake.requests) == 3
