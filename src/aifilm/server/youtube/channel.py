"""A YouTube client for a user's connected channel, for the calls made inside a request
(playlists, video updates): quota charged to the database ledger, YouTube's refusals turned
into problems, a refreshed token kept, refused credentials marking the connection for
re-authorization."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from aifilm.publish.youtube import (
    CredentialsError,
    QuotaError,
    YouTubeClient,
    YouTubeRequestError,
    YouTubeServiceError,
)
from aifilm.server.errors import Conflict, Problem
from aifilm.server.models import User, YoutubeConnection
from aifilm.server.state import ServerState
from aifilm.server.youtube import queue
from aifilm.server.youtube.quota import DatabaseQuotaLedger
from aifilm.server.youtube.tokens import (
    TokenUnreadable,
    credentials_for,
    google_tokens,
    store_tokens,
    youtube_settings,
)


@contextmanager
def channel_client(
    session: Session, state: ServerState, user: User, channel_id: str | None = None
) -> Iterator[YouTubeClient]:
    """A client for the user's channel (which must be `channel_id` when given). No
    transaction stays open while YouTube answers: the ledger writes in its own."""
    settings = state.settings
    queue.require_plan(user)
    connection = queue.usable_connection(session, user.id)
    if channel_id is not None and connection.channel_id != channel_id:
        raise Conflict(
            f"the video is on channel {channel_id}, but channel {connection.channel_id} is "
            "connected now: connect that channel again at GET /api/youtube/auth"
        )
    try:
        credentials = credentials_for(settings, connection)
    except TokenUnreadable as exc:
        _reauth(session, connection, str(exc))
        raise Conflict(f"{exc}: connect the channel again", needs_reauth=True) from None
    session.commit()
    endpoints = youtube_settings(settings)
    ledger = DatabaseQuotaLedger(state.sessions, credentials.client_id, endpoints)
    client = YouTubeClient(credentials, endpoints, ledger=ledger)
    try:
        yield client
    except CredentialsError as exc:
        _reauth(session, connection, str(exc))
        raise Conflict(
            f"{exc}: connect the channel again at GET /api/youtube/auth", needs_reauth=True
        ) from None
    except QuotaError as exc:
        raise Problem(429, f"{exc} ({exc.hint})", title="YouTube quota exceeded") from None
    except YouTubeRequestError as exc:
        hint = f" (fix: {exc.hint})" if exc.hint else ""
        raise Problem(422, f"{exc}{hint}", title="YouTube refused the request") from None
    except YouTubeServiceError as exc:
        raise Problem(502, str(exc), title="YouTube unavailable") from None
    finally:
        client.close()
    row = session.get(YoutubeConnection, connection.id, with_for_update=True)
    if row is not None and store_tokens(settings, row, *google_tokens(client)):
        session.commit()


def _reauth(session: Session, connection: YoutubeConnection, error: str) -> None:
    row = session.get(YoutubeConnection, connection.id, with_for_update=True)
    if row is not None:
        row.status, row.last_error = "reauth", error[:2000]
    session.commit()
