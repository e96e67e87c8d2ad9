"""The FastAPI app factory: `create_app(settings)`.

Nothing is read from the environment at import; `create_app()` without arguments reads
`ServerSettings()` (environment and settings file) when it is called.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from aifilm import __version__
from aifilm.server.api.main import api_router
from aifilm.server.api.routes import health
from aifilm.server.config import ServerSettings
from aifilm.server.errors import install_handlers, problem_response
from aifilm.server.state import ServerState
from aifilm.server.storage import Storage

log = logging.getLogger("aifilm.server.access")
AUTH_PATHS = ("/api/users/login", "/api/users/register", "/api/users/refresh")
UNLIMITED_PATHS = ("/api/payments/webhooks/stripe",)  # Stripe's deliveries are signed


def create_app(
    settings: ServerSettings | None = None, *, storage: Storage | None = None
) -> FastAPI:
    """A server app for `settings`; its worker threads start with the app (lifespan)."""
    settings = settings or ServerSettings()
    state = ServerState.build(settings, storage)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.worker == "thread":
            from aifilm.server.worker import ThreadWorker

            state.worker = ThreadWorker(
                state.sessions, state.storage, settings, settings.worker_threads
            )
            state.worker.start()
        sweeper = None
        if settings.stripe_secret_key and settings.billing_sweep_seconds > 0:
            from aifilm.server.billing.sweep import LapseSweeper

            sweeper = LapseSweeper(state.sessions, settings.billing_sweep_seconds)
            sweeper.start()
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.stop()
            state.close()

    app = FastAPI(
        title="aifilm server",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.aifilm = state
    install_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Idempotent-Replayed"],
        )

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if 0 < len(incoming) <= 100 else uuid.uuid4().hex
        request.state.request_id = request_id
        started = time.perf_counter()
        limited = _rate_limit(request, state)
        response = limited or await call_next(request)
        response.headers["X-Request-ID"] = request_id
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": getattr(request.state, "user_id", None),
                "client": request.client.host if request.client else None,
            },
        )
        return response

    app.include_router(health.router)
    app.include_router(api_router)
    return app


def _rate_limit(request: Request, state: ServerState) -> Response | None:
    """A 429 problem when the client is over its limit, else None."""
    settings = state.settings
    path = request.url.path
    if not path.startswith("/api/") or path in UNLIMITED_PATHS:
        return None
    strict = path in AUTH_PATHS
    limit = settings.auth_rate_limit_per_minute if strict else settings.rate_limit_per_minute
    if limit <= 0:
        return None
    auth = request.headers.get("authorization", "")
    if auth and not strict:
        who = "t:" + hashlib.sha256(auth.encode()).hexdigest()[:24]
    else:
        who = "ip:" + (request.client.host if request.client else "unknown")
    allowed, retry = state.limiter.hit(("auth:" if strict else "") + who, limit)
    if allowed:
        return None
    return problem_response(
        request,
        429,
        f"more than {limit} requests a minute; try again in {retry} s",
        headers={"Retry-After": str(retry)},
    )
