"""The account's signed-in sessions: each sign-in starts a chain (family) of refresh tokens,
rotated on every refresh; listing the live chains shows where the account is signed in,
and revoking one signs that browser or device out at its next refresh."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field
from sqlalchemy import case, func, select, update

from aifilm.server.deps import CurrentUser, SessionDep, SettingsDep, bearer_token, parse_id
from aifilm.server.errors import NotFound
from aifilm.server.models import RefreshToken, utcnow
from aifilm.server.security import access_token_session

router = APIRouter(prefix="/users/me/sessions", tags=["users"])
Token = Annotated[str, Depends(bearer_token)]


class SessionPublic(BaseModel):
    """A signed-in session: one sign-in and the refreshes that followed it."""

    id: uuid.UUID
    signed_in_at: datetime
    last_active_at: datetime = Field(description="When its tokens were last refreshed.")
    expires_at: datetime = Field(description="When it ends unless refreshed again.")
    current: bool = Field(description="The session this request's access token belongs to.")


@router.get("", response_model=list[SessionPublic])
def list_sessions(
    user: CurrentUser, session: SessionDep, settings: SettingsDep, token: Token
) -> list[SessionPublic]:
    """Where the account is signed in, most recently active first."""
    now = utcnow()
    live = case(((RefreshToken.revoked_at.is_(None)) & (RefreshToken.expires_at > now), 1), else_=0)
    rows = session.execute(
        select(
            RefreshToken.family,
            func.min(RefreshToken.created_at),
            func.max(RefreshToken.created_at),
            func.max(RefreshToken.expires_at),
        )
        .where(RefreshToken.user_id == user.id)
        .group_by(RefreshToken.family)
        .having(func.sum(live) > 0)
        .order_by(func.max(RefreshToken.created_at).desc())
    )
    current = access_token_session(token, settings.secret_key)
    return [
        SessionPublic(
            id=family,
            signed_in_at=first,
            last_active_at=last,
            expires_at=expires,
            current=family == current,
        )
        for family, first, last, expires in rows
    ]


def _revoke(session: SessionDep, user_id: uuid.UUID, *where: object) -> int:
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None), *where)  # type: ignore[arg-type]
        .values(revoked_at=utcnow())
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@router.delete("/{session_id}", status_code=204)
def revoke_session(session_id: str, user: CurrentUser, session: SessionDep) -> Response:
    """Sign one session out: its refresh token stops working (its current access token
    lasts until it expires, minutes at most)."""
    family = parse_id(session_id, "session")
    if not _revoke(session, user.id, RefreshToken.family == family):
        raise NotFound("session")
    return Response(status_code=204)


@router.delete("", status_code=204)
def revoke_other_sessions(
    user: CurrentUser, session: SessionDep, settings: SettingsDep, token: Token
) -> Response:
    """Sign out everywhere else: every session but this request's own."""
    current = access_token_session(token, settings.secret_key)
    where = [] if current is None else [RefreshToken.family != current]
    _revoke(session, user.id, *where)
    return Response(status_code=204)
