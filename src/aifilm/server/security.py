"""Passwords (argon2), access tokens (JWT, HS256), refresh tokens and API keys (random, stored
as SHA-256 hashes: they carry enough entropy that a slow hash buys nothing)."""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_KEY_PREFIX = "afk_"  # tells an API key from a JWT at a glance
ALGORITHM = "HS256"
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    """Whether `password` matches `hashed`."""
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """The stored form of a refresh token or API key."""
    return hashlib.sha256(token.encode()).hexdigest()


def api_key_bucket(token: str) -> str:
    """A short name for an API key in rate-limit counters (never the key itself)."""
    return token_hash(token)[:24]


def new_refresh_token() -> str:
    """A fresh opaque refresh token."""
    return secrets.token_urlsafe(48)


def new_api_key() -> str:
    """A fresh API key, shown to its owner once."""
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def create_access_token(
    user_id: uuid.UUID, secret: str, minutes: int, session_id: uuid.UUID | None = None
) -> tuple[str, int]:
    """A signed access token for `user_id` and its lifetime in seconds; `session_id` (the
    refresh-token family it came with) lets the sessions list mark "this session"."""
    now = datetime.now(timezone.utc)
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "iat": now,
        "exp": now + timedelta(minutes=minutes),
        "type": "access",
    }
    if session_id is not None:
        payload["sid"] = str(session_id)
    return jwt.encode(payload, secret, algorithm=ALGORITHM), minutes * 60


def access_token_session(token: str, secret: str) -> uuid.UUID | None:
    """The session (refresh-token family) a valid access token was issued with, else None
    (an API key, an older token, a bad signature)."""
    try:
        payload: dict[str, Any] = jwt.decode(token, secret, algorithms=[ALGORITHM])
        return uuid.UUID(str(payload["sid"])) if payload.get("type") == "access" else None
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None


def decode_access_token(token: str, secret: str) -> uuid.UUID | None:
    """The user id in a valid, unexpired access token, else None.

    A client sends the same token many times, so a verified token's subject and expiry are
    remembered (`_verified`): checking its signature again would cost more CPU than the
    rest of a small request. Its expiry is still checked on every use.
    """
    verified = _verified(token, secret)
    if verified is None or verified[1] <= time.time():
        return None
    return verified[0]


@lru_cache(maxsize=4096)
def _verified(token: str, secret: str) -> tuple[uuid.UUID, float] | None:
    """The subject and expiry (epoch seconds) of an access token with a good signature."""
    try:
        payload: dict[str, Any] = jwt.decode(token, secret, algorithms=[ALGORITHM])
        if payload.get("type") != "access":
            return None
        return uuid.UUID(str(payload["sub"])), float(payload["exp"])
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None
