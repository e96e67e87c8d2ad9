"""Per-account login lockout with exponential backoff: in memory, or in Redis when the
server has one (so that all its processes see the same count).

Each sign-in attempt counts as a failure the moment it starts (so that 100 attempts sent
at once cannot all pass before the first failure is noted) and a success wipes the count.
Once an account has `free` failures it is locked for `base` seconds, twice that after the
next failure, and so on up to `most`. Unknown emails are counted the same way as real
accounts, so the answers never tell which accounts exist. Accounts are keyed by a hash of
the email: the store never holds the addresses.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

FORGET_AFTER_S = 24 * 3600  # a count with no failure for this long starts again from zero


@dataclass(frozen=True)
class Backoff:
    """How many failures are free, the first lockout and the longest one (seconds)."""

    free: int
    base: int
    most: int

    def locked_for(self, failures: int, last: float, now: float) -> int:
        """Seconds left of the lockout after `failures`, the last at `last` (0: open)."""
        if failures < self.free:
            return 0
        lock = min(self.base << min(failures - self.free, 30), self.most)
        return max(0, math.ceil(last + lock - now))


def account_key(email: str) -> str:
    """The store's name for an account: a hash of its normalised email."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


class LoginGuard(ABC):
    """Counts sign-in failures per account."""

    def __init__(self, backoff: Backoff) -> None:
        self.backoff = backoff

    @abstractmethod
    def attempt(self, email: str) -> int:
        """Note an attempt on the account (as a failure until `succeeded`); returns the
        seconds its lockout has left (then the attempt is not counted), else 0."""

    @abstractmethod
    def succeeded(self, email: str) -> None:
        """The attempt was right: forget the account's failures."""


class MemoryLoginGuard(LoginGuard):
    """Counts in this process."""

    def __init__(self, backoff: Backoff) -> None:
        super().__init__(backoff)
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}
        self._pruned_at = 0.0

    def attempt(self, email: str) -> int:
        key, now = account_key(email), time.time()
        with self._lock:
            # Forget the stale ones, at most once a minute: a spray of fresh emails that keeps
            # the table full must not make every sign-in walk all of it.
            if len(self._failures) > 100_000 and now - self._pruned_at > 60:
                self._pruned_at = now
                old = now - FORGET_AFTER_S
                self._failures = {k: v for k, v in self._failures.items() if v[1] > old}
            failures, last = self._failures.get(key, (0, 0.0))
            if now - last > FORGET_AFTER_S:
                failures = 0
            left = self.backoff.locked_for(failures, last, now)
            if not left:
                self._failures[key] = (failures + 1, now)
            return left

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(account_key(email), None)


# Check and count in one step, so that concurrent attempts on several processes cannot all
# read the count before any of them has raised it.
_ATTEMPT = """
local failures = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local now, free, base, most = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
    tonumber(ARGV[4])
if failures >= free then
  local lock = math.min(base * 2 ^ math.min(failures - free, 30), most)
  local left = last + lock - now
  if left > 0 then return math.ceil(left) end
end
redis.call('HSET', KEYS[1], 'n', failures + 1, 't', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 0
"""


class RedisLoginGuard(LoginGuard):
    """Counts in Redis: one hash per account (failures, last failure), expiring."""

    def __init__(self, backoff: Backoff, url: str, client: Any = None) -> None:
        super().__init__(backoff)
        if client is None:
            import redis

            client = redis.Redis.from_url(url)
        self.client = client
        self._script = client.register_script(_ATTEMPT)

    def attempt(self, email: str) -> int:
        b = self.backoff
        args = [repr(time.time()), b.free, b.base, b.most, FORGET_AFTER_S]
        return int(self._script(keys=[self._name(email)], args=args))

    def succeeded(self, email: str) -> None:
        self.client.delete(self._name(email))

    @staticmethod
    def _name(email: str) -> str:
        return f"aifilm:login:{account_key(email)}"


def make_login_guard(backoff: Backoff, redis_url: str | None) -> LoginGuard:
    """Redis-backed when a URL is given, else in memory."""
    return RedisLoginGuard(backoff, redis_url) if redis_url else MemoryLoginGuard(backoff)
