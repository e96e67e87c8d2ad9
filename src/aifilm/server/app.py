"""The FastAPI app factory: `create_app(settings)`.

Nothing is read from the environment at import; `create_app()` without arguments reads
`ServerSettings()` (environment and settings file) when it is called.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from aifilm import __version__
from aifilm.server.api.main import api_router
from aifilm.server.api.routes import health
from aifilm.server.bodylimit import BodyLimit
from aifilm.server.config import ServerSettings
from aifilm.server.errors import install_handlers
from aifilm.server.middleware import RequestContext
from aifilm.server.openapi import install_openapi
from aifilm.server.state import ServerState
from aifilm.server.storage import Storage
from aifilm.server.web.site import install_site


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
        crm = None
        if settings.worker == "thread":  # else `aifilm worker` processes deliver the outbox
            from aifilm.server.crm.dispatch import start_dispatcher

            crm = start_dispatcher(state.sessions, settings)
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
            if crm is not None:
                crm.stop()
            await state.aclose()

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
    # Inside CORS (so its refusals carry CORS headers), inside the request context (so rate
    # limits come first and its answers are logged with a request id).
    app.add_middleware(BodyLimit, state=state, openapi=lambda: app.openapi())
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["X-Request-ID", "Idempotent-Replayed"],
        )

    app.add_middleware(RequestContext, state=state)
    app.include_router(health.router)
    app.include_router(api_router)
    install_openapi(app)
    install_site(app)  # last: its catch-all page route comes after every API route
    return app
