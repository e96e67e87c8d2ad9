"""A fake YouTube per test, and the settings that point aifilm at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_youtube import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeYouTube
from films import CHUNK


@pytest.fixture
def fake() -> Iterator[FakeYouTube]:
    """A running fake YouTube + Google OAuth server."""
    with FakeYouTube() as server:
        yield server


@pytest.fixture
def youtube_env(fake: FakeYouTube, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings aimed at the fake, CI credentials in the environment; returns the data dir."""
    data = tmp_path / "data"
    env = {
        "AIFILM_YOUTUBE_API_BASE": fake.url,
        "AIFILM_GOOGLE_OAUTH_TOKEN_URL": f"{fake.url}/token",
        "AIFILM_GOOGLE_OAUTH_REVOKE_URL": f"{fake.url}/revoke",
        "AIFILM_GOOGLE_OAUTH_AUTH_URL": f"{fake.url}/auth",
        "AIFILM_YOUTUBE_CLIENT_ID": CLIENT_ID,
        "AIFILM_YOUTUBE_CLIENT_SECRET": CLIENT_SECRET,
        "AIFILM_YOUTUBE_REFRESH_TOKEN": REFRESH_TOKEN,
        "AIFILM_DATA_DIR": str(data),
        "AIFILM_YOUTUBE_CHUNK_SIZE": str(CHUNK),
        "AIFILM_YOUTUBE_RETRY_DELAY": "0",
        "AIFILM_YOUTUBE_TIMEOUT": "10",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return data
