"""Fixed-window rate limits per client: in memory by default, in Redis when configured
(so several server processes share one count)."""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import Any


class RateLimiter(ABC):
    """Counts hits per key per minute."""

    @abstractmethod
    def hit(self, key: str, limit: int, window: int = 60) -> tuple[bool, int]:
        """Count a hit; return (allowed, seconds until the window resets)."""

    @abstractmethod
    def count(self, key: str, window: int = 60) -> tuple[int, int]:
        """The hits counted in this window, and seconds until it resets (counts nothing)."""


class MemoryRateLimiter(RateLimiter):
    """Counts in this process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: int = 60) -> tuple[bool, int]:
        now = time.time()
        slot = int(now // window)
        with self._lock:
            if len(self._counts) > 10_000:  # drop old windows
                self._counts = {k: v for k, v in self._counts.items() if k[1] == slot}
            count = self._counts.get((key, slot), 0) + 1
            self._counts[(key, slot)] = count
        return count <= limit, int(window - now % window) + 1

    def count(self, key: str, window: int = 60) -> tuple[int, int]:
        now = time.time()
        with self._lock:
            count = self._counts.get((key, int(now // window)), 0)
        return count, int(window - now % window) + 1


class RedisRateLimiter(RateLimiter):
    """Counts in Redis: INCR on a key per window, expiring with it."""

    def __init__(self, url: str, client: Any = None) -> None:
        if client is None:
            import redis

            client = redis.Redis.from_url(url)
        self.client = client

    def hit(self, key: str, limit: int, window: int = 60) -> tuple[bool, int]:
        now = time.time()
        slot = int(now // window)
        name = f"aifilm:rl:{key}:{slot}"
        pipe = self.client.pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 1)
        count = int(pipe.execute()[0])
        return count <= limit, int(window - now % window) + 1

    def count(self, key: str, window: int = 60) -> tuple[int, int]:
        now = time.time()
        found = self.client.get(f"aifilm:rl:{key}:{int(now // window)}")
        return int(found or 0), int(window - now % window) + 1


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    """Redis-backed when a URL is given, else in memory."""
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()


class KnownKeys:
    """API keys this process has seen authenticate, by hash, most recent last (bounded).

    An API key gets a rate-limit allowance of its own only once it has proven itself: until
    then its requests count against their address, so a made-up key per request on a route
    that never checks keys (the plan list, health) buys no fresh allowance.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key_hash: str) -> None:
        with self._lock:
            self._seen[key_hash] = None
            self._seen.move_to_end(key_hash)
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)

    def __contains__(self, key_hash: object) -> bool:
        with self._lock:
            return key_hash in self._seen
