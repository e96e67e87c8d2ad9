"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from aifilm.server.db import current_revision, head_revision
from aifilm.server.deps import StateDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: StateDep) -> JSONResponse:
    """The database answers and is migrated; storage is usable."""
    checks: dict[str, str] = {}
    try:
        with state.readers() as session:
            session.execute(text("SELECT 1"))
            at, head = current_revision(session.connection()), head_revision()
        checks["database"] = "ok" if at == head else f"at revision {at}, need {head}"
    except Exception as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
    checks["storage"] = "ok" if state.storage.ready() else "not usable"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )
