"""Per-request context as plain ASGI middleware: a request id, rate limits, an access log line.

Rate limits count a request against its user when it carries a valid access token, against
its API key when it carries one, and against its address otherwise. Requests that fail to
authenticate (401) count against their address as well, and an address with too many of
those is refused before anything else is looked at: a made-up token per request no longer
buys a fresh allowance.

Plain ASGI rather than Starlette's `BaseHTTPMiddleware`, which runs every request in an extra
task group with memory streams: under load that cost about a tenth of the server's CPU.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aifilm.server.errors import problem_response
from aifilm.server.security import API_KEY_PREFIX, decode_access_token
from aifilm.server.state import ServerState
from aifilm.server.web.cookies import SESSION_COOKIE

log = logging.getLogger("aifilm.server.access")
AUTH_PATHS = (
    "/api/users/login",
    "/api/users/register",
    "/api/users/refresh",
    "/api/session/login",
    "/api/session/register",
    "/api/users/password-reset",
    "/api/users/password-reset/confirm",
)
UNLIMITED_PATHS = ("/api/payments/webhooks/stripe",)  # Stripe's deliveries are signed


class RequestContext:
    """Gives each HTTP request an id (`X-Request-ID`), applies rate limits, logs it as JSON."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request = Request(scope)
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if 0 < len(incoming) <= 100 else uuid.uuid4().hex
        request.state.request_id = request_id
        status = 500
        header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            limited, failure_key = rate_limit(request, self.state)
            if limited is None:
                limited = nul_in_url(request)
            if limited is not None:
                await limited(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
            if failure_key is not None and status == 401 and failed_auth_limit(self.state):
                self.state.limiter.hit(failure_key, failed_auth_limit(self.state))
        finally:
            extra: dict[str, Any] = {
                "request_id": request_id,
                "method": request.method,
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(request.state, "user_id", None),
                "client": request.client.host if request.client else None,
            }
            log.info("request", extra=extra)


def failed_auth_limit(state: ServerState) -> int:
    """Failed authentications allowed from one address a minute (0: no limit)."""
    settings = state.settings
    return settings.auth_rate_limit_per_minute or settings.rate_limit_per_minute


def client_of(request: Request, state: ServerState) -> tuple[str, bool]:
    """Who a request counts against, and whether that is already proven: a user, by an
    access token whose signature holds (proven); an API key, by its hash (proven only if
    the request then succeeds); else its address."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if not scheme and request.cookies.get(SESSION_COOKIE):  # the studio's browser session
        scheme, token = "bearer", request.cookies[SESSION_COOKIE]
    if scheme.lower() == "bearer" and token:
        if token.startswith(API_KEY_PREFIX):
            return "k:" + hashlib.sha256(token.encode()).hexdigest()[:24], False
        user_id = decode_access_token(token, state.settings.secret_key)
        if user_id is not None:
            return f"u:{user_id}", True
    return address_of(request), False


def address_of(request: Request) -> str:
    return "ip:" + (request.client.host if request.client else "unknown")


def rate_limit(request: Request, state: ServerState) -> tuple[JSONResponse | None, str | None]:
    """A 429 problem response when the client is over its limit (else None), and the key
    to count a failed authentication against (None when the client is proven)."""
    settings = state.settings
    path: str = request.scope["path"]
    if not path.startswith("/api/") or path in UNLIMITED_PATHS:
        return None, None
    if path in AUTH_PATHS:
        limit = settings.auth_rate_limit_per_minute
        if limit <= 0:
            return None, None
        return over(request, state, "auth:" + address_of(request), limit), None
    limit = settings.rate_limit_per_minute
    who, proven = client_of(request, state)
    failure_key = None if proven else "fail:" + address_of(request)
    fail_limit = failed_auth_limit(state)
    if failure_key is not None and fail_limit > 0:
        failures, retry = state.limiter.count(failure_key)
        if failures >= fail_limit:
            detail = (
                f"more than {fail_limit} requests from this address failed to authenticate "
                f"this minute; try again in {retry} s"
            )
            return too_many(request, detail, retry), failure_key
    if limit <= 0:
        return None, failure_key
    return over(request, state, who, limit), failure_key


def over(request: Request, state: ServerState, key: str, limit: int) -> JSONResponse | None:
    """Count a hit on `key`; a 429 problem response when that passes `limit`."""
    allowed, retry = state.limiter.hit(key, limit)
    if allowed:
        return None
    return too_many(request, f"more than {limit} requests a minute; try again in {retry} s", retry)


def too_many(request: Request, detail: str, retry: int) -> JSONResponse:
    return problem_response(request, 429, detail, headers={"Retry-After": str(retry)})


def nul_in_url(request: Request) -> JSONResponse | None:
    """A 422 problem when the path or a query parameter holds a NUL character (which
    PostgreSQL cannot store or compare), else None."""
    where: list[str] = []
    if "\x00" in request.scope["path"]:
        where, detail = ["path"], "the path holds a NUL character (%00); remove it"
    for name, value in request.query_params.multi_items():
        if not where and ("\x00" in name or "\x00" in value):
            where = ["query", name]
            detail = f"query parameter {name!r} holds a NUL character (%00); remove it"
    if not where:
        return None
    error = {"loc": where, "msg": "holds a NUL character", "type": "string_nul"}
    return problem_response(request, 422, detail, title="Invalid request", errors=[error])
