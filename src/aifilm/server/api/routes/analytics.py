"""Analytics for admins (the blueprint's `/api/analytics/...`): active users, films, minutes,
credits and revenue over a date range, as JSON for the console's charts or as CSV.

Every endpoint takes `start` and `end` (UTC days, both included; the last 30 days by
default); the series also take `period` (`day` or `month`) and `format` (`json` or `csv`).
The numbers are computed by the database (`aifilm.server.analytics`).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from aifilm.server import analytics
from aifilm.server.analytics import DateRange, Period
from aifilm.server.deps import AdminUser, ReaderDep
from aifilm.server.errors import Problem
from aifilm.server.schemas import Day

router = APIRouter(prefix="/analytics", tags=["analytics"])

EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)
MAX_DAYS = 1100  # three years of daily points: enough for a chart, bounded for the database
DEFAULT_DAYS = 30
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"text/csv": {"schema": {"type": "string"}}},
        "description": "The numbers; `format=csv` gives them as a CSV file with a header row.",
    }
}
Format = Literal["json", "csv"]


async def date_range(
    start: Annotated[
        Day | None, Query(description="First UTC day (default: 29 days before `end`).")
    ] = None,
    end: Annotated[
        Day | None, Query(description="Last UTC day, included (default: today).")
    ] = None,
) -> DateRange:
    """The requested range, or a 422 naming what is wrong with it."""
    last = end or datetime.now(timezone.utc).date()
    for name, value in (("start", start), ("end", last)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise Problem(
                422,
                f"{name}={value} is outside the dates analytics covers ({EARLIEST} to {LATEST})",
                title="Invalid request",
            )
    first = start or max(EARLIEST, last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise Problem(
            422, f"start={first} is after end={last}; give start <= end", title="Invalid request"
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise Problem(
            422,
            f"the range {first} to {last} is {(last - first).days + 1} days; ask for at most "
            f"{MAX_DAYS} days at a time",
            title="Invalid request",
        )
    return DateRange(first, last)


RangeDep = Annotated[DateRange, Depends(date_range)]
PeriodQuery = Annotated[
    Period, Query(description="`day`: one point per UTC day; `month`: per calendar month.")
]
FormatQuery = Annotated[Format, Query(description="`csv` for a spreadsheet.")]


class Overview(BaseModel):
    """Totals over the range; active users also for its last day and last 30 days."""

    start: date
    end: date
    users_total: int = Field(description="Accounts created before the range's end.")
    users_active_by_plan: dict[str, int] = Field(description="Accounts not suspended, per plan.")
    signups: int
    daily_active_users: int = Field(description="Users active on the range's last day.")
    monthly_active_users: int = Field(description="Users active in the 30 days ending at `end`.")
    active_users: int = Field(description="Users active at least once in the range.")
    films_rendered: int
    films_failed: int
    failure_rate: float = Field(description="failed / (rendered + failed), 0 to 1.")
    minutes_rendered: float
    credits_spent: int = Field(description="Render charges less refunds.")
    revenue: dict[str, int] = Field(description="Money received per currency, in cents.")


class UsersPoint(BaseModel):
    period: str = Field(description="`2031-01-31` (day) or `2031-01` (month).")
    signups: int
    active_users: int


class ProjectsPoint(BaseModel):
    period: str
    projects_created: int
    films_rendered: int
    films_failed: int
    failure_rate: float
    minutes_rendered: float
    credits_spent: int


class RevenuePoint(BaseModel):
    period: str
    currency: str
    revenue: int = Field(description="In the currency's smallest unit (cents).")
    payments: int
    credits_purchased: int


class ProductRevenue(BaseModel):
    product: str = Field(description="A plan (standard, pro, enterprise) or a pack (pack-25).")
    kind: Literal["plan", "pack"]
    currency: str
    revenue: int
    payments: int


class Series(BaseModel):
    start: date
    end: date
    period: Period


class UsersSeries(Series):
    points: list[UsersPoint]


class ProjectsSeries(Series):
    points: list[ProjectsPoint]


class RevenueSeries(Series):
    points: list[RevenuePoint]
    by_product: list[ProductRevenue]


def csv_file(
    name: str, span: DateRange, rows: list[dict[str, Any]], columns: list[str]
) -> Response:
    """`rows` as a CSV download named after the report and its range."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    filename = f"aifilm-{name}-{span.start}-{span.end}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def series_answer(
    name: str,
    span: DateRange,
    period: Period,
    format: Format,
    points: list[dict[str, Any]],
    point: type[BaseModel],
    series: type[Series],
    **more: Any,
) -> Any:
    """A series endpoint's answer: its points as CSV, or as `series` JSON with `more` in it."""
    if format == "csv":
        return csv_file(name, span, points, list(point.model_fields))
    return series(start=span.start, end=span.end, period=period, points=points, **more)


@router.get("/overview", response_model=Overview, responses=CSV_RESPONSE)
def overview(
    admin: AdminUser, session: ReaderDep, span: RangeDep, format: FormatQuery = "json"
) -> Any:
    """Users, activity, films, minutes, credits and revenue over the range."""
    numbers = Overview.model_validate(analytics.overview(session, span))
    if format == "csv":
        flat: list[dict[str, Any]] = []
        for key, value in numbers.model_dump(mode="json").items():
            if isinstance(value, dict):
                flat += [{"metric": f"{key}.{k}", "value": v} for k, v in sorted(value.items())]
            else:
                flat.append({"metric": key, "value": value})
        return csv_file("overview", span, flat, ["metric", "value"])
    return numbers


@router.get("/users", response_model=UsersSeries, responses=CSV_RESPONSE)
def users(
    admin: AdminUser,
    session: ReaderDep,
    span: RangeDep,
    period: PeriodQuery = "day",
    format: FormatQuery = "json",
) -> Any:
    """Sign-ups and active users per day (DAU) or per month (MAU)."""
    points = analytics.users_series(session, span, period)
    return series_answer("users", span, period, format, points, UsersPoint, UsersSeries)


@router.get("/projects", response_model=ProjectsSeries, responses=CSV_RESPONSE)
def projects(
    admin: AdminUser,
    session: ReaderDep,
    span: RangeDep,
    period: PeriodQuery = "day",
    format: FormatQuery = "json",
) -> Any:
    """Projects created, films rendered and failed, minutes rendered, credits spent."""
    points = analytics.projects_series(session, span, period)
    return series_answer("projects", span, period, format, points, ProjectsPoint, ProjectsSeries)


@router.get("/revenue", response_model=RevenueSeries, responses=CSV_RESPONSE)
def revenue(
    admin: AdminUser,
    session: ReaderDep,
    span: RangeDep,
    period: PeriodQuery = "day",
    format: FormatQuery = "json",
) -> Any:
    """Money received per period, and per plan or credit pack over the range."""
    points = analytics.revenue_series(session, span, period)
    products = analytics.revenue_by_product(session, span) if format == "json" else []
    return series_answer(
        "revenue", span, period, format, points, RevenuePoint, RevenueSeries, by_product=products
    )
