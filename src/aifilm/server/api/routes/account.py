"""Email links: verify the account's address, and reset a forgotten password.

Each link carries a short-lived signed token (JWT, the server's secret) rather than a
stored one. A reset token names a fingerprint of the password hash it was issued for, so it
works once: the new password changes the hash and the link stops working.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import select, update

from aifilm.server.config import ServerSettings
from aifilm.server.deps import CurrentUser, SessionDep, SettingsDep, StateDep
from aifilm.server.errors import Problem
from aifilm.server.mail import Mail, send_quietly
from aifilm.server.models import RefreshToken, User, utcnow
from aifilm.server.schemas import MAX_PASSWORD_CHARS, UserPublic
from aifilm.server.security import ALGORITHM, hash_password
from aifilm.server.state import ServerState

router = APIRouter(prefix="/users", tags=["users"])
VERIFY_HOURS = 48
RESET_MINUTES = 60


class EmailBody(BaseModel):
    email: str = Field(max_length=320)


class TokenBody(BaseModel):
    token: str = Field(max_length=2000)


class ResetBody(TokenBody):
    password: str = Field(min_length=8, max_length=MAX_PASSWORD_CHARS)


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def make_token(settings: ServerSettings, kind: str, claims: dict[str, Any], life: timedelta) -> str:
    """A signed token of `kind` ("verify" or "reset") carrying `claims`."""
    now = datetime.now(timezone.utc)
    payload = {**claims, "type": kind, "iat": now, "exp": now + life}
    return jwt.encode(payload, settings.secret_key, algorithm=ALGORITHM)


def read_token(settings: ServerSettings, kind: str, token: str) -> dict[str, Any]:
    """The claims of a valid token of `kind`, or a 400 problem saying what to do."""
    try:
        claims: dict[str, Any] = jwt.decode(token, settings.secret_key, algorithms=[ALGORITHM])
    except jwt.ExpiredSignatureError:
        raise Problem(400, "this link has expired; ask for a new one") from None
    except jwt.PyJWTError:
        raise Problem(400, "this link is not valid; ask for a new one") from None
    if claims.get("type") != kind:
        raise Problem(400, "this link is not valid; ask for a new one")
    return claims


def _mailer(state: ServerState) -> Any:
    from aifilm.server.billing.deps import mailer_for

    return mailer_for(state)


def send_verification(state: ServerState, settings: ServerSettings, user: User) -> None:
    """Email `user` a link that proves they own their address."""
    token = make_token(
        settings,
        "verify",
        {"sub": str(user.id), "email": user.email},
        timedelta(hours=VERIFY_HOURS),
    )
    link = f"{settings.public_url.rstrip('/')}/verify?token={token}"
    body = (
        f"Welcome to aifilm.\n\nOpen this link to verify your email address:\n{link}\n\n"
        f"It works for {VERIFY_HOURS} hours. If you did not sign up, ignore this email."
    )
    send_quietly(_mailer(state), Mail(user.email, "Verify your aifilm email address", body))


@router.post("/me/verify-email", status_code=202)
def resend_verification(
    current: CurrentUser, settings: SettingsDep, state: StateDep
) -> dict[str, str]:
    """Email the signed-in user a new verification link."""
    send_verification(state, settings, current)
    return {"status": "sent", "to": current.email}


@router.post("/verify-email", response_model=UserPublic)
def verify_email(body: TokenBody, session: SessionDep, settings: SettingsDep) -> User:
    """Mark the address in a verification link as proven."""
    claims = read_token(settings, "verify", body.token)
    user = session.get(User, uuid.UUID(str(claims.get("sub"))))
    if user is None or user.email != claims.get("email"):
        raise Problem(400, "this link is for an address the account no longer uses")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        session.commit()
    return user


@router.post("/password-reset", status_code=202)
def request_reset(
    body: EmailBody, session: SessionDep, settings: SettingsDep, state: StateDep
) -> dict[str, str]:
    """Email a password-reset link, if an account has this address (the answer is the same
    either way, so it tells nobody which addresses have accounts)."""
    email = body.email.strip().lower()
    user = session.scalars(select(User).where(User.email == email)).first()
    if user is not None and user.is_active:
        token = make_token(
            settings,
            "reset",
            {"sub": str(user.id), "ph": _fingerprint(user.password_hash)},
            timedelta(minutes=RESET_MINUTES),
        )
        link = f"{settings.public_url.rstrip('/')}/reset?token={token}"
        text = (
            f"Someone asked to reset the password of your aifilm account.\n\n"
            f"Open this link to choose a new one (it works for {RESET_MINUTES} minutes, once):"
            f"\n{link}\n\nIf it was not you, ignore this email: your password stays as it is."
        )
        send_quietly(_mailer(state), Mail(user.email, "Reset your aifilm password", text))
    return {"status": "sent if the account exists"}


@router.post("/password-reset/confirm", status_code=204)
def confirm_reset(body: ResetBody, session: SessionDep, settings: SettingsDep) -> Response:
    """Set a new password from a reset link; every signed-in session is signed out."""
    claims = read_token(settings, "reset", body.token)
    user = session.get(User, uuid.UUID(str(claims.get("sub"))))
    if user is None or claims.get("ph") != _fingerprint(user.password_hash):
        raise Problem(400, "this link was already used or is out of date; ask for a new one")
    user.password_hash = hash_password(body.password)
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    session.commit()
    return Response(status_code=204)
