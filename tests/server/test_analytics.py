"""Admin analytics (/api/analytics/...) on SQLite and PostgreSQL: the numbers for a known
history of users, renders, ledger rows and payments, day and month buckets at UTC day
boundaries, CSV export, date range checks, admins only, and revenue recorded from Stripe's
real webhook flow (fake Stripe)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api
from tests.server.test_payments import Billing, billing, fake_stripe  # noqa: F401

from aifilm.server.models import (
    CreditTransaction,
    Job,
    PaymentEvent,
    Project,
    RefreshToken,
    User,
)
from aifilm.server.state import ServerState

ENDPOINTS = ["overview", "users", "projects", "revenue"]
OCT = {"start": "2026-10-01", "end": "2026-10-03"}


def at(day: int, hour: int = 12, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def _user(i: int, created: datetime) -> User:
    return User(
        email=f"seed{i}@example.com",
        password_hash="x",
        plan="standard" if i == 3 else "creator",
        created_at=created,
    )


@pytest.fixture
def history(idle_client: TestClient) -> Iterator[tuple[Api, dict[str, uuid.UUID]]]:
    """An admin, and three users with a known October 2026 (see the test for the story)."""
    admin = Api(idle_client, "admin@example.com")
    state: ServerState = idle_client.app.state.aifilm  # type: ignore[attr-defined]
    with state.sessions() as s:
        u1, u2, u3 = _user(1, at(1, 9)), _user(2, at(1, 23, 59)), _user(3, at(2, 0, 0))
        s.add_all([u1, u2, u3])
        s.flush()
        p1 = Project(user_id=u1.id, title="One", spec="x", created_at=at(1))
        p3 = Project(user_id=u3.id, title="Three", spec="x", created_at=at(2))
        s.add_all([p1, p3])
        s.flush()

        def job(user: User, project: Project, status: str, seconds: float, created: datetime,
                ended: datetime | None) -> Job:  # fmt: skip
            row = Job(user_id=user.id, project_id=project.id, status=status,
                      length_seconds=seconds, created_at=created, completed_at=ended)  # fmt: skip
            s.add(row)
            return row

        job(u1, p1, "completed", 90, at(1, 10), at(1, 10, 5))
        job(u1, p1, "failed", 60, at(1, 11), at(1, 11, 5))
        job(u3, p3, "completed", 120, at(2, 10), at(2, 10, 9))
        job(u1, p1, "cancelled", 60, at(2, 11), at(2, 11, 1))
        job(u1, p1, "queued", 60, at(2, 12), None)
        # ends at the first instant after the range: not October 3rd's
        job(u3, p3, "completed", 600, at(3, 23, 50), at(4, 0, 0))
        for user, type_, amount, when in (
            (u1, "grant", 3, at(1, 9)),
            (u1, "deduction", -2, at(1, 10)),
            (u1, "deduction", -1, at(1, 11)),
            (u1, "refund", 1, at(1, 11, 5)),
            (u3, "purchase", 25, at(2, 9)),
            (u3, "deduction", -2, at(2, 10)),
            (u1, "deduction", -1, at(2, 11)),
            (u1, "refund", 1, at(2, 11, 1)),
            (u1, "adjustment", 5, at(3, 8)),
            (u1, "deduction", -7, at(4, 0, 0)),  # outside the range
        ):
            s.add(CreditTransaction(user_id=user.id, type=type_, amount=amount,
                                    balance_after=0, created_at=when))  # fmt: skip
        for user, when in ((u1, at(1, 9)), (u1, at(1, 20)), (u2, at(3, 8)), (u2, at(4, 1))):
            s.add(RefreshToken(user_id=user.id, token_hash=uuid.uuid4().hex, family=uuid.uuid4(),
                               expires_at=when + timedelta(days=30), created_at=when))  # fmt: skip
        for n, (amount, product, when) in enumerate(
            ((1000, "pack-25", at(1, 15)), (3900, "standard", at(2, 9)), (None, None, at(2, 9)))
        ):
            s.add(PaymentEvent(provider="stripe", event_id=f"evt_{n}", type="x", amount=amount,
                               currency="usd" if amount else None, product=product,
                               processed_at=when))  # fmt: skip
        s.commit()
        ids = {"u1": u1.id, "u2": u2.id, "u3": u3.id}
    yield admin, ids


def test_the_numbers_of_a_known_month(history: tuple[Api, dict[str, uuid.UUID]]) -> None:
    admin, _ = history
    users = admin.get("/api/analytics/users", params=OCT).json()
    assert users["period"] == "day"
    assert [(p["period"], p["signups"], p["active_users"]) for p in users["points"]] == [
        ("2026-10-01", 2, 1),  # u1 signed in twice and rendered twice: one active user
        ("2026-10-02", 1, 2),  # u3 rendered, u1 cancelled a render
        ("2026-10-03", 0, 2),  # u2 signed in, u3 started a render before midnight
    ]
    monthly = admin.get("/api/analytics/users", params={**OCT, "period": "month"}).json()
    assert monthly["points"] == [{"period": "2026-10", "signups": 3, "active_users": 3}]

    projects = admin.get("/api/analytics/projects", params=OCT).json()["points"]
    assert projects == [
        {"period": "2026-10-01", "projects_created": 1, "films_rendered": 1, "films_failed": 1,
         "failure_rate": 0.5, "minutes_rendered": 1.5, "credits_spent": 2},
        {"period": "2026-10-02", "projects_created": 1, "films_rendered": 1, "films_failed": 0,
         "failure_rate": 0.0, "minutes_rendered": 2.0, "credits_spent": 2},
        {"period": "2026-10-03", "projects_created": 0, "films_rendered": 0, "films_failed": 0,
         "failure_rate": 0.0, "minutes_rendered": 0.0, "credits_spent": 0},
    ]  # fmt: skip

    revenue = admin.get("/api/analytics/revenue", params=OCT).json()
    assert [(p["period"], p["revenue"], p["payments"], p["credits_purchased"])
            for p in revenue["points"]] == [
        ("2026-10-01", 1000, 1, 0), ("2026-10-02", 3900, 1, 25), ("2026-10-03", 0, 0, 0)
    ]  # fmt: skip
    assert revenue["by_product"] == [
        {"product": "standard", "kind": "plan", "currency": "usd", "revenue": 3900, "payments": 1},
        {"product": "pack-25", "kind": "pack", "currency": "usd", "revenue": 1000, "payments": 1},
    ]

    overview = admin.get("/api/analytics/overview", params=OCT).json()
    assert overview["signups"] == 3
    assert overview["daily_active_users"] == 2  # October 3rd: u2 and u3
    assert overview["monthly_active_users"] == 3
    assert overview["active_users"] == 3
    assert (overview["films_rendered"], overview["films_failed"]) == (2, 1)
    assert overview["failure_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert overview["minutes_rendered"] == 3.5
    assert overview["credits_spent"] == 4
    assert overview["revenue"] == {"usd": 4900}
    # the admin registered today, after the range: not counted in its total
    assert overview["users_total"] == 3
    assert overview["users_active_by_plan"]["standard"] == 1

    # the next day holds what ended at midnight
    oct4 = {"start": "2026-10-04", "end": "2026-10-04"}
    next_day = admin.get("/api/analytics/projects", params=oct4).json()
    assert next_day["points"][0]["films_rendered"] == 1
    assert next_day["points"][0]["minutes_rendered"] == 10.0
    assert next_day["points"][0]["credits_spent"] == 7


def test_csv_export(history: tuple[Api, dict[str, uuid.UUID]]) -> None:
    admin, _ = history
    r = admin.get("/api/analytics/projects", params={**OCT, "format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert (
        'filename="aifilm-projects-2026-10-01-2026-10-03.csv"' in r.headers["content-disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["period"] for row in rows] == ["2026-10-01", "2026-10-02", "2026-10-03"]
    assert rows[0]["films_failed"] == "1" and rows[1]["minutes_rendered"] == "2.0"
    overview = admin.get("/api/analytics/overview", params={**OCT, "format": "csv"}).text
    metrics = {row["metric"]: row["value"] for row in csv.DictReader(io.StringIO(overview))}
    assert metrics["films_rendered"] == "2" and metrics["revenue.usd"] == "4900"
    users = admin.get("/api/analytics/users", params={**OCT, "format": "csv"}).text
    assert users.splitlines()[0] == "period,signups,active_users"


def test_ranges_default_and_are_checked(idle_client: TestClient) -> None:
    admin = Api(idle_client, "admin@example.com")
    today = datetime.now(timezone.utc).date()
    series = admin.get("/api/analytics/users").json()
    assert len(series["points"]) == 30
    assert series["end"] == today.isoformat()
    assert series["points"][-1]["signups"] == 1  # the admin, today
    months = admin.get("/api/analytics/users", params={"start": "2026-01-31", "end": "2026-03-01",
                                                       "period": "month"}).json()  # fmt: skip
    assert [p["period"] for p in months["points"]] == ["2026-01", "2026-02", "2026-03"]
    for params, words in (
        ({"start": "2026-10-05", "end": "2026-10-01"}, "after end"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "at most 1100 days"),
        ({"start": "0001-01-01"}, "outside the dates"),
        ({"end": "9999-12-31"}, "outside the dates"),
        ({"start": "yesterday"}, "YYYY-MM-DD"),
        ({"start": "0"}, "YYYY-MM-DD"),
        ({"period": "week"}, "period"),
        ({"format": "xlsx"}, "format"),
    ):
        r = admin.get("/api/analytics/users", params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert words in r.json()["detail"], r.json()


def test_admins_only(idle_client: TestClient) -> None:
    Api(idle_client, "admin@example.com")
    hal = Api(idle_client, "hal@example.com")
    for name in ENDPOINTS:
        r = hal.get(f"/api/analytics/{name}")
        assert r.status_code == 403, r.text
        assert "admin" in r.json()["detail"]
        assert idle_client.get(f"/api/analytics/{name}").status_code == 401
        assert hal.get(f"/api/analytics/{name}", params={"format": "csv"}).status_code == 403


def _today() -> dict[str, Any]:
    today = date.today().isoformat()
    return {"start": today, "end": today}


def test_revenue_comes_from_stripes_payments(billing: Billing) -> None:  # noqa: F811
    admin = billing.user("admin@example.com")
    alice = billing.user("alice@example.com")
    billing.processed(billing.buy(alice, pack="pack-25")["checkout.session.completed"])
    bob = billing.user("bob@example.com")
    billing.subscribe(bob, "pro")  # checkout, subscription, first invoice: counted once
    today = datetime.now(timezone.utc).date().isoformat()
    revenue = admin.get("/api/analytics/revenue", params={"start": today, "end": today}).json()
    assert revenue["by_product"] == [
        {"product": "pro", "kind": "plan", "currency": "usd", "revenue": 4900, "payments": 1},
        {"product": "pack-25", "kind": "pack", "currency": "usd", "revenue": 1000, "payments": 1},
    ]
    [point] = revenue["points"]
    assert (point["revenue"], point["payments"], point["credits_purchased"]) == (5900, 2, 25)
