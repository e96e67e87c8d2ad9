"""What the studio's pages need beyond the resource routes: the public plan table, and
checking a script or project.yaml as the user types (errors at line and column)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aifilm.server.billing.catalog import PACK_PRODUCTS, PLAN_PRODUCTS
from aifilm.server.deps import CurrentUser, SettingsDep
from aifilm.server.errors import Problem
from aifilm.server.plans import PLANS
from aifilm.server.projectspec import check_spec
from aifilm.server.studio_spec import script_to_spec

router = APIRouter(prefix="/studio", tags=["studio"])


class PlanRow(BaseModel):
    """A plan as the pricing table shows it."""

    name: str
    monthly_credits: int | None
    max_seconds: float
    max_long_side: int
    watermark: bool
    youtube: bool
    usd_cents: int


class PackRow(BaseModel):
    key: str
    credits: int
    usd_cents: int


class Pricing(BaseModel):
    plans: list[PlanRow]
    packs: list[PackRow]


@router.get("/pricing", response_model=Pricing)
async def pricing() -> Pricing:
    """The plans (from the server's plan table) and credit packs, with prices; public."""
    plans = [
        PlanRow(
            name=p.name,
            monthly_credits=p.monthly_credits,
            max_seconds=p.max_seconds,
            max_long_side=p.max_long_side,
            watermark=p.watermark,
            youtube=p.youtube,
            usd_cents=PLAN_PRODUCTS[p.name].usd_cents if p.name in PLAN_PRODUCTS else 0,
        )
        for p in PLANS.values()
    ]
    packs = [PackRow(key=k, credits=p.credits or 0, usd_cents=p.usd_cents) for k, p in PACK_PRODUCTS.items()]
    return Pricing(plans=plans, packs=packs)


class ValidateBody(BaseModel):
    text: str = Field(max_length=1_000_000)
    format: Literal["yaml", "plain", "fountain"] = "yaml"
    title: str | None = Field(None, max_length=100)


class Validation(BaseModel):
    """Whether the text makes a valid project; its issues at the text's own lines."""

    ok: bool
    spec: str | None = None  # the project.yaml the text becomes
    title: str | None = None
    duration: float | None = None
    files: list[str] = Field(default_factory=list)
    issues: list[dict[str, Any]] = Field(default_factory=list)
    detail: str | None = None


@router.post("/validate", response_model=Validation)
def validate(body: ValidateBody, user: CurrentUser, settings: SettingsDep) -> Validation:
    """Check a project.yaml or a plain/Fountain script as the server would on save; a
    script's issues are reported at the script's lines."""
    if body.format == "yaml":
        spec, offset = body.text, 0
    else:
        spec, offset = script_to_spec(body.text, body.format, body.title or "Untitled")
    try:
        facts = check_spec(spec, settings.max_spec_bytes)
    except Problem as problem:
        issues = []
        for issue in problem.extra.get("issues", []):
            row = dict(issue)
            if offset and row.get("line"):
                row["line"] = max(1, row["line"] - offset)
                row["column"] = row.get("column") or 1
            issues.append(row)
        return Validation(ok=False, issues=issues, detail=problem.detail)
    return Validation(
        ok=True, spec=spec, title=facts.title, duration=facts.duration, files=facts.files
    )
