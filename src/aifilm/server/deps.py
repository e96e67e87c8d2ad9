"""Dependencies routes declare, as `Annotated` aliases: `SessionDep`, `CurrentUser`, ...

The ones that do no I/O are `async def` on purpose: FastAPI runs a plain `def` dependency
in its thread pool, and each such hop costs more CPU than the work it does.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from aifilm.server.config import ServerSettings
from aifilm.server.db import NOWAIT, WriteBusy
from aifilm.server.errors import Forbidden, Unauthorized
from aifilm.server.models import ApiKey, User, utcnow
from aifilm.server.security import API_KEY_PREFIX, decode_access_token, token_hash
from aifilm.server.state import ServerState
from aifilm.server.storage import Storage


async def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.aifilm
    return state


StateDep = Annotated[ServerState, Depends(get_state)]


async def get_settings(state: StateDep) -> ServerSettings:
    return state.settings


async def get_db(state: StateDep) -> AsyncIterator[Session]:
    """A session for the request, closed when the request is done.

    Async on purpose: the closing rollback then runs on the event loop, not in a worker
    thread, so it can always end a transaction even when every worker thread is waiting
    for SQLite's write lock.
    """
    with state.sessions() as session:
        yield session


async def get_reader(state: StateDep) -> AsyncIterator[Session]:
    """A read-only session for the request, shared by the auth check and read-only routes:
    one connection and, on PostgreSQL, no BEGIN/ROLLBACK round trips (autocommit reads)."""
    with state.readers() as session:
        yield session


async def get_storage(state: StateDep) -> Storage:
    return state.storage


SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
# Bounded below the worker-thread pool (40): a request holding SQLite's write lock must always
# find a free thread to finish on, and the database pool is not outrun.
SessionDep = Annotated[Session, Depends(get_db, max_concurrency=16)]
ReaderDep = Annotated[Session, Depends(get_reader)]
StorageDep = Annotated[Storage, Depends(get_storage)]


async def bearer_token(authorization: Annotated[str | None, Header()] = None) -> str:
    """The token in `Authorization: Bearer <token>`."""
    if not authorization:
        raise Unauthorized("send 'Authorization: Bearer <access token or API key>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def get_current_user(
    request: Request,
    state: StateDep,
    session: ReaderDep,
    token: Annotated[str, Depends(bearer_token)],
) -> User:
    """The signed-in user (a detached snapshot), from an access token or an API key.

    Read in the request's read-only session, so that checking a token never waits for a
    writer. An API key is found by its SHA-256 (no slow hash per request). Routes that
    change the user load it again in their session.
    """
    user: User | None
    stale_key: uuid.UUID | None = None
    if token.startswith(API_KEY_PREFIX):
        key = session.scalars(select(ApiKey).where(ApiKey.key_hash == token_hash(token))).first()
        if key is None:
            raise Unauthorized("unknown or deleted API key")
        if key.last_used_at is None or (utcnow() - key.last_used_at).total_seconds() > 60:
            stale_key = key.id
        user = session.get(User, key.user_id)
    else:
        user_id = decode_access_token(token, state.settings.secret_key)
        if user_id is None:
            raise Unauthorized("the access token is invalid or expired; sign in again")
        user = session.get(User, user_id)
    if user is None:
        raise Unauthorized("the account no longer exists")
    session.expunge(user)
    if not user.is_active:
        raise Forbidden("this account is disabled")
    if stale_key is not None:
        _touch_api_key(state, stale_key)
    request.state.user_id = str(user.id)
    return user


def _touch_api_key(state: ServerState, key_id: uuid.UUID) -> None:
    """Note when a key was last used; skipped (it is only a hint) when a writer is busy."""
    try:
        with state.sessions() as session:
            session.connection(execution_options={NOWAIT: True})
            session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))
            session.commit()
    except WriteBusy:
        pass


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin(user: CurrentUser) -> User:
    if user.role != "admin":
        raise Forbidden("this needs an admin account")
    return user


AdminUser = Annotated[User, Depends(get_admin)]


@dataclass(frozen=True)
class PageParams:
    """Where a page starts and how long it is."""

    offset: int
    limit: int


async def page_params(
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PageParams:
    return PageParams(offset, limit)


Paging = Annotated[PageParams, Depends(page_params)]


def parse_id(value: str, what: str) -> uuid.UUID:
    """A UUID from a path segment; a malformed one reads as not found."""
    from aifilm.server.errors import NotFound

    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(what) from None
