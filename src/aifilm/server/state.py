"""What one running server holds: settings, database, storage, rate limiter, workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session, sessionmaker

from aifilm.server.config import ServerSettings
from aifilm.server.db import make_async_reader_engine, make_engine, make_sessionmaker
from aifilm.server.lockout import Backoff, LoginGuard, make_login_guard
from aifilm.server.ratelimit import KnownKeys, RateLimiter, make_rate_limiter
from aifilm.server.sse import StreamSlots
from aifilm.server.storage import Storage, make_storage

if TYPE_CHECKING:
    from aifilm.server.worker import ThreadWorker


@dataclass
class ServerState:
    """The server's shared objects; one per app (tests make many)."""

    settings: ServerSettings
    engine: Engine
    sessions: sessionmaker[Session]
    readers: sessionmaker[Session]  # read-only, in worker threads: progress streams, readiness
    async_engine: AsyncEngine  # read-only, on the event loop: auth, what clients poll
    storage: Storage
    limiter: RateLimiter
    logins: LoginGuard
    worker: ThreadWorker | None = None
    streams: StreamSlots = field(default_factory=StreamSlots)
    known_keys: KnownKeys = field(default_factory=KnownKeys)  # API keys seen to authenticate
    extras: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: ServerSettings, storage: Storage | None = None) -> ServerState:
        """Connect to what the settings name."""
        engine = make_engine(settings.db_url)
        sessions = make_sessionmaker(engine)
        if settings.crm_sinks:  # CRM sync: events written with the changes (crm/capture.py)
            from aifilm.server.crm.capture import install

            install(sessions)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            readers=make_sessionmaker(engine, readonly=True),
            async_engine=make_async_reader_engine(settings.db_url),
            storage=storage or make_storage(settings),
            limiter=make_rate_limiter(settings.redis_url),
            logins=make_login_guard(
                Backoff(
                    settings.login_free_failures,
                    settings.login_lockout_seconds,
                    settings.login_max_lockout_seconds,
                ),
                settings.redis_url,
            ),
        )

    def close(self) -> None:
        """Stop the workers and close connections."""
        if self.worker is not None:
            self.worker.stop()
        self.engine.dispose()
        # Without an event loop, pooled asyncio connections are dropped, not closed.
        self.async_engine.sync_engine.dispose(close=False)

    async def aclose(self) -> None:
        """`close`, on the event loop: the asyncio connections are closed properly."""
        await self.async_engine.dispose()
        self.close()
