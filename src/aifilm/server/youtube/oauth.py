"""Connecting a channel: Google's OAuth 2.0 web flow, and disconnecting.

`start` makes the consent URL (offline access for a refresh token, PKCE S256) and stores the
request: the state's hash, the user it belongs to and the code verifier, usable once within
`STATE_TTL_S`. Google sends the browser to the redirect URI with `code` and `state`; `finish`
finds the request by the state (so the callback needs no sign-in and nobody else's consent can
land on this account), exchanges the code at the token endpoint with google-auth-oauthlib,
reads the channel, and stores the tokens encrypted. `disconnect` revokes the refresh token at
Google and forgets the channel.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta, timezone
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aifilm.publish.youtube import SCOPES, QuotaLedger, YouTubeClient, YouTubeCredentials
from aifilm.publish.youtube.auth import revoke
from aifilm.publish.youtube.errors import CredentialsError, YouTubeRequestError
from aifilm.server.config import ServerSettings
from aifilm.server.errors import Problem
from aifilm.server.models import YoutubeAuthRequest, YoutubeConnection, utcnow
from aifilm.server.youtube.tokens import (
    credentials_for,
    decrypt,
    encrypt,
    oauth_client,
    youtube_settings,
)

STATE_TTL_S = 600
log = logging.getLogger("aifilm.server.youtube")
UPLOAD_SCOPE = "https://www.googleapis.com/auth/youtube.upload"


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _flow(settings: ServerSettings, redirect_uri: str, code_verifier: str | None = None) -> Any:
    from google_auth_oauthlib.flow import Flow

    client_id, secret = oauth_client(settings)
    endpoints = youtube_settings(settings)
    config = {
        "web": {
            "client_id": client_id,
            "client_secret": secret,
            "auth_uri": endpoints.google_oauth_auth_url,
            "token_uri": endpoints.google_oauth_token_url,
            "redirect_uris": [redirect_uri],
        }
    }
    return Flow.from_client_config(
        config,
        scopes=list(SCOPES),
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
        autogenerate_code_verifier=code_verifier is None,
    )


def start(
    session: Session, settings: ServerSettings, user_id: Any, redirect_uri: str
) -> tuple[str, str]:
    """(consent URL, state) for the user; the request is kept for the callback."""
    flow = _flow(settings, redirect_uri)
    state = secrets.token_urlsafe(32)
    url, _ = flow.authorization_url(
        access_type="offline",  # a refresh token, to upload while the user is away
        prompt="consent",  # a refresh token on every connect, not only the first
        include_granted_scopes="true",
        state=state,
    )
    now = utcnow()
    session.execute(
        delete(YoutubeAuthRequest).where(
            (YoutubeAuthRequest.user_id == user_id) & (YoutubeAuthRequest.expires_at < now)
        )
    )
    session.add(
        YoutubeAuthRequest(
            user_id=user_id,
            state_hash=_state_hash(state),
            code_verifier=encrypt(settings, flow.code_verifier),
            redirect_uri=redirect_uri,
            expires_at=now + timedelta(seconds=STATE_TTL_S),
        )
    )
    return str(url), state


def take_request(session: Session, state: str) -> YoutubeAuthRequest:
    """The consent request `state` names, removed (a state works once)."""
    request = session.scalars(
        select(YoutubeAuthRequest).where(YoutubeAuthRequest.state_hash == _state_hash(state))
    ).first()
    if request is None:
        raise Problem(
            400,
            "this consent's state is unknown or was already used; start again at "
            "GET /api/youtube/auth",
            title="Bad OAuth state",
        )
    session.delete(request)
    if request.expires_at < utcnow():
        raise Problem(
            400,
            f"this consent is older than {STATE_TTL_S // 60} minutes; start again at "
            "GET /api/youtube/auth",
            title="Bad OAuth state",
        )
    return request


def finish(
    session: Session,
    settings: ServerSettings,
    request: YoutubeAuthRequest,
    code: str,
    ledger: QuotaLedger | None = None,
) -> YoutubeConnection:
    """Exchange the code, read the channel (charged to `ledger`), store the connection
    (replacing an old one)."""
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error
    from requests import RequestException

    endpoints = youtube_settings(settings)
    flow = _flow(settings, request.redirect_uri, decrypt(settings, request.code_verifier))
    try:
        flow.fetch_token(code=code, timeout=endpoints.youtube_timeout)
    except OAuth2Error as exc:
        raise Problem(
            400,
            f"Google refused the authorization code: {exc.error}"
            + (f" ({exc.description})" if exc.description else "")
            + "; start again at GET /api/youtube/auth",
            title="YouTube connection refused",
        ) from None
    except RequestException as exc:
        raise Problem(
            502, f"could not reach Google's token endpoint: {exc}", title="Google unreachable"
        ) from None
    google = flow.credentials
    scope = flow.oauth2session.token.get("scope") or []
    granted = set(scope.split() if isinstance(scope, str) else scope)
    if granted and UPLOAD_SCOPE not in granted:
        raise Problem(
            400,
            "the consent did not allow uploading videos; connect again and leave every "
            "permission ticked",
            title="YouTube connection refused",
        )
    if not google.refresh_token:
        raise Problem(
            400,
            "Google returned no refresh token; remove aifilm at "
            "https://myaccount.google.com/permissions and connect again",
            title="YouTube connection refused",
        )
    client_id, secret = oauth_client(settings)
    credentials = YouTubeCredentials(
        client_id=client_id,
        client_secret=secret,
        refresh_token=google.refresh_token,
        access_token=google.token,
        expiry=google.expiry,
    )
    try:
        with YouTubeClient(credentials, endpoints, ledger=ledger) as client:
            channel = client.channel()
    except YouTubeRequestError as exc:
        raise Problem(400, f"{exc} ({exc.hint})" if exc.hint else str(exc)) from None
    except CredentialsError as exc:
        raise Problem(400, str(exc), title="YouTube connection refused") from None
    connection = session.scalars(
        select(YoutubeConnection).where(YoutubeConnection.user_id == request.user_id)
    ).first()
    if connection is None:
        connection = YoutubeConnection(user_id=request.user_id)
        session.add(connection)
    connection.channel_id = str(channel["id"])
    connection.channel_title = str(channel.get("snippet", {}).get("title", ""))[:255]
    connection.access_token = encrypt(settings, google.token)
    connection.refresh_token = encrypt(settings, google.refresh_token)
    connection.expires_at = (
        google.expiry.replace(tzinfo=timezone.utc) if google.expiry else utcnow()
    )
    connection.scopes = " ".join(sorted(granted or SCOPES))
    connection.status, connection.last_error = "active", None
    session.flush()
    return connection


def disconnect(settings: ServerSettings, connection: YoutubeConnection) -> bool:
    """Revoke the channel's refresh token at Google; True if Google agreed."""
    try:
        credentials = credentials_for(settings, connection)
    except Exception:  # unreadable tokens: nothing to revoke with; still forget them
        return False
    return revoke(credentials, youtube_settings(settings))


def revoke_quietly(settings: ServerSettings, connection: YoutubeConnection) -> bool:
    """Revoke the channel's token at Google as its account goes; True if Google agreed.

    Never raises: an account is deleted even when Google cannot be reached; the failure is
    logged so the token can be revoked by hand (https://myaccount.google.com/permissions).
    """
    try:
        revoked = disconnect(settings, connection)
    except Exception:  # the deletion must go on whatever happens here
        log.warning("revoking the YouTube token failed", exc_info=True)
        revoked = False
    if not revoked:
        log.warning(
            "Google did not confirm the revocation of the YouTube token of channel %s "
            "(user %s, account being deleted); the user can remove aifilm at "
            "https://myaccount.google.com/permissions",
            connection.channel_id,
            connection.user_id,
        )
    return revoked
