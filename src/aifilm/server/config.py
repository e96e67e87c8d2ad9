"""Server settings: `AIFILM_SERVER_*` environment variables > settings file > defaults.

The settings file is TOML, named by `AIFILM_SERVER_CONFIG` (default `server.toml` in the
user config dir). The app never builds settings at import: `create_app(settings)` takes
them, and routes read them through the `SettingsDep` dependency.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_SECRET = "change-me"  # refused in production


def server_config_file() -> Path:
    """Where the server's optional TOML settings file lives."""
    override = os.environ.get("AIFILM_SERVER_CONFIG")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("aifilm")) / "server.toml"


def _data_dir() -> Path:
    return Path(platformdirs.user_data_dir("aifilm")) / "server"


class ServerSettings(BaseSettings):
    """Everything the hosted server needs to know about its machine."""

    model_config = SettingsConfigDict(
        env_prefix="AIFILM_SERVER_", extra="ignore", populate_by_name=True
    )

    environment: Literal["dev", "production"] = "dev"
    secret_key: str = Field(
        DEFAULT_SECRET, description="Signs access tokens; set it in production."
    )
    data_dir: Path = Field(default_factory=_data_dir, description="Database and files, by default.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default: SQLite in data_dir."
    )
    storage: Literal["local", "s3"] = "local"
    storage_dir: Path | None = Field(
        None, description="Local storage root; default data_dir/files."
    )
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_prefix: str = ""
    access_token_minutes: int = Field(30, ge=1)
    refresh_token_days: int = Field(30, ge=1)
    cors_origins: list[str] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(240, ge=0, description="Per client; 0 turns it off.")
    auth_rate_limit_per_minute: int = Field(20, ge=0, description="Login, register, refresh.")
    redis_url: str | None = Field(None, description="Rate limits (and Celery) share it when set.")
    worker: Literal["thread", "celery", "none"] = Field(
        "thread", description="thread: render inside the server; celery: `aifilm worker`."
    )
    worker_threads: int = Field(1, ge=1, le=32)
    celery_broker_url: str | None = None
    fan_out: bool = Field(
        True,
        description="With Celery: a job's voices, pictures, lip-sync and segment encodes are "
        "tasks across workers (docs/server.md, Fan-out); false: each job renders on one worker.",
    )
    piece_queues: dict[str, str] = Field(
        default_factory=dict,
        description='Queue of each kind of piece or backend, e.g. {"visuals": "gpu", '
        '"compose": "cpu"}; default aifilm.voice, aifilm.visuals, aifilm.lipsync, '
        "aifilm.compose.",
    )
    piece_visibility_seconds: float = Field(
        3600.0,
        gt=0,
        description="A piece whose worker died is given to another after this long; "
        "keep it above the longest piece.",
    )
    piece_timeout_seconds: float = Field(
        7200.0, gt=0, description="A job fails when a piece is not made within this long."
    )
    lease_seconds: float = Field(
        60.0, gt=0, description="A job whose worker is silent this long is picked up again."
    )
    poll_seconds: float = Field(1.0, gt=0, description="How often idle workers look for jobs.")
    max_attempts: int = Field(3, ge=1, description="Tries before a job fails for good.")
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1)
    max_spec_bytes: int = Field(1024 * 1024, ge=1)
    # Abuse limits (docs/server.md, "Security").
    max_request_bytes: int = Field(
        4 * 1024 * 1024, ge=1024, description="Largest body of a request other than an upload."
    )
    max_streams_per_user: int = Field(
        10, ge=1, description="Open event streams one account may hold in one server process."
    )
    max_streams: int = Field(
        200, ge=1, description="Open event streams one server process holds in all."
    )
    login_free_failures: int = Field(
        5, ge=1, description="Wrong passwords an account may have before it is locked out."
    )
    login_lockout_seconds: int = Field(
        60, ge=1, description="First lockout; each further wrong password doubles it."
    )
    login_max_lockout_seconds: int = Field(3600, ge=1, description="The longest lockout.")
    render_cache_dir: Path | None = Field(None, description="Render cache; default data_dir/cache.")
    allowed_backends: dict[str, list[str]] | list[str] = Field(
        default_factory=dict,
        description="Backends offered beyond the embedded offline ones and the defaults, per "
        'stage ({"music": ["musicgen"]}); a list offers its names in every stage. API '
        "backends spend the server's keys (docs/server.md, Security).",
    )
    provider_usd_per_credit: float = Field(
        0.10,
        ge=0,
        description="A job's credits count its visuals provider's estimated cost (the price "
        "table, docs/visual-apis.md#costs) in credits of this many USD; 0 charges nothing.",
    )
    licensed_backends: list[str] = Field(
        default_factory=list,
        description="Non-commercial backends (e.g. musicgen) the operator holds a commercial "
        "licence for; others are refused to paying plans.",
    )
    admin_emails: list[str] = Field(default_factory=list, description="Registered as admins.")
    writer_llm: str | None = Field(
        None,
        description="The llm backend (openai, anthropic, gemini) the studio's 'from a topic' "
        "drafts scripts with, on the server's key (e.g. OPENAI_API_KEY); none: no writer.",
    )
    writer_drafts_per_hour: int = Field(
        10,
        ge=0,
        description="Drafts from a topic one account may ask the writer for in an hour (they "
        "run on the operator's key and cost no credits); 0: no limit.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Where users reach the server (checkout returns)."
    )
    # Billing (docs/server.md, "Billing"); the Stripe names follow Stripe's own convention.
    stripe_secret_key: str | None = Field(
        None, validation_alias=AliasChoices("AIFILM_STRIPE_SECRET_KEY")
    )
    stripe_webhook_secret: str | None = Field(
        None, validation_alias=AliasChoices("AIFILM_STRIPE_WEBHOOK_SECRET")
    )
    stripe_api_base: str = Field(
        "https://api.stripe.com", validation_alias=AliasChoices("AIFILM_STRIPE_API_BASE")
    )
    stripe_prices: dict[str, str] = Field(
        default_factory=dict,
        validation_alias=AliasChoices("AIFILM_STRIPE_PRICES"),
        description="Price ids by product (standard, pack-10, ...); else lookup keys.",
    )
    stripe_webhook_tolerance: int = Field(300, ge=1, description="Oldest signed event, seconds.")
    billing_sweep_seconds: float = Field(
        300.0, ge=0, description="How often lapsed plans are ended; 0 turns the sweep off."
    )
    # Email: SMTP when smtp_host is set, else printed to the log.
    email_backend: Literal["smtp", "log"] | None = None
    email_from: str = "aifilm <no-reply@localhost>"
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(True, description="STARTTLS when the server offers it.")
    # YouTube publishing (docs/server.md, "YouTube"): the server's OAuth client (type "Web
    # application"); the endpoints default to AIFILM_YOUTUBE_API_BASE, AIFILM_GOOGLE_OAUTH_*
    # (as for `aifilm publish`), else Google's.
    youtube_client_id: str | None = None
    youtube_client_secret: str | None = None
    youtube_redirect_uri: str | None = Field(
        None, description="Registered redirect URI; default <this server>/api/youtube/callback."
    )
    youtube_return_url: str | None = Field(
        None, description="Where the browser goes after the consent (?youtube=connected|error)."
    )
    youtube_token_key: str | None = Field(
        None,
        description="Fernet key(s), comma-separated, newest first, that encrypt channel "
        "tokens; default: derived from secret_key.",
    )
    youtube_api_base: str | None = None
    google_oauth_auth_url: str | None = None
    google_oauth_token_url: str | None = None
    google_oauth_revoke_url: str | None = None
    # CRM sync (docs/server.md, "CRM sync"): events go to these sinks (webhook, salesforce);
    # none: no events are recorded.
    crm_sinks: list[str] = Field(default_factory=list)
    crm_max_attempts: int = Field(8, ge=1, description="Tries before an event is dead-lettered.")
    crm_backoff_seconds: float = Field(2.0, gt=0, description="First retry delay; doubles.")
    crm_backoff_max_seconds: float = Field(3600.0, gt=0)
    crm_lease_seconds: float = Field(60.0, gt=0, description="An unfinished delivery is retried.")
    crm_poll_seconds: float = Field(2.0, gt=0)
    crm_timeout_seconds: float = Field(10.0, gt=0, description="Per request to a sink.")
    crm_webhook_url: str | None = None
    crm_webhook_secret: str | None = Field(None, description="Signs webhook bodies (HMAC-SHA256).")
    salesforce_instance_url: str | None = Field(
        None, description="https://MyDomain.my.salesforce.com"
    )
    salesforce_login_url: str | None = Field(
        None, description="OAuth token endpoint host; default: the instance URL."
    )
    salesforce_api_version: str = "62.0"
    salesforce_client_id: str | None = None
    salesforce_client_secret: str | None = Field(None, description="client-credentials flow")
    salesforce_username: str | None = Field(None, description="JWT bearer flow: the user")
    salesforce_private_key_file: Path | None = Field(None, description="JWT bearer flow")
    salesforce_external_id_field: str = "Aifilm_Id__c"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=server_config_file()),
        )

    @field_validator("youtube_token_key")
    @classmethod
    def _fernet_keys(cls, value: str | None) -> str | None:
        from cryptography.fernet import Fernet

        for key in (value or "").split(","):
            try:
                if key.strip():
                    Fernet(key.strip())
            except ValueError:
                raise ValueError(
                    "youtube_token_key must be Fernet keys (32 url-safe base64 bytes each), "
                    'comma-separated; make one with: python -c "from cryptography.fernet '
                    'import Fernet; print(Fernet.generate_key().decode())"'
                ) from None
        return value

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> ServerSettings:
        if self.environment == "production" and (
            self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "AIFILM_SERVER_SECRET_KEY must be set to a random value of 32+ characters in "
                f"production (for example: {secrets.token_urlsafe(32)})"
            )
        return self

    @model_validator(mode="after")
    def _smtp_needs_a_host(self) -> ServerSettings:
        if self.email_backend == "smtp" and not self.smtp_host:
            raise ValueError(
                "email_backend is 'smtp' but no SMTP server is named: set "
                "AIFILM_SERVER_SMTP_HOST (or use email_backend 'log')"
            )
        return self

    @property
    def db_url(self) -> str:
        """The database URL, defaulting to SQLite under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'aifilm.db'}"

    @property
    def files_dir(self) -> Path:
        """Root of local file storage."""
        return self.storage_dir or self.data_dir / "files"

    @property
    def cache_dir(self) -> Path:
        """The render cache the worker uses."""
        return self.render_cache_dir or self.data_dir / "cache"

    @property
    def broker_url(self) -> str | None:
        """Celery's broker: its own setting, else the Redis URL."""
        return self.celery_broker_url or self.redis_url
