"""What the settings and credits pages read, on SQLite and PostgreSQL: the signed-in
sessions (listed, this one marked, revoked one by one or all others), the daily credits
series for the chart, and the ledger's filters."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from tests.server.conftest import Api

from aifilm.server.models import CreditTransaction
from aifilm.server.state import ServerState


def _sign_in(client: TestClient, email: str) -> dict[str, str]:
    r = client.post("/api/users/login", json={"email": email, "password": "correct horse"})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_sessions_listed_and_revoked(idle_client: TestClient) -> None:
    ann = Api(idle_client, "ann@example.com")  # session 1 (this one)
    phone = _sign_in(idle_client, "ann@example.com")  # session 2
    laptop = _sign_in(idle_client, "ann@example.com")  # session 3
    r = idle_client.post("/api/users/refresh", json={"refresh_token": phone["refresh_token"]})
    phone = r.json()  # a refresh stays in its session
    sessions = ann.get("/api/users/me/sessions").json()
    assert len(sessions) == 3
    assert [s["current"] for s in sessions].count(True) == 1
    mine = next(s for s in sessions if s["current"])
    others = [s for s in sessions if not s["current"]]
    assert sessions[0]["last_active_at"] >= sessions[-1]["last_active_at"]

    # the phone's session, identified from its own access token
    as_phone = {"Authorization": f"Bearer {phone['access_token']}"}
    seen_by_phone = idle_client.get("/api/users/me/sessions", headers=as_phone).json()
    phone_id = next(s["id"] for s in seen_by_phone if s["current"])
    assert phone_id in {s["id"] for s in others} and phone_id != mine["id"]
    assert ann.delete(f"/api/users/me/sessions/{phone_id}").status_code == 204
    r = idle_client.post("/api/users/refresh", json={"refresh_token": phone["refresh_token"]})
    assert r.status_code == 401
    assert ann.delete(f"/api/users/me/sessions/{phone_id}").status_code == 404
    assert len(ann.get("/api/users/me/sessions").json()) == 2

    # another user cannot see or end them
    bob = Api(idle_client, "bob@example.com")
    assert bob.delete(f"/api/users/me/sessions/{mine['id']}").status_code == 404
    assert ann.delete(f"/api/users/me/sessions/{uuid.uuid4()}").status_code == 404

    # sign out everywhere else
    assert ann.delete("/api/users/me/sessions").status_code == 204
    left = ann.get("/api/users/me/sessions").json()
    assert [s["id"] for s in left] == [mine["id"]]
    r = idle_client.post("/api/users/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert r.status_code == 401
    r = idle_client.post("/api/users/refresh", json={"refresh_token": ann.tokens["refresh_token"]})
    assert r.status_code == 200


def test_usage_series_for_the_chart(idle_client: TestClient) -> None:
    ann = Api(idle_client, "ann@example.com")  # today: +3 granted
    state: ServerState = idle_client.app.state.aifilm  # type: ignore[attr-defined]
    today = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    uid = uuid.UUID(ann.user["id"])
    with state.sessions() as s:
        for days_ago, type_, amount, after in (
            (40, "purchase", 10, 10),  # before the window: only the opening balance
            (5, "deduction", -2, 8),
            (5, "refund", 1, 9),
            (5, "deduction", -3, 6),
            (2, "expiry", -1, 5),
        ):
            s.add(
                CreditTransaction(
                    user_id=uid,
                    type=type_,
                    amount=amount,
                    balance_after=after,
                    created_at=today - timedelta(days=days_ago),
                )
            )
        s.commit()
    usage = ann.get("/api/credits/usage").json()
    points = usage["points"]
    assert len(points) == 30 and points[-1]["date"] == today.date().isoformat()
    assert usage["spent"] == 4
    by_day = {p["date"]: p for p in points}
    five = by_day[(today - timedelta(days=5)).date().isoformat()]
    assert (five["spent"], five["added"], five["expired"], five["balance"]) == (4, 0, 0, 6)
    two = by_day[(today - timedelta(days=2)).date().isoformat()]
    assert (two["expired"], two["balance"]) == (1, 5)
    assert points[0]["balance"] == 10  # carried from before the window
    assert by_day[(today - timedelta(days=1)).date().isoformat()]["balance"] == 5
    # the registration's grant was written with balance_after 3 (before the seeded rows)
    assert points[-1]["added"] == 3
    assert len(ann.get("/api/credits/usage", params={"days": 7}).json()["points"]) == 7
    assert ann.get("/api/credits/usage", params={"days": 0}).status_code == 422
    assert idle_client.get("/api/credits/usage").status_code == 401


def test_ledger_filters(idle_client: TestClient) -> None:
    ann = Api(idle_client, "ann@example.com")
    ann.post("/api/jobs", json={"project_id": ann.project()["id"]})
    everything = ann.get("/api/credits/transactions").json()
    assert [t["type"] for t in everything["items"]] == ["deduction", "grant"]
    only = ann.get("/api/credits/transactions", params={"type": "deduction"}).json()
    assert [t["type"] for t in only["items"]] == ["deduction"] and only["total"] == 1
    both = ann.get("/api/credits/transactions", params=[("type", "grant"), ("type", "refund")])
    assert both.json()["total"] == 1
    today = datetime.now(timezone.utc).date()
    assert ann.get("/api/credits/transactions", params={"start": str(today)}).json()["total"] == 2
    old = {"end": str(today - timedelta(days=1))}
    assert ann.get("/api/credits/transactions", params=old).json()["total"] == 0
    far = {"start": "9999-12-31", "end": "9999-12-31"}
    assert ann.get("/api/credits/transactions", params=far).json()["total"] == 0
    assert ann.get("/api/credits/transactions", params={"type": "gift"}).status_code == 422
    assert ann.get("/api/credits/transactions", params={"end": "0"}).status_code == 422
