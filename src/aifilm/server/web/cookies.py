"""The browser session: tokens in HttpOnly cookies, and a double-submit CSRF check.

A browser never holds a token where scripts can read it. The access token rides in
`aifilm_session` (HttpOnly), the refresh token in `aifilm_refresh` (HttpOnly, sent only to
`/api/session`). Cookies travel with every request the browser makes, so a state-changing
request that authenticates by cookie must also carry the `X-CSRF-Token` header equal to
the `aifilm_csrf` cookie: a page on another site can make the browser send our cookies,
but it can neither read that cookie nor set a custom header without our CORS consent.
Bearer-token clients send no cookies and need no CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

from aifilm.server.config import ServerSettings
from aifilm.server.errors import Forbidden

SESSION_COOKIE = "aifilm_session"
REFRESH_COOKIE = "aifilm_refresh"
CSRF_COOKIE = "aifilm_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REFRESH_PATH = "/api/session"


def secure(settings: ServerSettings) -> bool:
    """Cookies are `Secure` everywhere but development (plain http on loopback)."""
    return settings.environment != "dev"


def new_csrf_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(32)


def set_csrf_cookie(response: Response, settings: ServerSettings, token: str) -> None:
    """The CSRF cookie: readable by our own scripts (they copy it into the header)."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=60 * 60 * 24 * settings.refresh_token_days,
        path="/",
        secure=secure(settings),
        httponly=False,
        samesite="strict",
    )


def set_session_cookies(
    response: Response, settings: ServerSettings, access: str, refresh: str
) -> None:
    """Store a sign-in's tokens in HttpOnly cookies."""
    response.set_cookie(
        SESSION_COOKIE,
        access,
        max_age=60 * settings.access_token_minutes,
        path="/",
        secure=secure(settings),
        httponly=True,
        samesite="lax",
    )
    response.set_cookie(
        REFRESH_COOKIE,
        refresh,
        max_age=60 * 60 * 24 * settings.refresh_token_days,
        path=REFRESH_PATH,
        secure=secure(settings),
        httponly=True,
        samesite="strict",
    )


def clear_session_cookies(response: Response, settings: ServerSettings) -> None:
    """Sign the browser out."""
    for name, path in ((SESSION_COOKIE, "/"), (REFRESH_COOKIE, REFRESH_PATH)):
        response.delete_cookie(
            name, path=path, secure=secure(settings), httponly=True, samesite="lax"
        )


def check_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request whose CSRF header does not match its cookie."""
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not hmac.compare_digest(cookie, header):
        raise Forbidden(
            "this request signs in with the session cookie but carries no matching "
            "X-CSRF-Token header (copy the aifilm_csrf cookie into it); API clients send "
            "'Authorization: Bearer <token>' instead"
        )
