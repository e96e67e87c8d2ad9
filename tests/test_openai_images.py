"""Generated pictures from the director's prompts through the OpenAI Images API, against
the fake server: each character's look in every prompt, the size by the frame's shape,
base64 and URL answers, 429 with Retry-After, refused prompts and keys as notes."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests.fakes.llm_server import KEYS, FakeLLMServer, error_reply

from aifilm.pipeline.render import Pipeline
from aifilm.settings import Settings
from aifilm.spec.loader import load_project_yaml

SPEC = """
title: The Crow
output: {resolution: 720x1280}
characters:
  - {name: Crow, voice: child, look: a little black crow with a bright eye}
scenes:
  - title: A hot field
    shots:
      - dialogue:
          - Crow: I am so thirsty today.
      - title: Later
      - dialogue:
          - Crow: Water, at last!
"""
LOOK = "Crow: a little black crow with a bright eye."


@pytest.fixture
def fake(llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> FakeLLMServer:
    llm_server.reset()
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"])
    return llm_server


def render_visuals(fake: FakeLLMServer, tmp_path: Path, **options: Any) -> Pipeline:
    project = load_project_yaml(SPEC, base_dir=tmp_path)
    backend = {"name": "openai-images", "options": {"base_url": fake.url + "/v1", **options}}
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "cache"), visuals=backend)
    pipe.run(until="visuals")
    pipe.close()
    return pipe


def test_each_prompt_carries_the_look_and_the_picture_fills_the_shot(
    fake: FakeLLMServer, tmp_path: Path
) -> None:
    state = render_visuals(fake, tmp_path, style="watercolour").state
    asked = [r.body for r in fake.of("images")]
    assert len(asked) == 2  # the title card is drawn offline
    assert all(b["prompt"].endswith(LOOK + " watercolour") for b in asked)
    assert {b["size"] for b in asked} == {"1024x1536"} and asked[0]["model"] == "gpt-image-1"
    sent = set()
    for body in asked:
        with Image.open(io.BytesIO(fake.images[body["prompt"]])) as image:
            sent.add(image.getpixel((image.width // 2, image.height // 2)))
    shown = set()
    for visual in (state.visuals[0], state.visuals[2]):
        with Image.open(visual.path) as picture:
            assert picture.size == (visual.width, visual.height)
            shown.add(picture.getpixel((visual.width // 2, visual.height // 2)))
    assert shown == sent  # each shot shows the picture made for its own prompt
    assert state.visuals[1].note is None and "generated" not in state.visuals[1].path.name


def test_a_url_answer_is_fetched(fake: FakeLLMServer, tmp_path: Path) -> None:
    fake.images_as_url = True
    state = render_visuals(fake, tmp_path).state
    assert all(v.note is None for v in state.visuals)
    assert state.visuals[0].path.name == "generated.png"


def test_429_waits_and_a_refused_prompt_leaves_the_offline_picture(
    fake: FakeLLMServer, tmp_path: Path
) -> None:
    fake.push(error_reply("openai", 429, "slow down", retry_after="1"))
    refusal = error_reply("openai", 400, "Your request was rejected by the safety system.")
    fake.push(refusal)  # the two shots ask at once: one waits, the other is refused
    state = render_visuals(fake, tmp_path).state
    notes = [v.note for v in state.visuals if v.note]
    assert len(notes) == 1 and "the prompt was refused: Your request was rejected" in notes[0]
    assert "offline picture" in notes[0]
    asked = fake.of("images")
    again = [b.at - a.at for a in asked for b in asked if b.at > a.at and a.body == b.body]
    assert len(again) == 1 and again[0] >= 0.95


def test_a_refused_key_is_a_note_naming_the_variable(
    fake: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-secret")
    state = render_visuals(fake, tmp_path).state
    notes = [v.note for v in state.visuals if v.note]
    assert len(notes) == 2 and all("check OPENAI_API_KEY" in n for n in notes)
    assert not any("sk-wrong-secret" in n for n in notes)
