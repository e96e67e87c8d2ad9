"""The OpenAPI document, with the error responses each operation can return.

FastAPI lists only an operation's success and its 422 (in a shape this server never sends).
Every error here is a problem document (RFC 9457, `errors.py`), so the document gains a
`Problem` schema and, per operation, the statuses it can answer with: some follow from what
the operation is (it needs a token: 401 and 403; it names a resource in its path: 404; it
takes a body: 413; everything under /api is rate limited: 429), the rest are listed per
operation or per tag below. API clients and Schemathesis (CI) hold the server to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

PROBLEM_JSON = "application/problem+json"
HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error, as RFC 9457 problem details.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
    },
    "additionalProperties": True,
}
VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ValidationProblem",
    "description": "A request that does not validate: a problem with, for malformed fields, "
    "each error in `errors`.",
    "allOf": [
        {"$ref": "#/components/schemas/Problem"},
        {
            "type": "object",
            "properties": {
                "errors": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "loc": {
                                "type": "array",
                                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                            },
                            "msg": {"type": "string"},
                            "type": {"type": "string"},
                        },
                    },
                }
            },
        },
    ],
}

WHY: dict[int, str] = {
    400: "The request cannot be used as it is, or its body cannot be parsed (see `detail`).",
    401: "No valid access token or API key.",
    402: "Not enough credits.",
    403: "The account may not do this (disabled, not an admin, plan or licence limits).",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state (see `detail`).",
    413: "The body (or the project spec or file in it) is over its size limit.",
    415: "The uploaded file is not an image or audio file the server accepts.",
    422: "The request does not validate; `errors` lists each problem.",
    429: "Over a rate limit, a stream cap or a sign-in lockout; wait `Retry-After` seconds.",
    502: "An upstream service (Stripe, Google) failed.",
    503: "Not configured on this server, or not ready.",
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`."}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}

# Statuses that do not follow from an operation's shape: by tag, then by operation.
BY_TAG: dict[str, set[int]] = {
    "payments": {409, 502, 503},
    "youtube": {400, 402, 404, 409, 502, 503},
    "admin": {409},
    "crm": {404, 409},  # an unknown user, project or purchase; CRM sync off, event not failed
    # The browser session: a wrong password, no CSRF header or a disabled account, a taken
    # email (web/cookies.py).
    "session": {401, 403, 409},
    # The studio: a backend not offered, a job in progress, no writer or a failing one.
    "studio": {403, 409, 502},
}
BY_OPERATION: dict[tuple[str, str], set[int]] = {
    ("post", "/api/users/register"): {409},
    ("post", "/api/users/login"): {401, 403},
    ("post", "/api/users/refresh"): {401},
    ("patch", "/api/users/me"): {403, 409},
    ("post", "/api/projects"): {403},
    ("patch", "/api/projects/{project_id}"): {403, 409},
    ("delete", "/api/projects/{project_id}"): {409},
    ("post", "/api/projects/{project_id}/assets"): {409, 415},
    ("delete", "/api/projects/{project_id}/assets/{asset_id}"): {409},
    ("post", "/api/jobs"): {402, 404, 409},
    ("post", "/api/jobs/{job_id}/cancel"): {409},
    ("post", "/api/payments/webhooks/stripe"): {400},
    ("get", "/api/payments/invoices"): {400},
    ("get", "/readyz"): {503},
}
UNLIMITED = {("post", "/api/payments/webhooks/stripe")}  # signed: not rate limited


def _problem(status: int) -> dict[str, Any]:
    schema = "ValidationProblem" if status == 422 else "Problem"
    response: dict[str, Any] = {
        "description": WHY.get(status, HTTPStatus(status).phrase),
        "content": {PROBLEM_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if status in HEADERS:
        response["headers"] = HEADERS[status]
    return response


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer with."""
    params = operation.get("parameters", [])
    statuses = set(BY_OPERATION.get((method, path), set()))
    for tag in operation.get("tags", []):
        statuses |= BY_TAG.get(tag, set())
    if any(p.get("in") == "header" and p.get("name") == "authorization" for p in params):
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in params):
        statuses |= {404, 422}
    if params:
        statuses.add(422)  # bad parameters, a NUL character in one
    if "requestBody" in operation:
        statuses |= {400, 413, 422}  # 400: not JSON, not UTF-8
    if path.startswith("/api/") and (method, path) not in UNLIMITED:
        statuses.add(429)
    return statuses


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with the Problem schemas and each operation's error responses."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components["ValidationProblem"] = VALIDATION_PROBLEM_SCHEMA
    components.pop("HTTPValidationError", None)  # FastAPI's shape, never sent here
    components.pop("ValidationError", None)
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in sorted(error_statuses(method, path, operation)):
                responses[str(status)] = _problem(status)
    return schema


def allowed_methods(app: FastAPI, path: str) -> list[str] | None:
    """The methods the document lists for the path `path` matches, else None: what a 405's
    `Allow` header says (Starlette's names only the first route that matched the path)."""
    found = getattr(app.state, "aifilm_paths", None)
    if found is None:
        found = []
        for template, operations in app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
            methods = sorted(m.upper() for m in operations if m.upper() in HTTP_METHODS)
            found.append((re.compile(f"^{pattern}$"), methods))
        app.state.aifilm_paths = found
    for pattern, methods in found:
        if pattern.match(path):
            return list(methods)
    return None


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` return the document with its error responses."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
