"""Stripe payments, through the server's real Stripe webhook, reach the CRM once: a credit
pack as `purchase.completed` (named by Stripe's event id), a subscription as
`plan.changed`; a Stripe event delivered twice makes one CRM event (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.server.crm.webhook_receiver import Receiver, receiver
from tests.server.fake_stripe import FakeStripe, running
from tests.server.test_payments import Billing, Mailbox, billing_settings

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.crm.dispatch import drain
from aifilm.server.crm.sinks import build_sinks
from aifilm.server.models import OutboxEvent

SECRET = "whsec_billing_" + "b" * 24


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver(SECRET) as running_hook:
        yield running_hook


@pytest.fixture
def stripe() -> Iterator[FakeStripe]:
    with running() as fake:
        yield fake


@pytest.fixture
def billing(
    settings_for: Callable[..., ServerSettings], stripe: FakeStripe, hook: Receiver
) -> Iterator[Billing]:
    settings = billing_settings(
        settings_for,
        stripe,
        crm_sinks=["webhook"],
        crm_webhook_url=hook.url,
        crm_webhook_secret=SECRET,
    )
    app = create_app(settings)
    app.state.aifilm.extras["mailer"] = Mailbox()
    with TestClient(app) as client:
        yield Billing(client, stripe, app.state.aifilm.extras["mailer"], app.state.aifilm)


def test_stripe_payments_reach_the_crm_once(billing: Billing, hook: Receiver) -> None:
    alice = billing.user("alice@example.com")
    paid = billing.buy(alice, pack="pack-25")["checkout.session.completed"]
    billing.processed(paid)
    again = billing.deliver(paid)  # Stripe retries its webhook
    assert again.json()["status"] == "duplicate"
    billing.subscribe(alice, "pro")
    state = billing.state
    drain(state.sessions, build_sinks(state.settings), state.settings, "w")
    with state.sessions() as session:
        statuses = set(session.scalars(select(OutboxEvent.status)))
    assert statuses == {"delivered"}
    events = [e for e in hook.events if e["data"].get("user_id") == alice.user["id"]]
    assert [e["type"] for e in events] == [
        "user.registered",
        "purchase.completed",
        "plan.changed",
    ]
    purchase, plan = events[1], events[2]
    assert purchase["object"]["id"] == paid["id"] and purchase["data"]["credits"] == 25
    assert plan["data"]["plan"] == "pro" and plan["data"]["previous_plan"] == "creator"
    assert "cus_" not in repr(events) and "sub_" not in repr(events)  # no Stripe ids leave
