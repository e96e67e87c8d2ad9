"""Backends on the hosted server: a project may pick only what the operator offers (checked when
it is saved and when a job is submitted), and nothing in the server process's environment or
config file silently replaces a project's choice (issue 11)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import TINY_SPEC, Api

from aifilm.pipeline.music.midi import MidiMusic
from aifilm.pipeline.registry import registry
from aifilm.pipeline.voice.espeak import EspeakVoice
from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.policy import offered
from aifilm.server.state import ServerState
from aifilm.server.worker import work_once


def _problem(r: object, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    assert r.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body: dict[str, object] = r.json()  # type: ignore[attr-defined]
    return body


def test_projects_may_pick_only_offered_backends(
    settings_for: Callable[..., ServerSettings],
) -> None:
    musicgen = TINY_SPEC + "backends: {music: musicgen, voice: espeak}\n"
    with TestClient(create_app(settings_for(worker="none"))) as client:
        joe = Api(client, "joe@example.com")
        body = _problem(joe.post("/api/projects", json={"spec": musicgen}), 403)
        assert body["title"] == "Backend not offered"
        assert "music backend 'musicgen'" in str(body["detail"])
        assert "offered: midi" in str(body["detail"])
        assert "AIFILM_SERVER_ALLOWED_BACKENDS" in str(body["detail"])
        assert body["backends"] == [{"stage": "music", "name": "musicgen"}]
        assert body["setting"] == "allowed_backends"
        # the embedded offline backends, named or not, are always offered
        project = joe.project(TINY_SPEC + "backends: {lipsync: visemes, compose: ffmpeg}\n")
        r = joe.patch(f"/api/projects/{project['id']}", json={"spec": musicgen})
        assert _problem(r, 403)["title"] == "Backend not offered"
        assert joe.get(f"/api/projects/{project['id']}").json()["spec"].endswith("ffmpeg}\n")
    # The operator offers more, per stage: music only, not voice.
    offered = {"music": ["musicgen"]}
    with TestClient(create_app(settings_for(worker="none", allowed_backends=offered))) as client:
        zoe = Api(client, "zoe@example.com")
        assert zoe.post("/api/projects", json={"spec": musicgen}).status_code == 201
        voice = TINY_SPEC + "backends: {voice: musicgen}\n"
        body = _problem(zoe.post("/api/projects", json={"spec": voice}), 403)
        assert body["backends"] == [{"stage": "voice", "name": "musicgen"}]


def test_a_project_saved_before_the_operator_withdrew_a_backend_is_refused_at_submit(
    settings_for: Callable[..., ServerSettings],
) -> None:
    spec = TINY_SPEC + "backends: {voice: elevenlabs}\n"
    with TestClient(
        create_app(settings_for(worker="none", allowed_backends={"voice": ["elevenlabs"]}))
    ) as client:
        kai = Api(client, "kai@example.com")
        project = kai.project(spec)
    with TestClient(create_app(settings_for(worker="none"))) as client:
        kai.client = client
        kai.headers = {
            "Authorization": "Bearer "
            + client.post(
                "/api/users/login", json={"email": kai.email, "password": "correct horse"}
            ).json()["access_token"]
        }
        body = _problem(kai.post("/api/jobs", json={"project_id": project["id"]}), 403)
        assert body["title"] == "Backend not offered" and kai.balance() == 3


def test_the_setting_offers_per_stage_or_everywhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AIFILM_SERVER_CONFIG", str(tmp_path / "no-server.toml"))
    monkeypatch.setenv("AIFILM_SERVER_ALLOWED_BACKENDS", '{"music": ["musicgen"]}')
    per_stage = offered(ServerSettings().allowed_backends)
    assert per_stage["music"] == ["midi", "musicgen"] and per_stage["voice"] == ["espeak", "kokoro"]
    monkeypatch.setenv("AIFILM_SERVER_ALLOWED_BACKENDS", '["piper"]')
    everywhere = offered(ServerSettings().allowed_backends)
    assert "piper" in everywhere["voice"] and "piper" in everywhere["music"]
    monkeypatch.delenv("AIFILM_SERVER_ALLOWED_BACKENDS")
    assert offered(ServerSettings().allowed_backends)["lipsync"] == ["visemes"]


class _ServerEnvVoice(EspeakVoice):
    name = "server-env-voice"


class _ServerConfigMusic(MidiMusic):
    name = "server-config-music"


@pytest.fixture
def stand_ins() -> Iterator[None]:
    for cls in (_ServerEnvVoice, _ServerConfigMusic):
        registry.register(cls)
    yield
    for cls in (_ServerEnvVoice, _ServerConfigMusic):
        registry.unregister(cls)


def test_the_server_environment_and_config_file_do_not_pick_a_projects_backends(
    stand_ins: None,
    settings_for: Callable[..., ServerSettings],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("AIFILM_VOICE_BACKEND", "server-env-voice")
    config = tmp_path / "server-user-config.toml"
    config.write_text('music_backend = "server-config-music"\n', encoding="utf-8")
    monkeypatch.setenv("AIFILM_CONFIG", str(config))
    with TestClient(create_app(settings_for(worker="none"))) as client:
        lea = Api(client, "lea@example.com")
        project = lea.project(TINY_SPEC + "backends: {voice: espeak}\n")
        job = lea.post("/api/jobs", json={"project_id": project["id"]}).json()
        state: ServerState = client.app.state.aifilm  # type: ignore[attr-defined]
        assert work_once(state.sessions, state.storage, state.settings, "w") == "completed"
        report = lea.get(f"/api/jobs/{job['id']}/files/render-report.json").json()
    names = {stage: b["name"] for stage, b in report["backends"].items()}
    assert names["voice"] == "espeak"  # the project's choice, not the environment's
    assert names["music"] == "midi"  # the default, not the server user's config file


def test_a_jobs_credits_count_its_visuals_providers_cost(
    settings_for: Callable[..., ServerSettings],
) -> None:
    # Two shots without a picture of their own: Stability Core at $0.03 each is $0.06, one
    # started credit of $0.10 on top of the film's one credit; the colour shot is free.
    spec = (
        "title: Paid Pictures\nduration: 10s\noutput: {resolution: 160x90, fps: 12}\n"
        "backends: {visuals: stability}\nscenes:\n  - shots:\n"
        "      - narration: A dry field.\n      - narration: A pitcher.\n"
        "      - narration: The end.\n        color: '#000000'\n"
    )
    offered = {"visuals": ["stability", "runway"]}
    with TestClient(create_app(settings_for(worker="none", allowed_backends=offered))) as client:
        ann = Api(client, "ann@example.com")
        job = ann.post("/api/jobs", json={"project_id": ann.project(spec)["id"]}).json()
        assert job["credits_charged"] == 2 and ann.balance() == 1
        # Runway: 5 s clips at $0.05/s for both shots, $0.50: 5 credits more than the balance
        runway = spec.replace("visuals: stability", "visuals: runway").replace("A dry", "Dry")
        r = ann.post("/api/jobs", json={"project_id": ann.project(runway)["id"]})
        assert r.status_code == 402, r.text
    free = settings_for(worker="none", allowed_backends=offered, provider_usd_per_credit=0)
    with TestClient(create_app(free)) as client:
        bo = Api(client, "bo@example.com")
        job = bo.post("/api/jobs", json={"project_id": bo.project(spec)["id"]}).json()
        assert job["credits_charged"] == 1
