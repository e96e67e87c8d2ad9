"""YouTube fixtures: the fake YouTube + Google OAuth server, a server app pointed at it, and
users who can connect a channel and own finished render jobs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.publish.fake_youtube import CLIENT_ID, CLIENT_SECRET, FakeYouTube
from tests.publish.films import CHUNK, render_folder
from tests.server.conftest import Api

from aifilm.server.app import create_app
from aifilm.server.assets import output_asset
from aifilm.server.config import ServerSettings
from aifilm.server.models import Job, utcnow
from aifilm.server.state import ServerState

SCHEDULED = "2031-01-31T18:00:00Z"  # a publish_at in the future


def fable_upload(job_id: str, **extra: Any) -> dict[str, Any]:
    """The upload request the tests publish a finished film with: every field set."""
    return {
        "job_id": job_id,
        "title": "The Thirsty Crow",
        "description": "A fable.",
        "tags": ["fable", "crow"],
        "category_id": "27",
        "language": "en",
        "privacy": "private",
        "publish_at": SCHEDULED,
        "made_for_kids": True,
        **extra,
    }


@pytest.fixture
def fake() -> Iterator[FakeYouTube]:
    with FakeYouTube() as server:
        yield server


@pytest.fixture
def yt_settings(
    settings_for: Callable[..., ServerSettings],
    fake: FakeYouTube,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., ServerSettings]:
    """Server settings aimed at the fake; small chunks, no waiting between retries."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is http
    monkeypatch.setenv("AIFILM_YOUTUBE_CHUNK_SIZE", str(CHUNK))
    monkeypatch.setenv("AIFILM_YOUTUBE_RETRY_DELAY", "0")
    monkeypatch.setenv("AIFILM_YOUTUBE_TIMEOUT", "10")

    def make(**overrides: Any) -> ServerSettings:
        values: dict[str, Any] = {
            "youtube_client_id": CLIENT_ID,
            "youtube_client_secret": CLIENT_SECRET,
            "youtube_api_base": fake.url,
            "google_oauth_auth_url": f"{fake.url}/auth",
            "google_oauth_token_url": f"{fake.url}/token",
            "google_oauth_revoke_url": f"{fake.url}/revoke",
        }
        values.update(overrides)
        return settings_for(**values)

    return make


@pytest.fixture
def yt_client(yt_settings: Callable[..., ServerSettings]) -> Iterator[TestClient]:
    """The app with its in-process worker (renders and uploads)."""
    with TestClient(create_app(yt_settings())) as client:
        yield client


class Creator(Api):
    """A signed-in user who can pay for a plan, connect the fake channel and own films."""

    @property
    def state(self) -> ServerState:
        state: ServerState = self.client.app.state.aifilm  # type: ignore[attr-defined]
        return state

    def upgrade(self, plan: str = "standard") -> None:
        admin = admin_of(self.client)
        r = admin.post(f"/api/admin/users/{self.user['id']}/plan", json={"plan": plan})
        assert r.status_code == 200, r.text

    def consent(self) -> str:
        """Ask to connect, let the fake Google consent; the callback path and query."""
        r = self.get("/api/youtube/auth")
        assert r.status_code == 200, r.text
        answer = httpx.get(r.json()["authorization_url"], follow_redirects=False)
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["location"])
        return f"{back.path}?{back.query}"

    def connect(self) -> dict[str, Any]:
        r = self.client.get(self.consent())  # the browser, without the API's token
        assert r.status_code == 200, r.text
        return dict(r.json())

    def finished_job(self, folder: Path, film: bytes | None = None) -> dict[str, Any]:
        """A completed render job whose results are the files of a render folder (the film:
        random bytes, over 3 upload chunks, unless given)."""
        render_folder(folder)
        if film is not None:
            (folder / "the-crow.mp4").write_bytes(film)
        project = self.project()
        job_id = uuid.uuid4()
        project_id = uuid.UUID(project["id"])
        with self.state.sessions() as session, session.begin():
            session.add(
                Job(
                    id=job_id,
                    user_id=uuid.UUID(self.user["id"]),
                    project_id=project_id,
                    status="completed",
                    length_seconds=60.0,
                    progress=100.0,
                    completed_at=utcnow(),
                )
            )
            session.flush()
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    session.add(output_asset(self.state.storage, project_id, job_id, path))
        return {"id": str(job_id), "project": project}

    def wait_upload(self, upload_id: str, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            upload = self.get(f"/api/youtube/uploads/{upload_id}").json()
            if upload["status"] in ("published", "failed"):
                return dict(upload)
            time.sleep(0.1)
        raise AssertionError(f"upload {upload_id} did not end: {upload}")


def admin_of(client: TestClient) -> Api:
    """The admin account (registered on first use)."""
    cached = getattr(client, "_aifilm_admin", None)
    if cached is None:
        cached = Api(client, "admin@example.com")
        client._aifilm_admin = cached  # type: ignore[attr-defined]
    return cached


@pytest.fixture
def creator(yt_client: TestClient) -> Callable[[str], Creator]:
    return lambda email: Creator(yt_client, email)
