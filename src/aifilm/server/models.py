"""Database tables (SQLAlchemy 2, typed). Alembic's migrations create them; see alembic/.

Money-like state follows one rule: `users.credit_balance` always equals the sum of the
user's `credit_transactions.amount`, because both change in the same transaction while the
user's row is locked (see `credits.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    """Base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="creator", index=True)
    plan: Mapped[str] = mapped_column(String(20), default="creator")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    credit_balance: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]  # set by the emailed link (routes/account.py)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Set by an admin's suspension (is_active is then False): when and why, for the console.
    suspended_at: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(Text)

    projects: Mapped[list[Project]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )


class RefreshToken(Base):
    """One refresh token (stored hashed); using it revokes it and issues the next."""

    __tablename__ = "refresh_tokens"
    # Sign-ins and refreshes are activity: analytics count distinct users per day from it.
    __table_args__ = (Index("ix_analytics_refresh_tokens_activity", "created_at", "user_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    family: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)  # one login's chain of tokens
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A long-lived credential; only its hash and a display prefix are stored."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class Project(Base):
    """A film project: its spec (project.yaml text) and, beside it, its assets."""

    __tablename__ = "projects"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    moderation: Mapped[str] = mapped_column(String(20), default="ok")  # ok | blocked
    moderation_note: Mapped[str | None] = mapped_column(Text)
    # Publish every finished film to the owner's YouTube channel: the upload options
    # (privacy, playlist, tags...), or None when off. See youtube/uploads.py.
    youtube_autopublish: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[User] = relationship(back_populates="projects")


class Asset(Base):
    """A stored file: an input of a project (image, audio) or an output of a job."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("project_id", "job_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # image | audio | video | subtitles | report
    name: Mapped[str] = mapped_column(String(255))  # relative path, as the spec names it
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Job(Base):
    """A render. The table is the queue's source of truth; workers hold it by a lease."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_queue", "status", "priority", "created_at"),
        # Analytics read these without touching the table (index-only scans): who started a
        # render when (activity), and what ended when (films, minutes, failures).
        Index("ix_analytics_jobs_activity", "created_at", "user_id"),
        Index("ix_analytics_jobs_ended", "completed_at", "status", "length_seconds"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    # queued | running | completed | failed | cancelled
    status: Mapped[str] = mapped_column(String(20), default="queued")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    length_seconds: Mapped[float] = mapped_column(Float)
    credits_charged: Mapped[int] = mapped_column(Integer, default=0)
    refunded: Mapped[bool] = mapped_column(Boolean, default=False)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    current_step: Mapped[str | None] = mapped_column(String(100))
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]


class JobLog(Base):
    __tablename__ = "job_logs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(Base):
    """The user's plan period; monthly credits are granted and expire with it."""

    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    plan: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[datetime]
    period_end: Mapped[datetime] = mapped_column(index=True)
    monthly_remaining: Mapped[int] = mapped_column(Integer, default=0)
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set while Stripe bills the plan: Stripe's events then drive renewals and the lapse.
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Stripe's status: active, trialing, past_due, canceled, unpaid, ...; "active" otherwise.
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")


class CreditTransaction(Base):
    """Append-only ledger: never updated, never deleted (except with the user)."""

    __tablename__ = "credit_transactions"
    # Credits spent and bought per day: a range of one type, summed from the index alone.
    __table_args__ = (Index("ix_analytics_ledger", "type", "created_at", "amount"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # grant (monthly) | expiry (monthly) | purchase (never expires) | deduction | refund |
    # adjustment
    type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    balance_after: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the admin, for adjustments
    event_id: Mapped[str | None] = mapped_column(String(255), index=True)  # the payment event
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IdempotencyKey(Base):
    """A client's Idempotency-Key for a request that created something."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class YoutubeConnection(Base):
    """A user's linked YouTube channel; both tokens encrypted (Fernet, see youtube/tokens.py)."""

    __tablename__ = "youtube_connections"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    channel_id: Mapped[str] = mapped_column(String(255))
    channel_title: Mapped[str] = mapped_column(String(255), default="")
    access_token: Mapped[str] = mapped_column(Text)  # encrypted
    refresh_token: Mapped[str] = mapped_column(Text)  # encrypted
    expires_at: Mapped[datetime]  # of the access token
    scopes: Mapped[str] = mapped_column(Text, default="")
    # active | reauth (Google refused the tokens: connect again)
    status: Mapped[str] = mapped_column(String(20), default="active")
    last_error: Mapped[str | None] = mapped_column(Text)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class YoutubeAuthRequest(Base):
    """A consent started by `GET /api/youtube/auth`: its state (hashed) binds the callback
    to the user; its PKCE verifier never leaves the server. Used once, within minutes."""

    __tablename__ = "youtube_auth_requests"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_verifier: Mapped[str] = mapped_column(Text)  # encrypted
    redirect_uri: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class YoutubeUpload(Base):
    """A film going to (or gone to) a channel. The table is this queue's truth, as `jobs` is
    for renders: workers claim a row with a lease; one row per film (SHA-256) per channel."""

    __tablename__ = "youtube_uploads"
    __table_args__ = (
        UniqueConstraint("channel_id", "sha256", name="uq_youtube_uploads_channel_sha256"),
        Index("ix_youtube_uploads_queue", "upload_status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    channel_id: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))  # of the film
    video_id: Mapped[str | None] = mapped_column(String(255))
    playlist_id: Mapped[str | None] = mapped_column(String(255))
    # pending | uploading | processing | published | failed
    upload_status: Mapped[str] = mapped_column(String(20), default="pending")
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)  # metadata and options
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)  # steps done, session URI
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    current_step: Mapped[str | None] = mapped_column(String(50))
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_at: Mapped[datetime | None]  # when YouTube had every byte
    completed_at: Mapped[datetime | None]


class PaymentEvent(Base):
    """A processed payment-provider event id, so a webhook delivered twice counts once."""

    __tablename__ = "payment_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Money received, for revenue analytics: set on a paid pack checkout and a paid invoice
    # (a subscription's checkout is not counted: its first invoice is).
    amount: Mapped[int | None] = mapped_column(BigInteger)  # the currency's smallest unit
    currency: Mapped[str | None] = mapped_column(String(3))
    product: Mapped[str | None] = mapped_column(String(20))  # standard, pack-25, ...
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class YoutubeQuota(Base):
    """YouTube Data API quota spent per OAuth client (Google meters per Cloud project), per
    Pacific day and bucket; the row is locked while a call is charged, so every worker of
    every machine counts against the same budget."""

    __tablename__ = "youtube_quota"

    account: Mapped[str] = mapped_column(String(255), primary_key=True)  # OAuth client ID
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # 2031-01-31, Pacific
    bucket: Mapped[str] = mapped_column(String(50), primary_key=True)  # units, videos.insert
    used: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OutboxEvent(Base):
    """A business event for the CRM sinks (crm/), written in the transaction that made the
    change, so it is never lost and never sent for a change that rolled back. The table is
    the dispatcher's queue, leased like `jobs`; `id` orders events, per object."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_queue", "status", "next_attempt_at"),
        Index("ix_outbox_object", "object_type", "object_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(50))  # user.registered, purchase.completed, ...
    object_type: Mapped[str] = mapped_column(String(20))  # user | project | purchase | film
    object_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)  # no FK: outlives users
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # pending (also while leased) | delivered | failed (dead letter) | erased
    status: Mapped[str] = mapped_column(String(20), default="pending")
    sinks_done: Mapped[list[str]] = mapped_column(JSON, default=list)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    worker_id: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    delivered_at: Mapped[datetime | None]
