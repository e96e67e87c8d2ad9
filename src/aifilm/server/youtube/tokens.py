"""Channel tokens at rest, and what the publish package needs to act for a connected channel.

Access and refresh tokens are stored Fernet-encrypted. The key is the setting
`youtube_token_key` (several comma-separated keys: the first encrypts, all decrypt, so keys
can be rotated), else one derived from `secret_key`, so a stolen database alone reveals no
token.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from aifilm.publish.youtube import YouTubeCredentials, YouTubeSettings
from aifilm.server.config import ServerSettings
from aifilm.server.errors import Problem
from aifilm.server.models import YoutubeConnection

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet

# Refresh a stored access token this long before it expires (google-auth refreshes too, at
# request time, when it is closer than its own few-minute margin).
REFRESH_MARGIN_S = 300


def token_keys(settings: ServerSettings) -> list[bytes]:
    """The Fernet keys, newest first."""
    given = [k.strip() for k in (settings.youtube_token_key or "").split(",") if k.strip()]
    if given:
        return [k.encode() for k in given]
    digest = hashlib.sha256(b"aifilm youtube tokens\0" + settings.secret_key.encode()).digest()
    return [base64.urlsafe_b64encode(digest)]


def cipher(settings: ServerSettings) -> MultiFernet:
    """The cipher for channel tokens."""
    from cryptography.fernet import Fernet, MultiFernet

    return MultiFernet([Fernet(key) for key in token_keys(settings)])


def encrypt(settings: ServerSettings, text: str) -> str:
    """`text` encrypted with the newest key."""
    return cipher(settings).encrypt(text.encode()).decode()


class TokenUnreadable(Exception):
    """A stored token cannot be decrypted with the configured keys."""


def decrypt(settings: ServerSettings, token: str) -> str:
    """The plain text of a stored token."""
    from cryptography.fernet import InvalidToken

    try:
        return cipher(settings).decrypt(token.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable(
            "the stored YouTube tokens cannot be decrypted with AIFILM_SERVER_YOUTUBE_TOKEN_KEY"
        ) from None


def youtube_settings(settings: ServerSettings) -> YouTubeSettings:
    """The publish package's settings: the server's endpoints where set, else its own
    (AIFILM_YOUTUBE_API_BASE, AIFILM_GOOGLE_OAUTH_*, else Google's). The server counts quota
    in the database (`quota.DatabaseQuotaLedger`), not in the data dir."""
    overrides: dict[str, Any] = {
        name: value
        for name in (
            "youtube_api_base",
            "google_oauth_auth_url",
            "google_oauth_token_url",
            "google_oauth_revoke_url",
        )
        if (value := getattr(settings, name)) is not None
    }
    return YouTubeSettings(data_dir=settings.data_dir / "youtube", **overrides)


def oauth_client(settings: ServerSettings) -> tuple[str, str]:
    """The server's OAuth client (id, secret), or a 503 problem saying what to set."""
    if not settings.youtube_client_id or not settings.youtube_client_secret:
        raise Problem(
            503,
            "YouTube publishing is not configured on this server: set "
            "AIFILM_SERVER_YOUTUBE_CLIENT_ID and AIFILM_SERVER_YOUTUBE_CLIENT_SECRET (an OAuth "
            "client of type 'Web application'; see docs/server.md#youtube)",
            title="YouTube not configured",
        )
    return settings.youtube_client_id, settings.youtube_client_secret


def _naive_utc(when: datetime) -> datetime:
    return when.astimezone(timezone.utc).replace(tzinfo=None)


def credentials_for(settings: ServerSettings, connection: YoutubeConnection) -> YouTubeCredentials:
    """The channel's credentials, with its stored access token while that is fresh."""
    client_id, secret = oauth_client(settings)
    expires = connection.expires_at
    fresh = (expires - datetime.now(timezone.utc)).total_seconds() > REFRESH_MARGIN_S
    return YouTubeCredentials(
        client_id=client_id,
        client_secret=secret,
        refresh_token=decrypt(settings, connection.refresh_token),
        source=f"youtube connection {connection.id}",
        access_token=decrypt(settings, connection.access_token) if fresh else None,
        expiry=_naive_utc(expires) if fresh else None,
    )


def store_tokens(
    settings: ServerSettings,
    connection: YoutubeConnection,
    access_token: str | None,
    expiry: datetime | None,
    refresh_token: str | None = None,
) -> bool:
    """Keep a new access token (and a new refresh token, if Google rotated it); True if
    anything changed. `expiry` may be naive UTC, as google-auth gives it."""
    changed = False
    if access_token and expiry is not None:
        when = expiry if expiry.tzinfo else expiry.replace(tzinfo=timezone.utc)
        if when != connection.expires_at or access_token != decrypt(
            settings, connection.access_token
        ):
            connection.access_token = encrypt(settings, access_token)
            connection.expires_at = when
            changed = True
    if refresh_token and refresh_token != decrypt(settings, connection.refresh_token):
        connection.refresh_token = encrypt(settings, refresh_token)
        changed = True
    return changed


def google_tokens(client: Any) -> tuple[str | None, datetime | None, str | None]:
    """(access token, expiry, refresh token) a `YouTubeClient` holds now."""
    creds = client.session.credentials
    return creds.token, creds.expiry, creds.refresh_token
