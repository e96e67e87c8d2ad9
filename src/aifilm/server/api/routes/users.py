"""Accounts: register, sign in (access + rotating refresh tokens), the user's own record,
API keys."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Response
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aifilm.server import credits
from aifilm.server.assets import project_prefix
from aifilm.server.config import ServerSettings
from aifilm.server.deps import (
    CurrentUser,
    SessionDep,
    SettingsDep,
    StateDep,
    StorageDep,
    parse_id,
)
from aifilm.server.errors import Conflict, NotFound, Problem, Unauthorized
from aifilm.server.models import ApiKey, Project, RefreshToken, User, utcnow
from aifilm.server.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    Login,
    RefreshRequest,
    Tokens,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from aifilm.server.security import (
    create_access_token,
    hash_password,
    new_api_key,
    new_refresh_token,
    token_hash,
    verify_password,
)

router = APIRouter(prefix="/users", tags=["users"])
_DUMMY_HASH = hash_password("not a real password")  # same work for unknown emails


def issue_tokens(
    session: Session, user: User, settings: ServerSettings, family: uuid.UUID | None = None
) -> Tokens:
    """A new access token and a refresh token in `family` (a new family: a new sign-in)."""
    family = family or uuid.uuid4()
    access, seconds = create_access_token(
        user.id, settings.secret_key, settings.access_token_minutes, family
    )
    refresh = new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            token_hash=token_hash(refresh),
            family=family,
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    return Tokens(access_token=access, refresh_token=refresh, expires_in=seconds)


@router.post("/register", status_code=201, response_model=UserPublic)
def register(body: UserCreate, session: SessionDep, settings: SettingsDep) -> User:
    """Create an account on the free Creator plan (3 credits a month)."""
    if session.scalars(select(User.id).where(User.email == body.email)).first():
        raise Conflict("an account with this email already exists")
    user = User(
        email=body.email,
        full_name=body.full_name,
        password_hash=hash_password(body.password),
        role="admin" if body.email in [e.lower() for e in settings.admin_emails] else "creator",
        plan="creator",
        credit_balance=0,
    )
    session.add(user)
    try:
        session.flush()
        credits.start_plan(session, user, "creator")
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("an account with this email already exists") from None
    return user


@router.post("/login", response_model=Tokens)
def login(body: Login, session: SessionDep, settings: SettingsDep, state: StateDep) -> Tokens:
    """Exchange email and password for an access token and a refresh token.

    After `login_free_failures` wrong passwords an account is locked out (429), for twice
    as long after each further one; unknown emails are answered the same way.
    """
    email = body.email.strip().lower()
    locked_for = state.logins.attempt(email)
    if locked_for:
        raise Problem(
            429,
            f"too many wrong passwords for this account; try again in {locked_for} s",
            title="Too many sign-in attempts",
            headers={"Retry-After": str(locked_for)},
        )
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is None:
        verify_password(body.password, _DUMMY_HASH)
        raise Unauthorized("wrong email or password")
    if not verify_password(body.password, user.password_hash):
        raise Unauthorized("wrong email or password")
    state.logins.succeeded(email)
    if not user.is_active:
        raise Problem(403, "this account is disabled")
    user.last_login_at = utcnow()
    tokens = issue_tokens(session, user, settings)
    session.commit()
    return tokens


@router.post("/refresh", response_model=Tokens)
def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> Tokens:
    """Trade a refresh token for new tokens; the old one stops working.

    Presenting a refresh token that was already used revokes its whole chain: someone else
    may hold a copy.
    """
    row = session.scalars(
        select(RefreshToken)
        .where(RefreshToken.token_hash == token_hash(body.refresh_token))
        .with_for_update()
    ).first()
    if row is None:
        raise Unauthorized("unknown refresh token; sign in again")
    now = utcnow()
    if row.revoked_at is not None:
        _revoke_family(session, row.family)
        session.commit()
        raise Unauthorized("this refresh token was already used; sign in again")
    if row.expires_at <= now:
        raise Unauthorized("the refresh token has expired; sign in again")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("the account is disabled or gone")
    row.revoked_at = now
    tokens = issue_tokens(session, user, settings, family=row.family)
    session.commit()
    return tokens


def _revoke_family(session: Session, family: uuid.UUID) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


@router.post("/logout", status_code=204)
def logout(body: RefreshRequest, session: SessionDep) -> Response:
    """Revoke the refresh token (and its chain)."""
    row = session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == token_hash(body.refresh_token))
    ).first()
    if row is not None:
        _revoke_family(session, row.family)
        session.commit()
    return Response(status_code=204)


@router.get("/me", response_model=UserPublic)
async def read_me(user: CurrentUser) -> User:
    """The signed-in account."""
    return user


@router.patch("/me", response_model=UserPublic)
def update_me(body: UserUpdate, current: CurrentUser, session: SessionDep) -> User:
    """Change name, email or password (email and password need the current password)."""
    user = session.get(User, current.id)
    if user is None:
        raise NotFound("user")
    sensitive = body.email is not None or body.password is not None
    if sensitive and (
        body.current_password is None
        or not verify_password(body.current_password, user.password_hash)
    ):
        raise Problem(403, "give the right current_password to change email or password")
    if body.email is not None and body.email != user.email:
        if session.scalars(select(User.id).where(User.email == body.email)).first():
            raise Conflict("an account with this email already exists")
        user.email = body.email
    if body.full_name is not None:
        user.full_name = body.full_name
    if body.password is not None:
        user.password_hash = hash_password(body.password)
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("an account with this email already exists") from None
    return user


@router.delete("/me", status_code=204)
def delete_me(
    current: CurrentUser, session: SessionDep, settings: SettingsDep, storage: StorageDep
) -> Response:
    """Delete the account with all its projects, jobs, files and keys; a connected YouTube
    channel's token is revoked at Google first (the deletion goes on if that fails)."""
    from aifilm.server.youtube.oauth import revoke_quietly
    from aifilm.server.youtube.queue import connection_of

    connection = connection_of(session, current.id)
    session.commit()  # no transaction (SQLite: no write lock) held while Google answers
    if connection is not None:
        revoke_quietly(settings, connection)
    user = session.get(User, current.id)
    if user is None:
        raise NotFound("user")
    project_ids = list(session.scalars(select(Project.id).where(Project.user_id == user.id)))
    session.delete(user)
    session.commit()
    for project_id in project_ids:
        storage.delete_prefix(project_prefix(project_id))
    return Response(status_code=204)


@router.post("/me/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_api_key(body: ApiKeyCreate, user: CurrentUser, session: SessionDep) -> ApiKeyCreated:
    """A new API key; the response holds the key itself, which is not shown again."""
    key = new_api_key()
    row = ApiKey(user_id=user.id, name=body.name, prefix=key[:10], key_hash=token_hash(key))
    session.add(row)
    session.commit()
    return ApiKeyCreated(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=None,
        key=key,
    )


@router.get("/me/api-keys", response_model=list[ApiKeyPublic])
def list_api_keys(user: CurrentUser, session: SessionDep) -> list[ApiKey]:
    """The account's API keys (names and prefixes, never the keys)."""
    return list(
        session.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at))
    )


@router.delete("/me/api-keys/{key_id}", status_code=204)
def delete_api_key(key_id: str, user: CurrentUser, session: SessionDep) -> Response:
    """Delete an API key; requests using it fail from now on."""
    row = session.get(ApiKey, parse_id(key_id, "API key"))
    if row is None or row.user_id != user.id:
        raise NotFound("API key")
    session.delete(row)
    session.commit()
    return Response(status_code=204)
