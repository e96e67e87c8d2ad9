"""`aifilm write` through a fake language-model server: a project that validates, at the
asked length; malformed and invalid answers repaired from the errors sent back, or a clear
failure; long sources summarised part by part; prompts a user overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.fakes.llm_server import KEYS, FakeLLMServer, Reply, film_for

from aifilm.errors import UserError
from aifilm.pipeline.llm.base import LLMBackend
from aifilm.pipeline.registry import registry
from aifilm.spec.models import Project
from aifilm.write.writer import MAX_TRIES, write_film


@pytest.fixture
def fake(llm_server: FakeLLMServer, monkeypatch: pytest.MonkeyPatch) -> FakeLLMServer:
    llm_server.reset()
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"])
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEYS["anthropic"])
    monkeypatch.setenv("GEMINI_API_KEY", KEYS["gemini"])
    monkeypatch.delenv("AIFILM_PROMPTS_DIR", raising=False)
    return llm_server


def llm(fake: FakeLLMServer, provider: str = "openai") -> LLMBackend:
    url = fake.url + "/v1" if provider == "openai" else fake.url
    made = registry.create("llm", {"name": provider, "options": {"base_url": url}})
    assert isinstance(made, LLMBackend)
    return made


def users(fake: FakeLLMServer) -> list[str]:
    """The last user turn of every request, in order."""
    return [r.body["messages"][-1]["content"] for r in fake.of("openai")]


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
def test_a_topic_becomes_a_valid_project_of_the_asked_length(
    provider: str, fake: FakeLLMServer, tmp_path: Path
) -> None:
    result = write_film(
        "why the sky is blue",
        backend=llm(fake, provider),
        out=tmp_path / "sky",
        minutes=2,
        style="story",
        characters=2,
    )
    project = Project.load(tmp_path / "sky" / "project.yaml")
    assert project.duration == 120
    assert [c.name for c in project.characters] == ["Asha", "Ravi"]
    assert {c.name for c in project.speaking_characters} == {"Asha", "Ravi"}
    assert all(c.look and c.voice for c in project.characters)
    assert project.music is not None and project.music.genre == "ambient"
    assert 0.8 * 120 <= result.estimated_seconds <= 1.15 * 120
    assert result.answers == 1 and result.usage["requests"] == 1
    text = (tmp_path / "sky" / "project.yaml").read_text()
    assert text.startswith("# Written by 'aifilm write' (story, 2 min, en)")
    assert "      # picture: A wide sky, picture 1." in text  # above its shot, editable
    assert "prompt:" not in text
    sent = json.dumps(fake.requests[-1].body)
    assert "about 200 spoken words" in sent and '"look"' in sent  # budget and schema went out


def test_prompts_flag_writes_pictures_as_prompts(fake: FakeLLMServer, tmp_path: Path) -> None:
    write_film("sky", backend=llm(fake), out=tmp_path / "p", minutes=0.5, prompts=True)
    data = yaml.safe_load((tmp_path / "p" / "project.yaml").read_text())
    assert data["scenes"][0]["shots"][0]["prompt"] == "A wide sky, picture 1."


def test_malformed_and_invalid_answers_are_repaired(fake: FakeLLMServer, tmp_path: Path) -> None:
    good = film_for("about 50 spoken words Characters: exactly 2")
    stranger = json.loads(json.dumps(good))
    stranger["scenes"][0]["shots"][1]["lines"][0]["speaker"] = "Zorro"
    fake.push(Reply(text='{"title": "Sky", "scenes": [ oops'), Reply(text=json.dumps(stranger)))
    result = write_film(
        "sky", backend=llm(fake), out=tmp_path / "r", minutes=0.5, style="story", characters=2
    )
    assert result.answers == 3 and result.usage["requests"] == 3
    repairs = users(fake)[1:]
    assert "not valid JSON" in repairs[0]
    assert "Zorro" in repairs[1] and "project.yaml:" in repairs[1]  # the loader's own words
    bodies = [r.body["messages"] for r in fake.of("openai")]
    assert bodies[2][-2] == {"role": "assistant", "content": json.dumps(stranger)}
    assert "Zorro" not in (tmp_path / "r" / "project.yaml").read_text()


def test_too_long_a_script_is_sent_back_to_be_cut(fake: FakeLLMServer, tmp_path: Path) -> None:
    fake.push(Reply(text=json.dumps(film_for("about 400 spoken words"))))
    result = write_film("sky", backend=llm(fake), out=tmp_path / "l", minutes=1)
    assert result.answers == 2
    assert "must run 60 s: cut about" in users(fake)[1]


def test_gives_up_after_its_tries_with_the_problems_and_writes_nothing(
    fake: FakeLLMServer, tmp_path: Path
) -> None:
    fake.push(*[Reply(text='{"title": ""}')] * MAX_TRIES)
    with pytest.raises(UserError) as caught:
        write_film("sky", backend=llm(fake), out=tmp_path / "x", minutes=1)
    assert f"no valid project in {MAX_TRIES} answers" in str(caught.value)
    assert "title" in str(caught.value) and "scenes" in str(caught.value)
    assert len(fake.of("openai")) == MAX_TRIES
    assert not (tmp_path / "x" / "project.yaml").exists()


def test_a_long_source_is_summarised_part_by_part(fake: FakeLLMServer, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    paragraphs = [f"Paragraph {n} about Rayleigh scattering. " + "word " * 290 for n in range(22)]
    notes.write_text("\n\n".join(paragraphs))  # about 6,600 words: three parts
    result = write_film(
        "", backend=llm(fake), out=tmp_path / "s", minutes=1, style="podcast", source=notes
    )
    asked = users(fake)
    assert [a.split(".")[0] for a in asked[:3]] == [
        "Part 1 of 3 of notes",
        "Part 2 of 3 of notes",
        "Part 3 of 3 of notes",
    ]
    assert "Source (notes.md)" in asked[3] and "Summary of Part 3 of 3" in asked[3]
    assert len(asked[3]) < len(notes.read_text()) / 5
    assert result.usage["requests"] == 4
    assert result.project.mode == "podcast" and len(result.project.characters) == 2


def test_a_users_prompt_file_replaces_the_shipped_one(
    fake: FakeLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "prompts"
    mine.mkdir()
    (mine / "write.md").write_text("You write films for my channel only.")
    monkeypatch.setenv("AIFILM_PROMPTS_DIR", str(mine))
    write_film("sky", backend=llm(fake), out=tmp_path / "o", minutes=0.5)
    system = fake.of("openai")[0].body["messages"][0]
    assert system == {"role": "system", "content": "You write films for my channel only."}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"minutes": 20}, "outside what a film may run"),
        ({"style": "opera"}, "unknown style 'opera'"),
        ({"style": "podcast", "characters": 5}, "a podcast has 2 to 4 hosts"),
        ({"source": Path("missing.pdf")}, "source file not found"),
    ],
)
def test_bad_requests_are_refused_before_any_request(
    kwargs: dict[str, Any], message: str, fake: FakeLLMServer, tmp_path: Path
) -> None:
    with pytest.raises(UserError, match=message):
        write_film("sky", backend=llm(fake), out=tmp_path / "b", **kwargs)
    assert not fake.requests


def test_an_existing_project_is_not_overwritten(fake: FakeLLMServer, tmp_path: Path) -> None:
    (tmp_path / "project.yaml").write_text("title: mine\n")
    with pytest.raises(UserError, match="already exists"):
        write_film("sky", backend=llm(fake), out=tmp_path)
    assert (tmp_path / "project.yaml").read_text() == "title: mine\n"


def test_the_films_language_is_asked_for_and_set(fake: FakeLLMServer, tmp_path: Path) -> None:
    result = write_film("बारिश", backend=llm(fake), out=tmp_path / "hi", minutes=0.5, language="hi")
    assert result.project.language == "hi"
    assert "Language: Hindi (hi): every spoken word in Hindi." in users(fake)[0]
    assert "Topic: बारिश" in (tmp_path / "hi" / "project.yaml").read_text(encoding="utf-8")
