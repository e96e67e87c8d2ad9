"""Request bodies are bounded before they are read, and uploads need a valid token first.

Without this, a 1 GiB multipart body with no token was spooled to the temp dir before the
route's 401, and a 100 MiB JSON body grew the server by 465 MiB while it was parsed. Here,
as plain ASGI middleware in front of the routes:

- an upload route (one taking a file) is refused with 401 before a byte of its body is read
  unless its bearer token names an active account;
- a body over its limit is refused with 413: at once when its `Content-Length` says so, else
  (chunked) as soon as the bytes received pass the limit. The limit is `max_upload_bytes`
  plus room for the multipart framing for uploads, `max_request_bytes` for everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from re import Pattern
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aifilm.server.errors import Problem, problem_response
from aifilm.server.state import ServerState

MULTIPART_ROOM = 64 * 1024  # boundaries, part headers and small form fields of an upload
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body passes its limit; an `HTTPException` so that
    FastAPI's body parsing passes it on (it turns other errors into a 400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the {limit}-byte limit")


def upload_routes(openapi: dict[str, Any]) -> list[tuple[Pattern[str], set[str]]]:
    """The path patterns and methods of the operations that take a multipart body (a file),
    read from the OpenAPI document (stable across FastAPI versions, unlike its routes)."""
    found = []
    for path, operations in openapi.get("paths", {}).items():
        methods = {
            method.upper()
            for method, operation in operations.items()
            if "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
        }
        if methods:
            pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path))
            found.append((re.compile(f"^{pattern}$"), methods))
    return found


class BodyLimit:
    """Bounds request bodies and refuses unauthenticated uploads before reading them."""

    def __init__(
        self, app: ASGIApp, state: ServerState, openapi: Callable[[], dict[str, Any]]
    ) -> None:
        self.app = app
        self.state = state
        self._openapi = openapi
        self._uploads: list[tuple[Pattern[str], set[str]]] | None = None

    def is_upload(self, scope: Scope) -> bool:
        if self._uploads is None:  # the routes are all there by the first request
            self._uploads = upload_routes(self._openapi())
        path, method = scope["path"], scope["method"]
        return any(p.match(path) and method in m for p, m in self._uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _BODILESS:
            await self.app(scope, receive, send)
            return
        settings = self.state.settings
        request = Request(scope)
        if self.is_upload(scope):
            refused = await self.refused_upload(request)
            if refused is not None:
                await refused(scope, receive, send)
                return
            limit = settings.max_upload_bytes + MULTIPART_ROOM
        else:
            limit = settings.max_request_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await too_large(request, limit)(scope, receive, send)
            return
        received = 0
        started = overflowed = False

        async def counted() -> Message:
            nonlocal received, overflowed
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    overflowed = True
                    raise BodyTooLarge(limit)
            return message

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if overflowed:  # else the server would read the rest to reach a next request
                    message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        try:
            await self.app(scope, counted, send_noting_start)
        except BodyTooLarge:
            if started:
                raise
            await too_large(request, limit)(scope, receive, send)

    async def refused_upload(self, request: Request) -> ASGIApp | None:
        """A 401/403 problem response unless the request carries a valid token."""
        from aifilm.server.deps import authenticate, bearer_token

        try:
            token = await bearer_token(request, request.headers.get("authorization"))
            async with self.state.async_engine.connect() as conn:
                await authenticate(request, self.state, conn, token)
        except Problem as exc:
            # Closed after the answer: the unread body must not be read as a next request.
            headers = {**exc.headers, "Connection": "close"}
            return problem_response(request, exc.status, exc.detail, headers=headers)
        return None


def too_large(request: Request, limit: int) -> ASGIApp:
    """The 413 problem response; the connection is closed after it (the body is unread)."""
    return problem_response(
        request,
        413,
        f"the request body is over the {limit}-byte limit",
        headers={"Connection": "close"},
    )
