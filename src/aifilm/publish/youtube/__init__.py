"""YouTube publishing: OAuth for a channel, resumable uploads, captions, playlists, quota.

Nothing here reads global state at import or prints: a CLI, a CI job or a server passes
`YouTubeCredentials` (one per channel) and `YouTubeSettings` and gets a `PublishResult`.

    from aifilm.publish.youtube import VideoMetadata, YouTubeCredentials, publish
    result = publish(
        "renders/render-report.json",
        VideoMetadata(title="The Thirsty Crow", privacy="unlisted", tags=["fable"]),
        YouTubeCredentials.from_settings(),  # env (CI) or the `aifilm youtube login` token
        playlist="Fables",
        create_playlist=True,
        progress=print,
    )
"""

from __future__ import annotations

from aifilm.publish.youtube.auth import SCOPES, TokenStore, YouTubeCredentials, login, logout
from aifilm.publish.youtube.client import YouTubeClient
from aifilm.publish.youtube.errors import (
    CredentialsError,
    MetadataError,
    QuotaError,
    YouTubeRequestError,
    YouTubeServiceError,
)
from aifilm.publish.youtube.metadata import VideoMetadata, parse_publish_at
from aifilm.publish.youtube.publish import PublishResult, publish
from aifilm.publish.youtube.quota import COSTS, QuotaLedger
from aifilm.publish.youtube.settings import YouTubeSettings
from aifilm.publish.youtube.upload import ResumableUploader

__all__ = [
    "COSTS",
    "SCOPES",
    "CredentialsError",
    "MetadataError",
    "PublishResult",
    "QuotaError",
    "QuotaLedger",
    "ResumableUploader",
    "TokenStore",
    "VideoMetadata",
    "YouTubeClient",
    "YouTubeCredentials",
    "YouTubeRequestError",
    "YouTubeServiceError",
    "YouTubeSettings",
    "login",
    "logout",
    "parse_publish_at",
    "publish",
]
