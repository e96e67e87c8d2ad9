"""Request and response models, in families: Base (shared), Create, Update, Public."""

from __future__ import annotations

import re
import uuid
from datetime import date as date_
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    field_validator,
    model_validator,
)

T = TypeVar("T")

Role = Literal["creator", "admin"]
PlanName = Literal["creator", "standard", "pro", "enterprise"]


def _email(value: str) -> str:
    value = value.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or " " in value or len(value) > 255:
        raise ValueError(f"'{value}' is not an email address")
    return value


MAX_PASSWORD_CHARS = 1024  # longer ones are refused before any hashing (argon2 reads it all)


def nul_at(value: Any, where: str = "") -> str | None:
    """The path of the first text in `value` holding a NUL character, else None.

    PostgreSQL cannot store NUL in text; refusing it here makes it a 422 naming the field
    on every database, rather than a 500 on one of them.
    """
    if isinstance(value, str):
        return where if "\x00" in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return f"{where}.{key!r}".lstrip(".")
        found = nul_at(item, f"{where}.{key}".lstrip("."))
        if found is not None:
            return found
    return None


class Input(BaseModel):
    """A request body: text in it never holds a NUL character."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        where = nul_at(data)
        if where is not None:
            raise ValueError(f"{where or 'the body'} holds a NUL character (\\u0000); remove it")
        return data


def _calendar_day(value: Any) -> Any:
    # pydantic would read a number ("0" too) as seconds since 1970; a day is written out.
    if not isinstance(value, date_) and not (
        isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)
    ):
        raise ValueError(f"give a date as YYYY-MM-DD, e.g. 2026-12-24, not {value!r}")
    return value


Day = Annotated[date_, BeforeValidator(_calendar_day)]


class Page(BaseModel, Generic[T]):
    """One page of a list: `items`, the `total` and where the page starts."""

    items: list[T]
    total: int
    offset: int
    limit: int


# users


class UserBase(Input):
    email: str
    full_name: str | None = Field(None, max_length=255)

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str) -> str:
        return _email(value)


class UserCreate(UserBase):
    password: str = Field(min_length=8, max_length=MAX_PASSWORD_CHARS)


class UserUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    email: str | None = None
    full_name: str | None = Field(None, max_length=255)
    password: str | None = Field(None, min_length=8, max_length=MAX_PASSWORD_CHARS)
    current_password: str | None = Field(
        None, max_length=MAX_PASSWORD_CHARS, description="Needed to change email or password."
    )

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        return None if value is None else _email(value)


class UserPublic(UserBase):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    role: Role
    plan: PlanName
    credit_balance: int
    is_active: bool
    created_at: datetime
    email_verified_at: datetime | None = None


class Login(Input):
    email: str = Field(max_length=320)
    password: str = Field(max_length=MAX_PASSWORD_CHARS)


class RefreshRequest(Input):
    refresh_token: str


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class ApiKeyCreate(Input):
    name: str = Field("default", min_length=1, max_length=100)


class ApiKeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The key itself: shown this once only.")


# projects and assets


class ProjectCreate(Input):
    spec: str = Field(description="The project.yaml text.")


class ProjectUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    spec: str


class AssetPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class ProjectPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    spec: str
    status: str
    moderation: str
    created_at: datetime
    updated_at: datetime
    missing_assets: list[str] = Field(default_factory=list)


class ProjectSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    title: str
    status: str
    moderation: str
    created_at: datetime


class Moderate(Input):
    moderation: Literal["ok", "blocked"]
    note: str | None = None


# credits


class Balance(BaseModel):
    balance: int
    plan: PlanName
    monthly_credits: int | None
    monthly_remaining: int
    period_end: datetime | None
    unlimited: bool
    renews: bool = Field(True, description="False: the plan ends at period_end (cancelled).")
    payment_status: str | None = Field(
        None, description="Stripe's subscription status (active, past_due, ...) for paid plans."
    )


class TransactionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: str
    amount: int
    balance_after: int
    description: str
    job_id: uuid.UUID | None
    event_id: str | None = Field(None, description="The payment event behind this entry.")
    created_at: datetime


class UsagePoint(BaseModel):
    date: date_
    spent: int = Field(description="Credits charged for renders, less their refunds.")
    added: int = Field(description="Credits granted, bought or added by an admin.")
    expired: int = Field(description="Monthly credits expired, or removed by an admin.")
    balance: int = Field(description="The balance at the day's end.")


class Usage(BaseModel):
    """The credits chart: one point per UTC day, oldest first."""

    start: date_
    end: date_
    spent: int = Field(description="Credits spent over the whole span.")
    points: list[UsagePoint]


MAX_ADJUSTMENT = 1_000_000  # credits one adjustment may move (balances are 32-bit)


class CreditAdjust(Input):
    user_id: uuid.UUID
    amount: int = Field(
        strict=True,  # `false` is not 0 credits
        ge=-MAX_ADJUSTMENT,
        le=MAX_ADJUSTMENT,
        description="Positive adds credits, negative removes them.",
    )
    reason: str = Field(min_length=3, max_length=500)


class PlanChange(Input):
    plan: PlanName


class AdminUserUpdate(Input):
    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    plan: PlanName | None = None
    is_active: StrictBool | None = Field(
        None, description="false suspends the account (as POST .../suspend), true restores it."
    )


class AdminUserPublic(UserPublic):
    """A user as the admin console shows it."""

    last_login_at: datetime | None
    suspended_at: datetime | None
    suspension_reason: str | None


class AdminUserDetail(AdminUserPublic):
    """A user with what they own and their latest ledger entries."""

    projects: int
    jobs: int
    failed_jobs: int
    transactions: list[TransactionPublic]


class Suspend(Input):
    reason: str = Field(min_length=3, max_length=500, description="Shown to other admins.")


class AdminJob(BaseModel):
    """A render as the admin console lists it: whose, which project, how it ended."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    user_email: str
    project_id: uuid.UUID
    project_title: str
    status: str
    progress: float
    current_step: str | None
    length_seconds: float
    credits_charged: int
    refunded: bool
    error_message: str | None
    attempts: int
    created_at: datetime
    completed_at: datetime | None


class FailureGroup(BaseModel):
    """Failed renders that ended with the same error."""

    error: str
    count: int
    last_at: datetime


# jobs


class JobOptions(Input):
    model_config = ConfigDict(extra="forbid")

    preview: StrictBool = False


class JobCreate(Input):
    model_config = ConfigDict(extra="forbid")

    project_id: uuid.UUID
    length_seconds: StrictFloat | None = Field(
        None, gt=0, le=600, description="Film length; default: the project's duration."
    )
    options: JobOptions = Field(default_factory=JobOptions)


class JobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    status: str
    progress: float
    current_step: str | None
    length_seconds: float
    credits_charged: int
    refunded: bool
    priority: int
    parameters: dict[str, Any]
    error_message: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    files: list[AssetPublic] = Field(default_factory=list)


class JobStatus(BaseModel):
    id: uuid.UUID
    status: str
    progress: float
    current_step: str | None
    error_message: str | None


class JobLogPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    level: str
    message: str
    data: dict[str, Any] | None
    created_at: datetime


# payments


class CheckoutCreate(Input):
    """What to buy: a `plan` (standard, pro, enterprise) or a credit `pack` (pack-10, ...)."""

    model_config = ConfigDict(extra="forbid")

    plan: str | None = None
    pack: str | None = None

    @field_validator("plan", "pack")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return value.strip().lower() if value is not None else None


class CheckoutPublic(BaseModel):
    """A Stripe Checkout page to send the user to."""

    id: str
    url: str
    mode: Literal["subscription", "payment"]
    product: str


class PortalPublic(BaseModel):
    """A Stripe customer portal page: cards, invoices, plan changes, cancellation."""

    url: str


class InvoicePublic(BaseModel):
    id: str
    number: str | None
    status: str | None
    currency: str
    amount_due: int = Field(description="In the currency's smallest unit (cents).")
    amount_paid: int
    created: datetime
    description: str | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None


class InvoicePage(BaseModel):
    """One page of invoices, newest first; pass `next_cursor` as `starting_after`."""

    items: list[InvoicePublic]
    has_more: bool
    next_cursor: str | None
