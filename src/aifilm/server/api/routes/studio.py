"""What the studio's pages need beyond the resource routes: the public plan table, checking
a script or project.yaml as the user types (errors at line and column), templates, the plan
and its cost before spending, voice and music previews, setting voices and music."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from aifilm.server.api.routes.projects import own_project
from aifilm.server.billing.catalog import PACK_PRODUCTS, PLAN_PRODUCTS
from aifilm.server.deps import CurrentUser, SessionDep, SettingsDep, StateDep
from aifilm.server.errors import Problem
from aifilm.server.plans import PLANS
from aifilm.server.projectspec import check_spec
from aifilm.server.schemas import JobPublic, ProjectPublic
from aifilm.server.studio_media import music_preview, voice_preview
from aifilm.server.studio_plan import plan_spec
from aifilm.server.studio_spec import script_to_spec, set_choices
from aifilm.server.studio_templates import TEMPLATES
from aifilm.spec.models import MAX_DURATION_S, MIN_DURATION_S
from aifilm.spec.vocabulary import GENRES, LANGUAGE_CODES, VOICE_PRESETS

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
    packs = [
        PackRow(key=k, credits=p.credits or 0, usd_cents=p.usd_cents)
        for k, p in PACK_PRODUCTS.items()
    ]
    return Pricing(plans=plans, packs=packs)


class ValidateBody(BaseModel):
    text: str = Field(description="The script or project.yaml (at most max_spec_bytes).")
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


class TemplatePublic(BaseModel):
    key: str
    name: str
    description: str
    spec: str


@router.get("/templates", response_model=list[TemplatePublic])
async def templates() -> list[TemplatePublic]:
    """Projects to start from: story, explainer, podcast, devotional, YouTube Short."""
    return [TemplatePublic(**vars(t)) for t in TEMPLATES]


class PlanBody(BaseModel):
    spec: str = Field(description="The project.yaml text (at most max_spec_bytes).")
    length_seconds: float | None = Field(None, ge=MIN_DURATION_S, le=MAX_DURATION_S)


@router.post("/plan")
def plan(body: PlanBody, user: CurrentUser, settings: SettingsDep) -> dict[str, Any]:
    """What a render of this project.yaml will make and cost, before spending: shots and
    timings, the estimated render time, and the credits the job will be charged."""
    from aifilm.errors import AifilmError

    try:
        summary = plan_spec(
            body.spec, body.length_seconds, settings.max_spec_bytes, settings.allowed_backends
        )
    except AifilmError as error:
        raise Problem(422, str(error), title="Cannot plan this project") from None
    summary["balance"] = user.credit_balance
    return summary


class Catalogue(BaseModel):
    """The choices the project page offers."""

    voices: list[dict[str, str]]
    genres: list[dict[str, str]]
    languages: list[str]
    stages: list[str]
    writer: bool


@router.get("/catalogue", response_model=Catalogue)
async def catalogue(user: CurrentUser, settings: SettingsDep) -> Catalogue:
    """Voice presets, music genres and languages (with descriptions), the render's stages,
    and whether this server can draft a script from a topic."""
    from aifilm.pipeline.stages import STAGE_NAMES  # the pipeline loads on first use only

    return Catalogue(
        voices=[{"id": k, "description": v} for k, v in VOICE_PRESETS.items()],
        genres=[{"id": g.id, "family": g.family, "description": g.description} for g in GENRES],
        languages=list(LANGUAGE_CODES),
        stages=list(STAGE_NAMES),
        writer=bool(settings.writer_llm),
    )


def _preview(make: Callable[..., Path], *args: Any) -> Path:
    """A preview file; a backend that cannot make it (a language it lacks) is a 422."""
    from aifilm.errors import AifilmError

    try:
        return make(*args)
    except AifilmError as error:
        raise Problem(422, f"no preview: {error}", title="No preview") from None


@router.get("/voices/{preset}/preview", response_class=FileResponse)
async def voice_sample(
    preset: str, user: CurrentUser, settings: SettingsDep, language: str = "en"
) -> FileResponse:
    """A WAV of the server's voice speaking a sample line with this preset."""
    path = await run_in_threadpool(_preview, voice_preview, settings.cache_dir, preset, language)
    return FileResponse(
        path, media_type="audio/wav", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get("/music/{genre}/preview", response_class=FileResponse)
async def music_sample(genre: str, user: CurrentUser, settings: SettingsDep) -> FileResponse:
    """A WAV of a few seconds of this music genre."""
    path = await run_in_threadpool(_preview, music_preview, settings.cache_dir, genre)
    return FileResponse(
        path, media_type="audio/wav", headers={"Cache-Control": "private, max-age=86400"}
    )


class ChoicesBody(BaseModel):
    voices: dict[str, str] = Field(default_factory=dict, description="character -> preset")
    music_genre: str | None = None


@router.post("/projects/{project_id}/choices", response_model=ProjectPublic)
def set_project_choices(
    project_id: str,
    body: ChoicesBody,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> ProjectPublic:
    """Set each character's voice and the music genre in the project's spec (the spec is
    written anew: YAML comments are not kept)."""
    from aifilm.server.api.routes.projects import update_project
    from aifilm.server.schemas import ProjectUpdate

    project = own_project(session, user, project_id)
    spec = set_choices(project.spec, body.voices, body.music_genre)
    return update_project(project_id, ProjectUpdate(spec=spec), user, session, settings)


@router.get("/projects/{project_id}/jobs", response_model=list[JobPublic])
def project_jobs(project_id: str, user: CurrentUser, session: SessionDep) -> list[JobPublic]:
    """The project's last 20 renders, newest first, with their result files."""
    from sqlalchemy import select

    from aifilm.server.api.routes.jobs import job_public
    from aifilm.server.models import Job

    project = own_project(session, user, project_id)
    rows = session.scalars(
        select(Job).where(Job.project_id == project.id).order_by(Job.created_at.desc()).limit(20)
    )
    return [job_public(session, job) for job in rows]


class WriteBody(BaseModel):
    topic: str = Field(min_length=3, max_length=500)
    style: Literal["story", "explainer", "podcast", "devotional", "short"] = "explainer"
    minutes: float = Field(1.0, ge=MIN_DURATION_S / 60, le=5.0)
    language: str = Field("en", max_length=10)


@router.post("/write", response_model=Validation)
def write(body: WriteBody, user: CurrentUser, settings: SettingsDep, state: StateDep) -> Validation:
    """Draft a project.yaml about a topic with the server's writer (`writer_llm`); the
    answer is checked like any other project text, and nothing is saved. Drafts run on the
    operator's key and cost no credits, so each account gets `writer_drafts_per_hour`."""
    import tempfile

    from aifilm.errors import AifilmError
    from aifilm.pipeline.choice import language_model
    from aifilm.pipeline.registry import registry
    from aifilm.settings import Settings
    from aifilm.write.writer import write_film

    if not settings.writer_llm:
        raise Problem(
            409, "this server has no writer configured (writer_llm); write a script instead"
        )
    if body.language not in LANGUAGE_CODES:
        raise Problem(422, f"unknown language {body.language!r}: use one of {LANGUAGE_CODES}")
    limit = settings.writer_drafts_per_hour
    if limit:
        allowed, retry = state.limiter.hit(f"write:{user.id}", limit, window=3600)
        if not allowed:
            raise Problem(
                429,
                f"this account has asked for {limit} drafts this hour; try again in "
                f"{retry // 60 + 1} min, or write the script yourself",
                headers={"Retry-After": str(retry)},
            )
    try:
        # Its key, base URL and model come from the environment, as for `aifilm write`.
        backend = language_model(registry, Settings(), argument=settings.writer_llm)
        with tempfile.TemporaryDirectory(prefix="aifilm-write-") as tmp:
            result = write_film(
                body.topic,
                backend=backend,  # type: ignore[arg-type]
                out=Path(tmp) / "film",
                minutes=body.minutes,
                style=body.style,
                language=body.language,
            )
            spec = result.project_path.read_text(encoding="utf-8")
    except AifilmError as error:
        raise Problem(502, f"the writer could not draft this film: {error}") from None
    return validate(ValidateBody(text=spec, format="yaml"), user, settings)
