"""Licences on the server: non-commercial backends are refused to paying plans at submission,
unless the operator lists them in `licensed_backends`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import TINY_SPEC, Api

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings

OFFERED = ["espeak", "midi", "stills", "spec", "ffmpeg", "visemes", "musicgen", "diffusion-image"]
OFFERED += ["wav2lip"]
MUSICGEN = TINY_SPEC + "backends: {music: musicgen}\n"


def _client(settings_for: Callable[..., ServerSettings], **extra: object) -> TestClient:
    return TestClient(create_app(settings_for(worker="none", allowed_backends=OFFERED, **extra)))


def _pro(client: TestClient, email: str) -> Api:
    user = Api(client, email)
    boss = Api(client, "admin@example.com")
    r = boss.post(f"/api/admin/users/{user.user['id']}/plan", json={"plan": "pro"})
    assert r.status_code == 200, r.text
    return user


def test_paying_users_are_refused_non_commercial_backends(
    settings_for: Callable[..., ServerSettings],
) -> None:
    with _client(settings_for) as client:
        pro = _pro(client, "pro@example.com")
        r = pro.post("/api/jobs", json={"project_id": pro.project(MUSICGEN)["id"]})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        assert body["title"] == "Backend not licensed for commercial use"
        assert "music backend 'musicgen'" in body["detail"]
        assert "CC-BY-NC" in body["detail"] and "licensed_backends" in body["detail"]
        assert "AIFILM_SERVER_LICENSED_BACKENDS" in body["detail"]
        assert [(b["stage"], b["name"]) for b in body["backends"]] == [("music", "musicgen")]
        assert "CC-BY-NC" in body["backends"][0]["weights_license"]
        assert body["setting"] == "licensed_backends"
        assert pro.balance() == 60  # nothing charged
        # the model decides: FLUX.1-dev's weights are non-commercial, SDXL's are not
        flux = TINY_SPEC + (
            "backends: {visuals: {name: diffusion-image, "
            "options: {model: black-forest-labs/FLUX.1-dev}}}\n"
        )
        r = pro.post("/api/jobs", json={"project_id": pro.project(flux)["id"]})
        assert r.status_code == 403 and "visuals backend 'diffusion-image'" in r.json()["detail"]
        lips = TINY_SPEC + "backends: {lipsync: wav2lip}\n"
        r = pro.post("/api/jobs", json={"project_id": pro.project(lips)["id"]})
        assert r.status_code == 403 and "lipsync backend 'wav2lip'" in r.json()["detail"]
        sdxl = TINY_SPEC + "backends: {visuals: diffusion-image}\n"
        r = pro.post("/api/jobs", json={"project_id": pro.project(sdxl)["id"]})
        assert r.status_code == 201, r.text
        # the free plan's films are not commercial: allowed
        free = Api(client, "free@example.com")
        r = free.post("/api/jobs", json={"project_id": free.project(MUSICGEN)["id"]})
        assert r.status_code == 201, r.text


def test_operator_can_mark_a_backend_licensed(
    settings_for: Callable[..., ServerSettings],
) -> None:
    with _client(settings_for, licensed_backends=["musicgen"]) as client:
        pro = _pro(client, "pro@example.com")
        r = pro.post("/api/jobs", json={"project_id": pro.project(MUSICGEN)["id"]})
        assert r.status_code == 201, r.text
        assert pro.balance() == 59


def test_setting_reads_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFILM_SERVER_LICENSED_BACKENDS", '["musicgen", "wav2lip"]')
    assert ServerSettings().licensed_backends == ["musicgen", "wav2lip"]
