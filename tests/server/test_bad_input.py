"""Input that used to answer 500 answers a problem+json 4xx naming what is wrong, on SQLite
and PostgreSQL (issue 11): huge offsets, NUL characters, signed but malformed Stripe events,
huge credit adjustments."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from tests.server.conftest import TINY_SPEC, Api
from tests.server.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, running, sign

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.models import User

PROBLEM = "application/problem+json"


@pytest.fixture
def client(settings_for: Callable[..., ServerSettings]) -> Iterator[TestClient]:
    with running() as fake:
        settings = settings_for(
            worker="none",
            stripe_secret_key=SECRET_KEY,
            stripe_webhook_secret=WEBHOOK_SECRET,
            stripe_api_base=fake.url,
            billing_sweep_seconds=0,
        )
        with TestClient(create_app(settings)) as client:
            yield client


def is_problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.request.url, r.text)
    assert r.headers["content-type"] == PROBLEM
    body = dict(r.json())
    assert body["status"] == status and body["detail"]
    return body


def test_an_offset_past_any_page_is_a_422_on_every_list(client: TestClient) -> None:
    admin = Api(client, "admin@example.com")
    job = admin.post("/api/jobs", json={"project_id": admin.project()["id"]}).json()
    lists = [
        "/api/projects",
        "/api/jobs",
        f"/api/jobs/{job['id']}/logs",
        "/api/credits/transactions",
        "/api/admin/users",
        "/api/admin/projects",
        "/api/youtube/uploads",
    ]
    for path in lists:
        body = is_problem(admin.get(path, params={"offset": 2**63}), 422)
        assert body["errors"][0]["loc"] == ["query", "offset"]
        is_problem(admin.get(path, params={"offset": 2**63 - 1}), 422)
        r = admin.get(path, params={"offset": 1_000_000_000})  # the largest: an empty page
        assert r.status_code == 200, r.text
        assert r.json()["items"] == [] and r.json()["total"] >= 0


def test_nul_characters_are_a_422_naming_the_field(client: TestClient) -> None:
    ann = Api(client, "ann@example.com")
    project = ann.project()
    job = ann.post("/api/jobs", json={"project_id": project["id"]}).json()
    login, register = "/api/users/login", "/api/users/register"
    new = {"email": "b@x.io", "password": "12345678"}
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", login, {"json": {"email": "a\x00@x.io", "password": "x"}}, "email"),
        ("POST", login, {"json": {"email": ann.email, "password": "\x00"}}, "password"),
        ("POST", register, {"json": {**new, "password": "12345678\x00"}}, "password"),
        ("POST", register, {"json": {**new, "full_name": "\x00"}}, "full_name"),
        ("POST", "/api/users/refresh", {"json": {"refresh_token": "\x00"}}, "refresh_token"),
        ("PATCH", "/api/users/me", {"json": {"full_name": "Ann\x00"}}, "full_name"),
        ("POST", "/api/users/me/api-keys", {"json": {"name": "ci\x00"}}, "name"),
        ("POST", "/api/projects", {"json": {"spec": TINY_SPEC + "#\x00"}}, "spec"),
        ("PATCH", f"/api/projects/{project['id']}", {"json": {"spec": "\x00"}}, "spec"),
        ("GET", "/api/jobs", {"params": {"status": "queued\x00"}}, "'status'"),
        ("GET", "/api/admin/users", {"params": {"q": "\x00"}}, "'q'"),
        ("GET", f"/api/jobs/{job['id']}/files/film%00.mp4", {}, "path"),
    ]
    for method, path, kwargs, field in cases:
        r = client.request(method, path, headers=ann.headers, **kwargs)
        body = is_problem(r, 422)
        assert field in body["detail"] and "NUL" in body["detail"], body
    # The account and its data are as they were.
    assert ann.get("/api/users/me").json()["full_name"] is None
    assert ann.get(f"/api/projects/{project['id']}").json()["spec"] == TINY_SPEC


def deliver(client: TestClient, payload: bytes) -> Any:
    headers = {
        "Stripe-Signature": sign(payload, WEBHOOK_SECRET),
        "Content-Type": "application/json",
    }
    return client.post("/api/payments/webhooks/stripe", content=payload, headers=headers)


@pytest.mark.parametrize(
    "event",
    [
        [],
        "an event",
        {"id": 1, "type": "checkout.session.completed", "data": {"object": {}}},
        {"id": "evt_1", "type": "checkout.session.completed"},
        {"id": "evt_2", "type": "checkout.session.completed", "data": {"object": "cs_1"}},
        {"id": "evt_3", "type": "checkout.session.completed", "data": []},
        {
            "id": "evt_4",
            "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_4", "mode": "payment", "metadata": ["x"]}},
        },
        {
            "id": "evt_5",
            "type": "invoice.paid",
            "data": {"object": {"id": "in_5", "parent": "sub", "customer": {"x": 1}}},
        },
    ],
)
def test_a_signed_but_malformed_stripe_event_is_a_400(client: TestClient, event: Any) -> None:
    body = is_problem(deliver(client, json.dumps(event).encode()), 400)
    assert "Stripe" in body["detail"]
    r = deliver(client, b'{"id": "evt_6", "type": "customer.created", "data": {"object": {}}}')
    assert r.status_code == 200 and r.json()["status"] == "ignored"  # well-formed: fine


def test_a_credit_adjustment_past_the_balance_range_is_refused(client: TestClient) -> None:
    admin = Api(client, "admin@example.com")
    user = Api(client, "bo@example.com")
    for amount in (2**31, 2**63, -(2**31), 1_000_001):
        r = admin.post(
            "/api/admin/credits/adjust",
            json={"user_id": user.user["id"], "amount": amount, "reason": "test"},
        )
        assert is_problem(r, 422)["errors"][0]["loc"] == ["body", "amount"]
    state = client.app.state.aifilm  # type: ignore[attr-defined]
    with state.sessions() as session:  # a balance near the top (the ledger is not the point)
        session.execute(
            update(User).where(User.email == "bo@example.com").values(credit_balance=2**31 - 10)
        )
        session.commit()
    body = {"user_id": user.user["id"], "amount": 1_000_000, "reason": "test"}
    r = admin.post("/api/admin/credits/adjust", json=body)
    assert "largest balance" in is_problem(r, 409)["detail"]
    assert user.balance() == 2**31 - 10
    body["amount"] = 9
    assert admin.post("/api/admin/credits/adjust", json=body).status_code == 201
    assert user.balance() == 2**31 - 1


def test_a_schedule_given_as_a_number_is_a_422_not_seconds_since_1970() -> None:
    """Schemathesis found a number for `publish_at` accepted (pydantic reads it as a Unix
    time); the documented type is a date-time string."""
    from pydantic import ValidationError

    from aifilm.server.youtube.schemas import UploadCreate, VideoUpdate

    for model, extra in (
        (UploadCreate, {"job_id": "e3e70682-c209-1cac-a29f-6fbed82c07cd"}),
        (VideoUpdate, {}),
    ):
        with pytest.raises(ValidationError, match="time as text"):
            model.model_validate({**extra, "publish_at": 1798000000})
        when = model.model_validate({**extra, "publish_at": "2026-12-24T18:00:00+05:30"})
        assert when.publish_at is not None and when.publish_at.utcoffset() is not None
