"""The endpoints the studio's pages call: validation at the script's own lines, templates,
the plan and its cost, voices and music, previews, and the help pages' copies of docs/."""

from __future__ import annotations

import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.db import upgrade
from aifilm.server.studio_templates import TEMPLATES

ROOT = Path(__file__).parents[2]
HELP = ROOT / "src" / "aifilm" / "server" / "web" / "static" / "help"


@pytest.fixture
def api(studio_settings: Callable[..., ServerSettings]) -> Iterator[Api]:
    settings = studio_settings(worker="none")
    upgrade(settings.db_url)
    with TestClient(create_app(settings)) as client:
        yield Api(client, "studio@example.com")


def test_validate_reports_yaml_issues_at_line_and_column(api: Api) -> None:
    text = "title: T\nduration: 20s\nscenes:\n  - shots:\n      - narration: Hi.\n        zoom: 3\n"
    answer = api.post("/api/studio/validate", json={"text": text, "format": "yaml"}).json()
    assert not answer["ok"]
    (issue,) = answer["issues"]
    assert (issue["line"], issue["column"]) == (6, 9) and "zoom" in issue["message"]


def test_validate_reports_script_issues_at_the_scripts_own_line(api: Api) -> None:
    script = "Hello there.\n\nMaya: Hi!\n\nRavi: ሰላም ነው ወንድሜ እንዴት ነህ\n"
    answer = api.post(
        "/api/studio/validate", json={"text": script, "format": "plain", "title": "T"}
    ).json()
    assert [i["line"] for i in answer["issues"]] == [5]
    good = api.post(
        "/api/studio/validate",
        json={"text": "Hello.\n\nMaya: Hi!\n", "format": "fountain", "title": 'A "B" <c>'},
    ).json()
    assert good["ok"] and good["title"] == 'A "B" <c>'
    assert api.post("/api/projects", json={"spec": good["spec"]}).status_code == 201


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.key)
def test_every_template_is_a_valid_project(api: Api, template: object) -> None:
    spec = template.spec  # type: ignore[attr-defined]
    answer = api.post("/api/studio/validate", json={"text": spec, "format": "yaml"}).json()
    assert answer["ok"], answer


def test_plan_shows_shots_and_charges_by_length(api: Api) -> None:
    spec = "title: P\nscript: |\n  Hello there.\n\n  Maya: Hi!\n"
    plan = api.post("/api/studio/plan", json={"spec": spec}).json()
    assert plan["length_seconds"] == 10.0 and plan["credits"] == 1  # auto: the plan, >= 10 s
    assert len(plan["shots"]) == 2 and plan["cast"][0]["name"] == "Maya"
    longer = api.post("/api/studio/plan", json={"spec": spec, "length_seconds": 125}).json()
    assert longer["credits"] == 3 and longer["duration_seconds"] == pytest.approx(125, abs=1)
    bad = api.post("/api/studio/plan", json={"spec": "title: [", "length_seconds": 20})
    assert bad.status_code == 422


def test_choices_set_voices_and_music_in_the_spec(api: Api) -> None:
    project = api.project("title: C\nscript: |\n  Hello.\n\n  Maya: Hi!\n")
    answer = api.post(
        f"/api/studio/projects/{project['id']}/choices",
        json={"voices": {"Maya": "child", "narrator": "mature"}, "music_genre": "folk"},
    )
    assert answer.status_code == 200, answer.text
    spec = answer.json()["spec"]
    assert "- name: Maya\n    voice: child" in spec and "music:\n  genre: folk" in spec
    assert "narrator:\n  voice: mature" in spec and "script: |" in spec
    wrong = api.post(
        f"/api/studio/projects/{project['id']}/choices", json={"voices": {"Maya": "x"}}
    )
    assert wrong.status_code == 422


def test_catalogue_and_music_preview(api: Api) -> None:
    catalogue = api.get("/api/studio/catalogue").json()
    assert {"adult-female", "child"} <= {v["id"] for v in catalogue["voices"]}
    assert "folk" in {g["id"] for g in catalogue["genres"]}
    assert catalogue["stages"][0] == "voice" and catalogue["stages"][-1] == "compose"
    sound = api.get("/api/studio/music/folk/preview")
    assert sound.status_code == 200 and sound.headers["content-type"] == "audio/wav"
    path = Path(api.client.app.state.aifilm.settings.cache_dir) / "sample.wav"  # type: ignore[attr-defined]
    path.write_bytes(sound.content)
    with wave.open(str(path)) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(6.0, abs=0.05)
    assert api.get("/api/studio/music/nope/preview").status_code == 422
    assert api.get("/api/studio/voices/nope/preview").status_code == 422


def test_pricing_is_public_and_from_the_plan_table(api: Api) -> None:
    from aifilm.server.plans import PLANS

    answer = api.client.get("/api/studio/pricing")  # no token
    assert answer.status_code == 200
    plans = {p["name"]: p for p in answer.json()["plans"]}
    assert set(plans) == set(PLANS)
    assert plans["pro"]["monthly_credits"] == PLANS["pro"].monthly_credits
    assert plans["pro"]["usd_cents"] == 4900 and plans["creator"]["usd_cents"] == 0


@pytest.mark.parametrize("guide", sorted(p.name for p in HELP.glob("*.md") if p.name != "faq.md"))
def test_help_guides_are_copies_of_the_docs(guide: str) -> None:
    assert (HELP / guide).read_text() == (ROOT / "docs" / guide).read_text(), (
        f"docs/{guide} changed: copy it to {HELP / guide}"
    )


def test_drafts_from_a_topic_are_capped_per_account_per_hour(
    studio_settings: Callable[..., ServerSettings],
    llm_server: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drafts run on the operator's key and cost no credits: an account gets a few an hour,
    then a 429 with Retry-After; another account still gets its own."""
    from tests.fakes.llm_server import KEYS

    monkeypatch.setenv("AIFILM_LLM_BASE_URL", llm_server.url + "/v1")  # type: ignore[attr-defined]
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"])
    settings = studio_settings(worker="none", writer_llm="openai", writer_drafts_per_hour=2)
    upgrade(settings.db_url)
    body = {"topic": "Why the sky is blue", "minutes": 1, "style": "explainer"}
    with TestClient(create_app(settings)) as client:
        first = Api(client, "drafter@example.com")
        answers = [first.post("/api/studio/write", json=body) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429], answers[-1].text
        refused = answers[-1]
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 3601
        assert "2 drafts this hour" in refused.json()["detail"]
        other = Api(client, "other-drafter@example.com")
        assert other.post("/api/studio/write", json=body).status_code == 200


def test_the_landing_demo_film_is_rendered_by_the_server_once(
    studio_settings: Callable[..., ServerSettings], tmp_path: Path
) -> None:
    """The repository ships the demo's script, not a film: the first request renders it
    (a 10 s MP4 with sound, its poster and subtitles), later ones read it back."""
    from aifilm.media.probe import probe

    settings = studio_settings(worker="none")
    upgrade(settings.db_url)
    with TestClient(create_app(settings)) as client:
        film = client.get("/static/demo/demo.mp4")
        assert film.status_code == 200 and film.headers["content-type"] == "video/mp4"
        (tmp_path / "demo.mp4").write_bytes(film.content)
        info = probe(tmp_path / "demo.mp4")
        assert info.first("video") is not None and info.first("audio") is not None
        assert 9.8 <= info.duration <= 11.0  # its 10 s target (the script runs a little long)
        vtt = client.get("/static/demo/demo.vtt").text
        assert vtt.startswith("WEBVTT") and "made by\naifilm" in vtt
        poster = client.get("/static/demo/demo.jpg")
        assert poster.content[:3] == b"\xff\xd8\xff"  # a JPEG
        made = list((settings.data_dir / "demo").iterdir())
        assert len(made) == 1 and client.get("/static/demo/demo.mp4").content == film.content
        assert client.get("/static/demo/project.yaml").status_code == 404
