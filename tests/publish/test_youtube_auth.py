"""OAuth: the installed-app login against the fake, the encrypted 0600 token file, logout."""

from __future__ import annotations

import json
import stat
import threading
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fake_youtube import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, FakeYouTube

from aifilm.publish.youtube import (
    CredentialsError,
    TokenStore,
    VideoMetadata,
    YouTubeCredentials,
    YouTubeSettings,
    login,
    logout,
    publish,
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def no_env_credentials(youtube_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN"):
        monkeypatch.delenv(f"AIFILM_YOUTUBE_{key}")


def test_token_file_is_encrypted_and_private(no_env_credentials: None) -> None:
    store = TokenStore()
    path = store.save(YouTubeCredentials(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN))
    raw = path.read_bytes()
    assert REFRESH_TOKEN.encode() not in raw and CLIENT_SECRET.encode() not in raw
    assert _mode(path) == 0o600 and _mode(store.key_path) == 0o600
    loaded = YouTubeCredentials.from_settings()
    assert loaded.refresh_token == REFRESH_TOKEN and loaded.source == str(path)
    assert REFRESH_TOKEN not in repr(loaded)


def test_token_file_with_a_key_from_the_environment(
    no_env_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("AIFILM_SECRET_KEY", Fernet.generate_key().decode())
    store = TokenStore()
    store.save(YouTubeCredentials(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN))
    assert not store.key_path.exists()  # no key file when the key comes from settings
    monkeypatch.setenv("AIFILM_SECRET_KEY", Fernet.generate_key().decode())
    with pytest.raises(CredentialsError, match="cannot be decrypted with this key"):
        YouTubeCredentials.from_settings()
    monkeypatch.setenv("AIFILM_SECRET_KEY", "hunter2")
    with pytest.raises(CredentialsError, match="not a Fernet key"):
        YouTubeCredentials.from_settings()


def _browser(monkeypatch: pytest.MonkeyPatch, seen: list[str]) -> None:
    """A 'browser' that consents at once: it follows the redirect with a code."""

    class Browser:
        def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
            seen.append(url)
            query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
            back = (
                query["redirect_uri"]
                + "?"
                + urlencode(
                    {"code": "fake-auth-code", "state": query["state"], "scope": query["scope"]}
                )
            )
            threading.Thread(target=lambda: urllib.request.urlopen(back).read()).start()
            return True

    monkeypatch.setattr("webbrowser.get", lambda *a, **k: Browser())


def test_login_then_publish_then_logout(
    fake: FakeYouTube,
    no_env_credentials: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is http
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(
        json.dumps({"installed": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}})
    )
    seen: list[str] = []
    _browser(monkeypatch, seen)
    credentials, path = login(client_secrets=secrets)
    query = parse_qs(urlsplit(seen[0]).query)
    assert seen[0].startswith(f"{fake.url}/auth?")
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert set(query["scope"][0].split()) == {
        "https://www.googleapis.com/auth/youtube.upload",
        "https://www.googleapis.com/auth/youtube",
        "https://www.googleapis.com/auth/youtube.force-ssl",
    }
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert credentials.refresh_token == REFRESH_TOKEN and _mode(path) == 0o600

    (tmp_path / "film.mp4").write_bytes(b"\0" * 1000)
    result = publish(tmp_path / "film.mp4", VideoMetadata(title="Crow"))
    assert result.status == "uploaded"

    assert logout() == (True, True)
    assert fake.state.revoked == [REFRESH_TOKEN] and not path.exists()
    assert logout() == (False, False)
    with pytest.raises(CredentialsError, match="no YouTube channel is connected"):
        YouTubeCredentials.from_settings(YouTubeSettings())
