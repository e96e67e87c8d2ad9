"""Errors of YouTube publishing, placed in aifilm's one exception tree::

    AifilmError
    ├── UserError                                (exit code 3)
    │   ├── MetadataError        a title, description, tag, date or file YouTube would refuse
    │   ├── YouTubeRequestError  YouTube refused a request for a reason the user can fix
    │   ├── CredentialsError     no credentials, or they were revoked or refused (exit 6)
    │   └── QuotaError           the day's quota would be, or was, exceeded (exit 5)
    └── InternalError                            (exit code 1)
        └── YouTubeServiceError  YouTube kept failing (5xx, dropped connections) past the retries

Every error carries ``reason`` (YouTube's reason code when there is one, e.g.
``quotaExceeded``) and ``status`` (the HTTP status, or None when nothing was sent).
"""

from __future__ import annotations

from aifilm.errors import EXIT_CREDENTIALS, EXIT_QUOTA, InternalError, UserError


class MetadataError(UserError):
    """The video's metadata or one of its files breaks a YouTube rule; nothing was sent."""

    def __init__(self, message: str, *, field: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field
        self.reason: str | None = None
        self.status: int | None = None


class YouTubeRequestError(UserError):
    """YouTube answered 4xx to a request: the message gives its reason and what to do."""

    def __init__(
        self, message: str, *, status: int, reason: str | None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason


class CredentialsError(UserError):
    """No usable OAuth credentials: none configured, revoked, or refused twice."""

    exit_code = EXIT_CREDENTIALS

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason


class QuotaError(UserError):
    """The call would exceed (ledger) or did exceed (403 quotaExceeded) the daily quota."""

    exit_code = EXIT_QUOTA

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        reason: str | None = "quotaExceeded",
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.reason = reason


class YouTubeServiceError(InternalError):
    """YouTube (or the connection to it) kept failing after every retry."""

    def __init__(
        self, message: str, *, status: int | None = None, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
