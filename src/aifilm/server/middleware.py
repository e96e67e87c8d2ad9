"""Per-request context as plain ASGI middleware: a request id, rate limits, an access log line.

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
from aifilm.server.state import ServerState

log = logging.getLogger("aifilm.server.access")
AUTH_PATHS = ("/api/users/login", "/api/users/register", "/api/users/refresh")
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
            limited = rate_limit(request, self.state)
            if limited is not None:
                await limited(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
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


def rate_limit(request: Request, state: ServerState) -> JSONResponse | None:
    """A 429 problem response when the client is over its limit, else None."""
    settings = state.settings
    path: str = request.scope["path"]
    if not path.startswith("/api/") or path in UNLIMITED_PATHS:
        return None
    strict = path in AUTH_PATHS
    limit = settings.auth_rate_limit_per_minute if strict else settings.rate_limit_per_minute
    if limit <= 0:
        return None
    auth = request.headers.get("authorization", "")
    if auth and not strict:
        who = "t:" + hashlib.sha256(auth.encode()).hexdigest()[:24]
    else:
        who = "ip:" + (request.client.host if request.client else "unknown")
    allowed, retry = state.limiter.hit(("auth:" if strict else "") + who, limit)
    if allowed:
        return None
    return problem_response(
        request,
        429,
        f"more than {limit} requests a minute; try again in {retry} s",
        headers={"Retry-After": str(retry)},
    )
