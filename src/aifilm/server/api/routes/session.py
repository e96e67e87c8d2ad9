"""The browser's session: sign up, sign in, refresh and sign out with HttpOnly cookies.

The studio's pages use these instead of handling tokens: the tokens go into cookies no
script can read (`web/cookies.py`), and every state-changing request carries the CSRF
header. Bearer-token clients keep using `/api/users/login` and friends.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from aifilm.server.api.routes import account, users
from aifilm.server.deps import SessionDep, SettingsDep, StateDep
from aifilm.server.errors import Problem
from aifilm.server.models import User
from aifilm.server.schemas import Login, RefreshRequest, UserCreate, UserPublic
from aifilm.server.security import decode_access_token
from aifilm.server.web.cookies import (
    CSRF_COOKIE,
    REFRESH_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    clear_session_cookies,
    new_csrf_token,
    set_csrf_cookie,
    set_session_cookies,
)

router = APIRouter(prefix="/session", tags=["session"])


class SessionInfo(BaseModel):
    """Who the browser is signed in as (`user` is null when nobody), and its CSRF token."""

    user: UserPublic | None
    csrf_token: str


def _csrf(request: Request, response: Response, settings: SettingsDep) -> str:
    token = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    if token != request.cookies.get(CSRF_COOKIE):
        set_csrf_cookie(response, settings, token)
    return token


@router.get("", response_model=SessionInfo)
def read_session(
    request: Request, response: Response, session: SessionDep, settings: SettingsDep
) -> SessionInfo:
    """The signed-in user, renewing an expired access cookie from the refresh cookie."""
    csrf = _csrf(request, response, settings)
    user_id = decode_access_token(request.cookies.get(SESSION_COOKIE, ""), settings.secret_key)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None and request.cookies.get(REFRESH_COOKIE):
        try:
            tokens = users.refresh(
                RefreshRequest(refresh_token=request.cookies[REFRESH_COOKIE]), session, settings
            )
        except Problem:
            clear_session_cookies(response, settings)
        else:
            set_session_cookies(response, settings, tokens.access_token, tokens.refresh_token)
            user_id = decode_access_token(tokens.access_token, settings.secret_key)
            user = session.get(User, user_id) if user_id is not None else None
    if user is not None and not user.is_active:
        user = None
    public = UserPublic.model_validate(user) if user is not None else None
    return SessionInfo(user=public, csrf_token=csrf)


@router.post("/login", response_model=SessionInfo)
def login(
    body: Login,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    state: StateDep,
) -> SessionInfo:
    """Sign in with email and password; the tokens go into HttpOnly cookies."""
    check_csrf(request)
    tokens = users.login(body, session, settings, state)
    set_session_cookies(response, settings, tokens.access_token, tokens.refresh_token)
    user_id = decode_access_token(tokens.access_token, settings.secret_key)
    user = session.get(User, user_id)
    return SessionInfo(
        user=UserPublic.model_validate(user), csrf_token=_csrf(request, response, settings)
    )


@router.post("/register", status_code=201, response_model=SessionInfo)
def register(
    body: UserCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    state: StateDep,
) -> SessionInfo:
    """Create an account, sign in, and email a link that verifies the address."""
    check_csrf(request)
    user = users.register(body, session, settings)
    tokens = users.issue_tokens(session, user, settings)
    session.commit()
    account.send_verification(state, settings, user)
    set_session_cookies(response, settings, tokens.access_token, tokens.refresh_token)
    return SessionInfo(
        user=UserPublic.model_validate(user), csrf_token=_csrf(request, response, settings)
    )


@router.post("/logout", status_code=204)
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Sign the browser out: its refresh chain is revoked and the cookies cleared."""
    check_csrf(request)
    refresh = request.cookies.get(REFRESH_COOKIE)
    if refresh:
        users.logout(RefreshRequest(refresh_token=refresh), session)
    response = Response(status_code=204)
    clear_session_cookies(response, settings)
    return response
