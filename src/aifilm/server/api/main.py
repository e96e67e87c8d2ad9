"""All API routes under `/api`."""

from __future__ import annotations

from fastapi import APIRouter

from aifilm.server.api.routes import (
    account,
    admin,
    admin_content,
    analytics,
    credits,
    crm,
    jobs,
    payments,
    projects,
    session,
    sessions,
    studio,
    users,
    youtube,
)

api_router = APIRouter(prefix="/api")
# Most requests first: the router tries each route in turn, and clients mostly poll jobs.
for module in (
    jobs,
    projects,
    users,
    account,
    session,
    sessions,
    studio,
    credits,
    youtube,
    payments,
    admin,
    admin_content,
    analytics,
    crm,
):
    api_router.include_router(module.router)
