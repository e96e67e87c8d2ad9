"""All API routes under `/api`."""

from __future__ import annotations

from fastapi import APIRouter

from aifilm.server.api.routes import admin, credits, jobs, payments, projects, users, youtube

api_router = APIRouter(prefix="/api")
for module in (users, projects, jobs, credits, payments, youtube, admin):
    api_router.include_router(module.router)
