"""The YouTube Data API v3 client: quota-counted calls, clear errors, one authorized session.

The API surface comes from the discovery document shipped beside this file (a copy of the
one in google-api-python-client, cut down to the methods aifilm calls) with its root URL
replaced by `AIFILM_YOUTUBE_API_BASE`, so nothing is fetched to build the client. Every
request, the API's and the upload's, goes through one `AuthorizedSession`: it adds the
access token, refreshes it before it expires, and on a 401 refreshes once and tries again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import requests

from aifilm.publish.youtube.auth import YouTubeCredentials
from aifilm.publish.youtube.errors import (
    CredentialsError,
    QuotaError,
    YouTubeRequestError,
    YouTubeServiceError,
)
from aifilm.publish.youtube.quota import QuotaLedger, until_reset
from aifilm.publish.youtube.settings import YouTubeSettings
from aifilm.publish.youtube.upload import (
    CONNECTION_ERRORS,
    RETRY_STATUSES,
    ResumableUploader,
    UploadProgress,
)

QUOTA_REASONS = frozenset({"quotaExceeded", "dailyLimitExceeded"})
SCOPE_REASONS = frozenset(
    {"insufficientPermissions", "forbidden", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
)
# What to do about YouTube's commonest refusals.
HINTS = {
    "youtubeSignupRequired": "the Google account has no YouTube channel: create one at "
    "https://www.youtube.com/create_channel",
    "invalidTitle": "use a non-empty title of at most 100 characters without < or >",
    "invalidDescription": "keep the description under 5000 bytes, without < or >",
    "invalidTags": "keep tags under 500 characters in all",
    "invalidCategoryId": "use a category that exists in the video's region (e.g. 1, 22, 24)",
    "invalidPublishAt": "publishAt needs privacy 'private' and a future time",
    "uploadLimitExceeded": "the channel has reached its daily upload limit; try tomorrow",
    "playlistNotFound": "check the playlist's ID with `aifilm youtube playlists`",
    "videoNotFound": "the video may still be processing or was deleted",
    "maxPlaylistExceeded": "the channel has too many playlists; add to an existing one",
}


@cache
def discovery_document() -> dict[str, Any]:
    """The shipped YouTube Data API v3 discovery document."""
    text = resources.files(__package__).joinpath("youtube.v3.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def error_details(status: int, content: bytes | str) -> tuple[str | None, str]:
    """(reason, message) from a Google JSON error body (or the raw text)."""
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    try:
        body = json.loads(text)
    except ValueError:
        return None, text.strip()[:300] or f"HTTP {status}"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        errors = error.get("errors") or [{}]
        reason = errors[0].get("reason") or error.get("status")
        return reason, str(error.get("message") or reason or f"HTTP {status}")
    if isinstance(error, str):  # OAuth endpoints: {"error": "invalid_grant", ...}
        return error, str(body.get("error_description") or error)
    return None, text.strip()[:300]


def api_error(
    method: str, status: int, content: bytes | str, ledger: QuotaLedger | None
) -> Exception:
    """The aifilm error for YouTube's answer `status` to `method`."""
    reason, message = error_details(status, content)
    where = f"{method}: YouTube answered {status}"
    if status == 403 and reason in QUOTA_REASONS:
        if ledger is not None:
            ledger.exhaust(method)
        return QuotaError(
            f"{where} ({reason}): the project's daily YouTube quota is used up",
            hint=f"it resets at midnight Pacific time (in about "
            f"{int(until_reset().total_seconds() // 3600)} h); or ask Google for more "
            "quota (docs/publishing.md#quota)",
            status=status,
            reason=reason,
        )
    if status == 401:
        return CredentialsError(
            f"{where} ({reason or 'unauthorized'}) even after refreshing the access token: "
            f"{message}",
            hint="the channel's authorization was probably revoked: run `aifilm youtube login` "
            "again, or renew AIFILM_YOUTUBE_REFRESH_TOKEN",
            status=status,
            reason=reason,
        )
    if status == 403 and reason in SCOPE_REASONS:
        return CredentialsError(
            f"{where} ({reason}): {message}",
            hint="log in again and grant every permission asked for (upload, manage, captions)",
            status=status,
            reason=reason,
        )
    if 400 <= status < 500:
        return YouTubeRequestError(
            f"{where} ({reason or 'error'}): {message}",
            status=status,
            reason=reason,
            hint=HINTS.get(reason or ""),
        )
    return YouTubeServiceError(
        f"{where} ({reason or 'error'}): {message}", status=status, reason=reason
    )


class _Http:
    """The httplib2-shaped object googleapiclient calls, over a requests session."""

    def __init__(self, session: requests.Session, timeout: float) -> None:
        self.session = session
        self.timeout = timeout

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        redirections: int = 5,
        connection_type: Any = None,
    ) -> tuple[Any, bytes]:
        import httplib2

        try:
            response = self.session.request(
                method, uri, data=body, headers=headers, timeout=self.timeout
            )
        except CONNECTION_ERRORS as exc:
            raise ConnectionError(str(exc)) from exc
        info = {key.lower(): value for key, value in response.headers.items()}
        info["status"] = str(response.status_code)
        return httplib2.Response(info), response.content

    def close(self) -> None:
        """googleapiclient closes its http when a resource is closed; the session stays."""


class YouTubeClient:
    """One channel's YouTube Data API, with each call counted in the quota ledger."""

    def __init__(
        self,
        credentials: YouTubeCredentials,
        settings: YouTubeSettings | None = None,
        *,
        ledger: QuotaLedger | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from google.auth.transport.requests import AuthorizedSession
        from googleapiclient.discovery import build_from_document

        self.settings = settings or YouTubeSettings()
        self.credentials = credentials
        self.ledger = ledger or QuotaLedger(credentials.client_id, self.settings)
        self.sleep = sleep
        self.session = AuthorizedSession(  # type: ignore[no-untyped-call]
            credentials.to_google(self.settings), max_refresh_attempts=1
        )
        doc = dict(discovery_document())
        root = self.settings.api_root()
        doc["rootUrl"] = doc["baseUrl"] = root
        doc["mtlsRootUrl"] = root
        self.api: Any = build_from_document(
            doc, http=_Http(self.session, self.settings.youtube_timeout)
        )

    def close(self) -> None:
        """Close the connections."""
        self.session.close()  # type: ignore[no-untyped-call]

    def __enter__(self) -> YouTubeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, method: str, make: Callable[[Any], Any]) -> dict[str, Any]:
        """Charge `method` to the ledger, run the request `make(api)` builds, map its errors.

        5xx, 429 and dropped connections are retried with exponential backoff; each try is
        charged, as YouTube charges every request, failed ones included.
        """
        from google.auth.exceptions import RefreshError, TransportError
        from googleapiclient.errors import HttpError

        failures = 0
        while True:
            self.ledger.charge(method)
            problem: str
            try:
                result: dict[str, Any] = make(self.api).execute()
                return result
            except HttpError as exc:
                status = int(exc.resp.status)
                if status not in RETRY_STATUSES:
                    raise api_error(method, status, exc.content, self.ledger) from None
                problem = f"YouTube answered {status}"
            except RefreshError as exc:
                raise self.refresh_error(exc) from None
            except (ConnectionError, TransportError) as exc:
                problem = f"connection lost ({exc})"
            failures += 1
            if failures > self.settings.youtube_max_retries:
                raise YouTubeServiceError(f"{method} failed {failures} times: {problem}")
            self.sleep(self.settings.youtube_retry_delay * 2 ** (failures - 1))

    def refresh_error(self, exc: Exception) -> CredentialsError:
        """Google refused to refresh the access token."""
        detail = exc.args[0] if exc.args else str(exc)
        return CredentialsError(
            f"Google refused to refresh the YouTube access token: {detail}",
            hint="the refresh token was revoked or has expired: run `aifilm youtube login` "
            "again, or renew AIFILM_YOUTUBE_REFRESH_TOKEN",
            status=400,
            reason="invalid_grant",
        )

    # -- the calls aifilm makes ---------------------------------------------------------------

    def channel(self) -> dict[str, Any]:
        """The authorized channel (snippet and uploads playlist)."""
        answer = self.call(
            "channels.list",
            lambda api: api.channels().list(part="snippet,contentDetails", mine=True),
        )
        items = answer.get("items") or []
        if not items:
            raise YouTubeRequestError(
                "the Google account has no YouTube channel",
                status=200,
                reason="youtubeSignupRequired",
                hint=HINTS["youtubeSignupRequired"],
            )
        channel: dict[str, Any] = items[0]
        return channel

    def _pages(
        self, method: str, make: Callable[[Any, str | None], Any], limit: int
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        for _ in range(limit):
            answer = self.call(method, lambda api, token=token: make(api, token))  # type: ignore[misc]
            yield from answer.get("items") or []
            token = answer.get("nextPageToken")
            if not token:
                return

    def playlists(self, *, max_pages: int = 20) -> list[dict[str, Any]]:
        """The channel's playlists (50 a page, 1 unit a page)."""
        return list(
            self._pages(
                "playlists.list",
                lambda api, token: api.playlists().list(
                    part="snippet,status,contentDetails", mine=True, maxResults=50, pageToken=token
                ),
                max_pages,
            )
        )

    def find_playlist(self, name_or_id: str) -> dict[str, Any] | None:
        """The playlist with this ID or, failing that, this exact title."""
        lists = self.playlists()
        for playlist in lists:
            if playlist.get("id") == name_or_id:
                return playlist
        for playlist in lists:
            if playlist.get("snippet", {}).get("title") == name_or_id:
                return playlist
        return None

    def create_playlist(self, title: str, privacy: str) -> dict[str, Any]:
        """A new playlist."""
        body = {"snippet": {"title": title}, "status": {"privacyStatus": privacy}}
        return self.call(
            "playlists.insert",
            lambda api: api.playlists().insert(part="snippet,status", body=body),
        )

    def add_to_playlist(self, playlist_id: str, video_id: str) -> dict[str, Any]:
        """Put the video at the end of the playlist."""
        body = {
            "snippet": {
                "playlistId": playlist_id,
                "resourceId": {"kind": "youtube#video", "videoId": video_id},
            }
        }
        return self.call(
            "playlistItems.insert",
            lambda api: api.playlistItems().insert(part="snippet", body=body),
        )

    def set_thumbnail(self, video_id: str, image: bytes, mimetype: str) -> dict[str, Any]:
        """The video's custom thumbnail (a JPEG or PNG of at most 2 MB)."""
        from googleapiclient.http import MediaInMemoryUpload

        media = MediaInMemoryUpload(image, mimetype=mimetype, resumable=False)
        return self.call(
            "thumbnails.set",
            lambda api: api.thumbnails().set(videoId=video_id, media_body=media),
        )

    def insert_caption(
        self, video_id: str, language: str, name: str, data: bytes
    ) -> dict[str, Any]:
        """A caption track (SRT or VTT) in `language`, published (not a draft)."""
        from googleapiclient.http import MediaInMemoryUpload

        body = {
            "snippet": {"videoId": video_id, "language": language, "name": name, "isDraft": False}
        }
        media = MediaInMemoryUpload(data, mimetype="application/octet-stream", resumable=False)
        return self.call(
            "captions.insert",
            lambda api: api.captions().insert(part="snippet", body=body, media_body=media),
        )

    def video(self, video_id: str) -> dict[str, Any] | None:
        """The video's snippet and status, or None when the channel has no such video."""
        answer = self.call(
            "videos.list", lambda api: api.videos().list(part="snippet,status", id=video_id)
        )
        items = answer.get("items") or []
        return dict(items[0]) if items else None

    def update_video(self, video_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Replace the parts of the video that `body` holds (snippet, status): YouTube resets
        whatever such a part leaves out, so send each part whole."""
        parts = ",".join(sorted(key for key in body if key in ("snippet", "status")))
        resource = {"id": video_id, **body}
        return self.call(
            "videos.update", lambda api: api.videos().update(part=parts, body=resource)
        )

    def find_upload(
        self, marker: str, *, channel: dict[str, Any] | None = None, max_pages: int = 20
    ) -> dict[str, Any] | None:
        """The channel's upload whose description holds `marker` (newest 1000 by default).

        Reads the uploads playlist (1 unit a page of 50) rather than search.list (100 units,
        and its index lags behind uploads and leaves out private videos).
        """
        channel = channel or self.channel()
        uploads = channel.get("contentDetails", {}).get("relatedPlaylists", {}).get("uploads")
        if not uploads:
            return None
        for item in self._pages(
            "playlistItems.list",
            lambda api, token: api.playlistItems().list(
                part="snippet,status", playlistId=uploads, maxResults=50, pageToken=token
            ),
            max_pages,
        ):
            snippet = item.get("snippet", {})
            if marker in (snippet.get("description") or ""):
                return item
        return None

    def uploader(self) -> ResumableUploader:
        """A resumable uploader over this client's session, with its errors mapped."""
        return ResumableUploader(
            self.session,
            chunk_size=self.settings.youtube_chunk_size,
            max_retries=self.settings.youtube_max_retries,
            retry_delay=self.settings.youtube_retry_delay,
            timeout=self.settings.youtube_timeout,
            sleep=self.sleep,
            on_failure=lambda r: api_error("videos.insert", r.status_code, r.content, self.ledger),
        )

    def upload_url(self, parts: str, *, notify_subscribers: bool = True) -> str:
        """Where a resumable videos.insert starts."""
        url = f"{self.settings.api_root()}upload/youtube/v3/videos?uploadType=resumable"
        return url + f"&part={parts}" + ("" if notify_subscribers else "&notifySubscribers=false")

    def upload_video(
        self,
        path: Path,
        body: dict[str, Any],
        *,
        content_type: str = "video/mp4",
        progress: UploadProgress | None = None,
        session_uri: str | None = None,
        on_session: Callable[[str], object] | None = None,
        uploader: ResumableUploader | None = None,
        notify_subscribers: bool = True,
    ) -> dict[str, Any]:
        """Upload the file with `body` as its resource; continue `session_uri` if given."""
        from google.auth.exceptions import RefreshError

        from aifilm.publish.youtube.upload import SessionExpired

        uploader = uploader or self.uploader()
        total = path.stat().st_size
        parts = ",".join(
            sorted(
                key
                for key in body
                if key in ("snippet", "status", "recordingDetails", "localizations")
            )
        )
        try:
            if session_uri is not None:
                try:
                    return self._checked(
                        uploader.send(session_uri, path, total, progress=progress, resume=True)
                    )
                except SessionExpired:
                    pass  # a week old or cancelled: start over below
            self.ledger.charge("videos.insert")
            url = self.upload_url(parts, notify_subscribers=notify_subscribers)
            session_uri = uploader.start(url, body, total, content_type)
            if on_session is not None:
                on_session(session_uri)
            return self._checked(uploader.send(session_uri, path, total, progress=progress))
        except SessionExpired as exc:
            raise YouTubeServiceError(
                f"YouTube dropped the upload session ({exc.args[0]}) during the upload",
                status=int(exc.args[0]),
            ) from None
        except RefreshError as exc:
            raise self.refresh_error(exc) from None

    @staticmethod
    def _checked(resource: dict[str, Any]) -> dict[str, Any]:
        if not resource.get("id"):
            raise YouTubeServiceError(
                f"YouTube finished the upload without a video ID: {json.dumps(resource)[:300]}"
            )
        return resource
