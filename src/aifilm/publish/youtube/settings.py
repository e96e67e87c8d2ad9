"""Settings for YouTube publishing: `AIFILM_*` environment variables > config.toml > defaults.

The endpoints are settings so that tests (and proxies) can point the client at
another host; the defaults are Google's real services.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator

from aifilm.settings import Settings, user_config_file

# YouTube wants every chunk but the last to be a multiple of 256 KiB.
CHUNK_GRANULE = 256 * 1024


class YouTubeSettings(Settings):
    """Where YouTube and Google's OAuth live, the credentials for CI, and upload tuning."""

    youtube_api_base: str = Field(
        "https://youtube.googleapis.com",
        description="Host of the YouTube Data API and its upload endpoints.",
    )
    google_oauth_token_url: str = Field(
        "https://oauth2.googleapis.com/token", description="OAuth 2.0 token endpoint."
    )
    google_oauth_auth_url: str = Field(
        "https://accounts.google.com/o/oauth2/auth", description="OAuth 2.0 consent page."
    )
    google_oauth_revoke_url: str = Field(
        "https://oauth2.googleapis.com/revoke", description="OAuth 2.0 revocation endpoint."
    )
    youtube_client_id: str | None = Field(None, description="OAuth client ID (CI).")
    youtube_client_secret: SecretStr | None = Field(None, description="OAuth client secret (CI).")
    youtube_refresh_token: SecretStr | None = Field(None, description="Refresh token (CI).")
    secret_key: SecretStr | None = Field(
        None, description="Fernet key that encrypts the stored token (else a generated key file)."
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("aifilm")),
        description="Where the quota ledger and the record of published films live.",
    )
    youtube_chunk_size: int = Field(
        8 * 1024 * 1024, description="Upload chunk in bytes (a multiple of 256 KiB)."
    )
    youtube_daily_quota: int = Field(
        10_000, ge=1, description="Daily quota units of the Google Cloud project."
    )
    youtube_legacy_quota: bool = Field(
        False,
        description="Count videos.insert as 1600 units and search.list as 100 units of the "
        "daily quota (projects on the pre-2025 allocation) instead of in their own buckets.",
    )
    youtube_max_retries: int = Field(
        8, ge=0, description="Retries of a failing request (5xx, dropped connection)."
    )
    youtube_retry_delay: float = Field(
        1.0, ge=0, description="First wait before a retry, in seconds; doubles each time."
    )
    youtube_timeout: float = Field(120.0, gt=0, description="Seconds to wait for an answer.")

    @field_validator("youtube_chunk_size")
    @classmethod
    def _chunk_multiple(cls, value: int) -> int:
        if value <= 0 or value % CHUNK_GRANULE:
            raise ValueError(
                f"youtube_chunk_size must be a positive multiple of {CHUNK_GRANULE} "
                f"(256 KiB), got {value}"
            )
        return value

    @property
    def config_dir(self) -> Path:
        """The user config dir (beside config.toml): the token file and key file live here."""
        return user_config_file().parent

    def api_root(self) -> str:
        """The API base with exactly one trailing slash."""
        return self.youtube_api_base.rstrip("/") + "/"
