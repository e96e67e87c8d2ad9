"""Dependencies routes declare, as `Annotated` aliases: `SessionDep`, `CurrentUser`, ...

All are `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool,
and each such hop costs more CPU than the work it does. The auth check reads through the
asyncio session (`AsyncReaderDep`), which the read-only routes share.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Session

from aifilm.server import reads
from aifilm.server.config import ServerSettings
from aifilm.server.db import NOWAIT, WriteBusy
from aifilm.server.errors import Forbidden, Unauthorized
from aifilm.server.models import ApiKey, User, utcnow
from aifilm.server.security import API_KEY_PREFIX, decode_access_token, token_hash
from aifilm.server.state import ServerState
from aifilm.server.storage import Storage
from aifilm.server.web.cookies import SESSION_COOKIE, check_csrf


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
    """A read-only session in a worker thread, for read-only routes that are plain `def`:
    autocommit reads, no BEGIN/ROLLBACK round trips, never SQLite's write lock."""
    with state.readers() as session:
        yield session


async def get_async_reader(state: StateDep) -> AsyncIterator[AsyncConnection]:
    """A read-only asyncio connection for the request (autocommit), shared by the auth check
    and the read-only `async def` routes: one connection, no thread hand-off."""
    async with state.async_engine.connect() as conn:
        yield conn


async def get_storage(state: StateDep) -> Storage:
    return state.storage


SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
# Bounded below the worker-thread pool (40): a request holding SQLite's write lock must always
# find a free thread to finish on, and the database pool is not outrun.
SessionDep = Annotated[Session, Depends(get_db, max_concurrency=16)]
ReaderDep = Annotated[Session, Depends(get_reader)]
AsyncReaderDep = Annotated[AsyncConnection, Depends(get_async_reader)]
StorageDep = Annotated[Storage, Depends(get_storage)]


async def bearer_token(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> str:
    """The token in `Authorization: Bearer <token>`, else the browser's session cookie (an
    access token; a state-changing request must then pass the CSRF check)."""
    if not authorization:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie and not cookie.startswith(API_KEY_PREFIX):
            check_csrf(request)
            return cookie
        raise Unauthorized("send 'Authorization: Bearer <access token or API key>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()


async def authenticate(
    request: Request, state: ServerState, conn: AsyncConnection, token: str
) -> User:
    """The user a bearer token (access token or API key) belongs to, read on `conn`.

    An API key is found by its SHA-256 (no slow hash per request).
    """
    user: User | None
    if token.startswith(API_KEY_PREFIX):
        found = await reads.user_by_api_key(conn, token_hash(token))
        if found is None:
            raise Unauthorized("unknown or deleted API key")
        user, key_id, last_used = found
        if _touch_due(key_id, last_used):
            await run_in_threadpool(_touch_api_key, state, key_id)
    else:
        user_id = decode_access_token(token, state.settings.secret_key)
        if user_id is None:
            raise Unauthorized("the access token is invalid or expired; sign in again")
        user = await reads.user_by_id(conn, user_id)
        if user is None:
            raise Unauthorized("the account no longer exists")
    if not user.is_active:
        raise Forbidden("this account is disabled")
    request.state.user_id = str(user.id)
    return user


async def get_current_user(
    request: Request,
    state: StateDep,
    conn: AsyncReaderDep,
    token: Annotated[str, Depends(bearer_token)],
) -> User:
    """The signed-in user (a detached snapshot), from an access token or an API key.

    Read on the request's read-only asyncio connection, so that checking a token never
    waits for a writer nor for a thread. Routes that change the user load it again in their
    session.
    """
    return await authenticate(request, state, conn, token)


async def get_stream_user(
    request: Request, state: StateDep, token: Annotated[str, Depends(bearer_token)]
) -> User:
    """The signed-in user, checked on a connection that is back in the pool before the
    route returns: an event stream lives for minutes, and must not hold one all that time
    (the request's own `AsyncReaderDep` is released only when the response ends)."""
    async with state.async_engine.connect() as conn:
        return await authenticate(request, state, conn, token)


_TOUCHED: dict[uuid.UUID, float] = {}  # API key -> when this process last noted its use


def _touch_due(key_id: uuid.UUID, last_used: datetime | None) -> bool:
    """Whether to note the key's use now: at most once a minute, and once per process, not by
    every request that reads the old time while the first write is under way (50 clients
    on one key would otherwise queue on its row's lock)."""
    if last_used is not None and (utcnow() - last_used).total_seconds() <= 60:
        return False
    now = time.monotonic()
    if now - _TOUCHED.get(key_id, -1e9) <= 60:
        return False
    if len(_TOUCHED) > 10_000:
        _TOUCHED.clear()
    _TOUCHED[key_id] = now
    return True


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
StreamUser = Annotated[User, Depends(get_stream_user)]


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


MAX_OFFSET = 1_000_000_000  # both databases' OFFSET holds 2^63 - 1; past this is no page


async def page_params(
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
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
