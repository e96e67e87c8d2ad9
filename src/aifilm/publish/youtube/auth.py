"""OAuth 2.0 for a YouTube channel: credentials from the environment or an encrypted token file.

* CI: `AIFILM_YOUTUBE_CLIENT_ID`, `AIFILM_YOUTUBE_CLIENT_SECRET`, `AIFILM_YOUTUBE_REFRESH_TOKEN`.
* A person: `aifilm youtube login` runs Google's installed-app flow (a browser, a redirect to
  127.0.0.1) and keeps the refresh token in `youtube-token.enc` in the user config dir, 0600,
  encrypted with Fernet: the key is `AIFILM_SECRET_KEY`, else a generated `secret.key` (0600).

Only the refresh token is kept; google-auth fetches an access token when it has none or when
the one it has is within a few minutes of expiring, before the request that needs it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aifilm.publish.youtube.errors import CredentialsError
from aifilm.publish.youtube.settings import YouTubeSettings

if TYPE_CHECKING:
    import google.oauth2.credentials

SCOPES = (
    "https://www.googleapis.com/auth/youtube.upload",  # videos.insert
    "https://www.googleapis.com/auth/youtube",  # playlists, thumbnails
    "https://www.googleapis.com/auth/youtube.force-ssl",  # captions
)
TOKEN_FILE = "youtube-token.enc"
KEY_FILE = "secret.key"


@dataclass(frozen=True)
class YouTubeCredentials:
    """What it takes to act for one channel: the OAuth client and the channel's refresh token.

    A server keeps one per user and passes it to `publish`; nothing here reads globals.
    """

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    source: str = "given"  # "environment", the token file's path, or "given"
    # A still-valid access token (a server keeps one per channel), used until shortly
    # before `expiry` (naive UTC, as google-auth wants it) instead of refreshing at once.
    access_token: str | None = field(default=None, repr=False)
    expiry: datetime | None = None

    @classmethod
    def from_settings(cls, settings: YouTubeSettings | None = None) -> YouTubeCredentials:
        """The environment's credentials (CI) if set, else the token file; else a clear error."""
        settings = settings or YouTubeSettings()
        env = (
            settings.youtube_client_id,
            settings.youtube_client_secret,
            settings.youtube_refresh_token,
        )
        if any(env):
            client_id, secret, refresh = env
            missing = [
                name
                for name, value in zip(
                    (
                        "AIFILM_YOUTUBE_CLIENT_ID",
                        "AIFILM_YOUTUBE_CLIENT_SECRET",
                        "AIFILM_YOUTUBE_REFRESH_TOKEN",
                    ),
                    env,
                    strict=True,
                )
                if not value
            ]
            if missing or client_id is None or secret is None or refresh is None:
                raise CredentialsError(
                    f"YouTube credentials are incomplete: {', '.join(missing)} not set",
                    hint="set all three variables (see docs/publishing.md), "
                    "or unset them and run `aifilm youtube login`",
                )
            return cls(
                client_id=client_id,
                client_secret=secret.get_secret_value(),
                refresh_token=refresh.get_secret_value(),
                source="environment",
            )
        store = TokenStore(settings)
        if not store.path.exists():
            raise CredentialsError(
                "no YouTube channel is connected",
                hint="run `aifilm youtube login`, or set AIFILM_YOUTUBE_CLIENT_ID, "
                "AIFILM_YOUTUBE_CLIENT_SECRET and AIFILM_YOUTUBE_REFRESH_TOKEN (CI)",
            )
        return store.load()

    def to_google(self, settings: YouTubeSettings) -> google.oauth2.credentials.Credentials:
        """google-auth credentials that refresh themselves at the configured token endpoint."""
        from google.oauth2.credentials import Credentials

        return Credentials(  # type: ignore[no-untyped-call]
            token=self.access_token,
            expiry=self.expiry if self.access_token else None,
            refresh_token=self.refresh_token,
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_uri=settings.google_oauth_token_url,
            scopes=list(SCOPES),
        )


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, readable and writable by the owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)  # mkstemp makes 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class TokenStore:
    """The encrypted token file in the user config dir."""

    def __init__(self, settings: YouTubeSettings | None = None) -> None:
        self.settings = settings or YouTubeSettings()
        self.path = self.settings.config_dir / TOKEN_FILE
        self.key_path = self.settings.config_dir / KEY_FILE

    def _fernet(self, *, create: bool) -> Any:
        from cryptography.fernet import Fernet

        key = self.settings.secret_key
        if key is not None:
            raw = key.get_secret_value().encode()
            try:
                return Fernet(raw)
            except ValueError:
                raise CredentialsError(
                    "AIFILM_SECRET_KEY is not a Fernet key (32 url-safe base64-encoded bytes)",
                    hint='make one with: python -c "from cryptography.fernet import Fernet; '
                    'print(Fernet.generate_key().decode())"',
                ) from None
        if not self.key_path.exists():
            if not create:
                raise CredentialsError(
                    f"the key that encrypts {self.path} is missing ({self.key_path})",
                    hint="set AIFILM_SECRET_KEY to the key it was written with, "
                    "or run `aifilm youtube login` again",
                )
            _write_private(self.key_path, Fernet.generate_key())
        return Fernet(self.key_path.read_bytes().strip())

    def save(
        self, credentials: YouTubeCredentials, *, channel: dict[str, str] | None = None
    ) -> Path:
        """Encrypt and write the credentials (0600); return the file's path."""
        payload = {
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "refresh_token": credentials.refresh_token,
            "scopes": list(SCOPES),
            "channel": channel or {},
        }
        token = self._fernet(create=True).encrypt(json.dumps(payload).encode())
        _write_private(self.path, token)
        return self.path

    def read(self) -> dict[str, Any]:
        """The decrypted contents of the token file."""
        from cryptography.fernet import InvalidToken

        fernet = self._fernet(create=False)
        try:
            data: dict[str, Any] = json.loads(fernet.decrypt(self.path.read_bytes()))
        except InvalidToken:
            raise CredentialsError(
                f"{self.path} cannot be decrypted with this key",
                hint="set AIFILM_SECRET_KEY to the key it was written with, "
                "or run `aifilm youtube login` again",
            ) from None
        return data

    def load(self) -> YouTubeCredentials:
        """The stored credentials."""
        data = self.read()
        return YouTubeCredentials(
            client_id=data["client_id"],
            client_secret=data["client_secret"],
            refresh_token=data["refresh_token"],
            source=str(self.path),
        )

    def delete(self) -> bool:
        """Remove the token file; True if there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


def client_config(
    settings: YouTubeSettings, client_secrets: Path | None = None
) -> dict[str, dict[str, Any]]:
    """The installed-app client config: from a downloaded client_secret JSON, else settings."""
    if client_secrets is not None:
        try:
            data: dict[str, Any] = json.loads(client_secrets.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CredentialsError(
                f"cannot read the OAuth client file {client_secrets}: {exc}",
                hint="download it from Google Cloud console > APIs & Services > Credentials",
            ) from None
        section = data.get("installed") or data.get("web")
        if not isinstance(section, dict) or "client_id" not in section:
            raise CredentialsError(
                f"{client_secrets} is not an OAuth client file (no 'installed' client)",
                hint="create an OAuth client of type 'Desktop app' and download its JSON",
            )
        client_id, secret = section["client_id"], section.get("client_secret", "")
    else:
        client_id = settings.youtube_client_id
        secret_value = settings.youtube_client_secret
        if not client_id or secret_value is None:
            raise CredentialsError(
                "no OAuth client to log in with",
                hint="pass --client-secrets client_secret.json (a 'Desktop app' client from "
                "Google Cloud console), or set AIFILM_YOUTUBE_CLIENT_ID and "
                "AIFILM_YOUTUBE_CLIENT_SECRET",
            )
        secret = secret_value.get_secret_value()
    return {
        "installed": {
            "client_id": client_id,
            "client_secret": secret,
            "auth_uri": settings.google_oauth_auth_url,
            "token_uri": settings.google_oauth_token_url,
            "redirect_uris": ["http://127.0.0.1"],
        }
    }


def login(
    settings: YouTubeSettings | None = None,
    *,
    client_secrets: Path | None = None,
    open_browser: bool = True,
    port: int = 0,
) -> tuple[YouTubeCredentials, Path]:
    """Run the installed-app flow (browser consent, redirect to 127.0.0.1) and store the token."""
    from google_auth_oauthlib.flow import InstalledAppFlow
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    settings = settings or YouTubeSettings()
    config = client_config(settings, client_secrets)
    flow = InstalledAppFlow.from_client_config(config, scopes=list(SCOPES))
    try:
        google_creds = _consent(flow, open_browser, port)
    except OAuth2Error as exc:
        raise CredentialsError(
            f"Google refused the login: {exc.error}"
            + (f" ({exc.description})" if exc.description else ""),
            hint="check the OAuth client (a 'Desktop app' client of a project with the "
            "YouTube Data API v3 enabled) and consent to every permission asked for",
        ) from None
    refresh = getattr(google_creds, "refresh_token", None)
    if not refresh:
        raise CredentialsError(
            "Google returned no refresh token",
            hint="revoke aifilm at https://myaccount.google.com/permissions and log in again",
        )
    section = config["installed"]
    credentials = YouTubeCredentials(
        client_id=section["client_id"],
        client_secret=section["client_secret"],
        refresh_token=refresh,
    )
    path = TokenStore(settings).save(credentials)
    return credentials, path


def _consent(flow: Any, open_browser: bool, port: int) -> Any:
    """The browser consent; the redirect comes back to a one-shot server on 127.0.0.1."""
    return flow.run_local_server(
        host="127.0.0.1",
        port=port,
        open_browser=open_browser,
        access_type="offline",
        prompt="consent",  # always hand out a refresh token, even on a second login
        authorization_prompt_message="Open this address to let aifilm publish to your "
        "channel:\n{url}",
        success_message="aifilm may now publish to this channel. You can close this tab.",
    )


def revoke(credentials: YouTubeCredentials, settings: YouTubeSettings) -> bool:
    """Ask Google to revoke the refresh token (and its access tokens); True if it agreed."""
    import requests

    try:
        response = requests.post(
            settings.google_oauth_revoke_url,
            data={"token": credentials.refresh_token},
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=settings.youtube_timeout,
        )
    except requests.RequestException:
        return False
    return response.status_code == 200


def logout(settings: YouTubeSettings | None = None) -> tuple[bool, bool]:
    """Revoke the stored token and delete the file: (revoked, deleted)."""
    settings = settings or YouTubeSettings()
    store = TokenStore(settings)
    if not store.path.exists():
        return False, False
    try:
        credentials = store.load()
    except CredentialsError:
        return False, store.delete()  # unreadable: nothing to revoke with; still forget it
    revoked = revoke(credentials, settings)
    return revoked, store.delete()
