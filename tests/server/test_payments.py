"""Billing against a local fake Stripe (tests/server/fake_stripe.py), on SQLite and
PostgreSQL: checkout, signed webhooks (replay, bad and missing signatures, duplicates, out of
order), renewals, plan changes, cancellation, failed payments, invoices, email."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.server.conftest import Api
from tests.server.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, running, sign

from aifilm.server import credits
from aifilm.server.app import create_app
from aifilm.server.billing.sweep import lapse_due
from aifilm.server.config import ServerSettings
from aifilm.server.mail import Mail
from aifilm.server.models import CreditTransaction, PaymentEvent, utcnow
from aifilm.server.state import ServerState

WEBHOOK = "/api/payments/webhooks/stripe"


@dataclass
class Mailbox:
    """A mailer that keeps what it is given."""

    sent: list[Mail] = field(default_factory=list)

    def send(self, mail: Mail) -> None:
        self.sent.append(mail)


@dataclass
class Billing:
    client: TestClient
    stripe: FakeStripe
    mailbox: Mailbox
    state: ServerState

    def user(self, email: str) -> Api:
        return Api(self.client, email)

    def deliver(
        self, event: dict[str, Any], *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET
    ) -> Any:
        payload = json.dumps(event).encode()
        return self.client.post(
            WEBHOOK,
            content=payload,
            headers={
                "Stripe-Signature": sign(payload, secret, timestamp),
                "Content-Type": "application/json",
            },
        )

    def processed(self, event: dict[str, Any]) -> dict[str, Any]:
        r = self.deliver(event)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "processed", r.json()
        return dict(r.json())

    def buy(self, user: Api, **what: str) -> dict[str, dict[str, Any]]:
        """Checkout and pay; the events Stripe would send (not yet delivered)."""
        r = user.post("/api/payments/checkout", json=what)
        assert r.status_code == 201, r.text
        assert r.json()["url"].startswith("https://checkout.stripe.test/")
        return self.stripe.pay(r.json()["id"])

    def subscribe(self, user: Api, plan: str) -> str:
        """A paid plan, delivered in Stripe's usual order; the subscription id."""
        events = self.buy(user, plan=plan)
        for type_ in ("checkout.session.completed", "customer.subscription.created"):
            self.processed(events[type_])
        self.processed(events["invoice.paid"])
        return str(events["customer.subscription.created"]["data"]["object"]["id"])

    def balance(self, user: Api) -> dict[str, Any]:
        r = user.get("/api/credits/balance")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def ledger(self, user: Api) -> list[dict[str, Any]]:
        r = user.get("/api/credits/transactions", params={"limit": 100})
        return list(reversed(r.json()["items"]))

    def check_ledger(self, user: Api) -> None:
        """The balance is the ledger's sum, and each row's balance_after follows the last."""
        uid = uuid.UUID(user.user["id"])
        with self.state.sessions() as session:
            rows = list(
                session.scalars(
                    select(CreditTransaction)
                    .where(CreditTransaction.user_id == uid)
                    .order_by(CreditTransaction.id)
                )
            )
            total = credits.ledger_sum(session, uid)
        running_total = 0
        for row in rows:
            running_total += row.amount
            assert row.balance_after == running_total, (row.id, row.type)
        assert self.balance(user)["balance"] == total == running_total


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with running() as fake:
        yield fake


def billing_settings(
    settings_for: Callable[..., ServerSettings], fake: FakeStripe, **overrides: Any
) -> ServerSettings:
    values: dict[str, Any] = {
        "worker": "none",
        "stripe_secret_key": SECRET_KEY,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_api_base": fake.url,
        "billing_sweep_seconds": 0,
    }
    return settings_for(**{**values, **overrides})


@pytest.fixture
def billing(
    settings_for: Callable[..., ServerSettings], fake_stripe: FakeStripe
) -> Iterator[Billing]:
    app = create_app(billing_settings(settings_for, fake_stripe))
    mailbox = Mailbox()
    app.state.aifilm.extras["mailer"] = mailbox
    with TestClient(app) as client:
        yield Billing(client, fake_stripe, mailbox, app.state.aifilm)


def test_credit_pack_purchase_adds_purchased_credits_and_mails_a_receipt(
    billing: Billing,
) -> None:
    alice = billing.user("alice@example.com")
    events = billing.buy(alice, pack="pack-25")
    done = billing.processed(events["checkout.session.completed"])
    assert done["result"] == "added 25 purchased credits"
    assert billing.balance(alice)["balance"] == 3 + 25
    purchase = billing.ledger(alice)[-1]
    assert purchase["type"] == "purchase" and purchase["amount"] == 25
    assert purchase["event_id"] == events["checkout.session.completed"]["id"]
    [mail] = billing.mailbox.sent
    assert mail.to == "alice@example.com"
    assert "25 credits for $10.00" in mail.body and "28 credits" in mail.body
    # the checkout went to Stripe as a payment for the pack's price, for this customer
    [(_, _, sent)] = [r for r in billing.stripe.requests if r[1] == "/v1/checkout/sessions"]
    assert sent["mode"] == "payment"
    assert sent["line_items"] == [{"price": "price_pack_25", "quantity": "1"}]
    assert sent["metadata"]["aifilm_user_id"] == alice.user["id"]
    billing.check_ledger(alice)


def test_plan_events_out_of_order_and_duplicated_count_once(billing: Billing) -> None:
    bob = billing.user("bob@example.com")
    events = billing.buy(bob, plan="pro")
    sub = events["customer.subscription.created"]["data"]["object"]
    updated = billing.stripe.event("customer.subscription.updated", sub)
    # Stripe does not promise an order: the update lands before the checkout completes
    assert billing.processed(updated)["result"] == "started"
    assert billing.balance(bob)["plan"] == "pro"
    assert billing.processed(events["checkout.session.completed"])["result"] == "unchanged"
    assert billing.processed(events["invoice.paid"])["result"] == "unchanged"
    assert billing.processed(events["customer.subscription.created"])["result"] == "unchanged"
    again = billing.deliver(events["checkout.session.completed"])
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    state = billing.balance(bob)
    assert (state["plan"], state["balance"], state["monthly_remaining"]) == ("pro", 60, 60)
    [mail] = billing.mailbox.sent  # one confirmation, not one per delivery
    assert "Pro plan for $49.00 a month" in mail.body
    with billing.state.sessions() as session:
        stored = session.scalars(select(PaymentEvent.event_id)).all()
    assert len(stored) == 4 and len(set(stored)) == 4
    billing.check_ledger(bob)


def test_renewal_resets_monthly_credits_and_keeps_purchased_ones(billing: Billing) -> None:
    carol = billing.user("carol@example.com")
    sub_id = billing.subscribe(carol, "standard")
    billing.processed(billing.buy(carol, pack="pack-10")["checkout.session.completed"])
    project = carol.project()
    r = carol.post("/api/jobs", json={"project_id": project["id"], "length_seconds": 90})
    assert r.status_code == 201, r.text  # 2 credits, from the monthly ones
    assert billing.balance(carol)["balance"] == 40 + 10 - 2
    renewal = billing.stripe.renew(sub_id)
    assert billing.processed(renewal)["result"] == "renewed"
    state = billing.balance(carol)
    assert state["balance"] == 40 + 10  # 38 unused monthly credits gone, 40 granted, 10 kept
    assert state["monthly_remaining"] == 40
    expiry, grant = billing.ledger(carol)[-2:]
    assert (expiry["type"], expiry["amount"]) == ("expiry", -38)
    assert (grant["type"], grant["amount"]) == ("grant", 40)
    assert expiry["event_id"] == grant["event_id"] == renewal["id"]
    billing.check_ledger(carol)


def test_upgrade_and_downgrade_move_monthly_credits_only(billing: Billing) -> None:
    dan = billing.user("dan@example.com")
    sub_id = billing.subscribe(dan, "pro")
    billing.processed(billing.buy(dan, pack="pack-10")["checkout.session.completed"])
    assert billing.processed(billing.stripe.change_plan(sub_id, "standard"))["result"] == (
        "changed plan"
    )
    state = billing.balance(dan)
    assert (state["plan"], state["balance"], state["monthly_remaining"]) == ("standard", 50, 40)
    billing.processed(billing.stripe.change_plan(sub_id, "pro"))
    state = billing.balance(dan)
    assert (state["plan"], state["balance"], state["monthly_remaining"]) == ("pro", 70, 60)
    billing.processed(billing.stripe.change_plan(sub_id, "enterprise"))
    state = billing.balance(dan)
    assert (state["plan"], state["unlimited"], state["balance"]) == ("enterprise", True, 10)
    billing.check_ledger(dan)


def test_cancelled_plan_lasts_until_the_period_ends_then_creator(
    billing: Billing, monkeypatch: pytest.MonkeyPatch
) -> None:
    erin = billing.user("erin@example.com")
    sub_id = billing.subscribe(erin, "pro")
    billing.processed(billing.buy(erin, pack="pack-10")["checkout.session.completed"])
    result = billing.processed(billing.stripe.cancel(sub_id, period_ends_in=600))["result"]
    assert result == "ends at period end"
    state = billing.balance(erin)  # paid until the period ends
    assert (state["plan"], state["renews"], state["payment_status"]) == ("pro", False, "canceled")
    # the period ends (a clock moved on, not a sleep a loaded machine could outrun)
    monkeypatch.setattr(credits, "utcnow", lambda: utcnow() + timedelta(seconds=601))
    state = billing.balance(erin)  # reading the plan ends it
    assert (state["plan"], state["balance"], state["monthly_remaining"]) == ("creator", 13, 3)
    assert (state["renews"], state["payment_status"]) == (True, None)
    billing.check_ledger(erin)


def test_the_sweep_ends_plans_of_users_who_do_not_come_by(billing: Billing) -> None:
    fay = billing.user("fay@example.com")
    sub_id = billing.subscribe(fay, "standard")
    billing.processed(billing.stripe.cancel(sub_id))  # period ends in a month
    assert lapse_due(billing.state.sessions) == 0
    assert billing.balance(fay)["plan"] == "standard"
    assert lapse_due(billing.state.sessions, utcnow() + timedelta(days=31)) == 1
    with billing.state.sessions() as session:
        user = credits.lock_user(session, uuid.UUID(fay.user["id"]))
        assert (user.plan, user.credit_balance) == ("creator", 3)
    billing.check_ledger(fay)


def test_failed_payment_mails_the_user_and_the_plan_ends_after_the_retries(
    billing: Billing,
) -> None:
    gus = billing.user("gus@example.com")
    sub_id = billing.subscribe(gus, "pro")
    billing.mailbox.sent.clear()
    failed = billing.processed(billing.stripe.fail_payment(sub_id))
    assert failed["result"] == "payment failed; renewal unpaid; Stripe retries"
    [mail] = billing.mailbox.sent
    assert mail.to == "gus@example.com" and mail.subject == "aifilm: your payment failed"
    assert "49.00 USD" in mail.body and "update your card" in mail.body
    state = billing.balance(gus)  # Stripe retries first: the plan stays, no new month's credits
    assert (state["plan"], state["balance"], state["payment_status"]) == ("pro", 60, "past_due")
    assert len(billing.ledger(gus)) == 3  # creator grant, its expiry, pro grant
    billing.processed(billing.stripe.set_status(sub_id, "unpaid"))
    state = billing.balance(gus)
    assert (state["plan"], state["balance"]) == ("creator", 3)
    billing.check_ledger(gus)


def test_a_retry_that_succeeds_renews_the_month(billing: Billing) -> None:
    vic = billing.user("vic@example.com")
    sub_id = billing.subscribe(vic, "standard")
    billing.processed(billing.stripe.fail_payment(sub_id))
    assert billing.balance(vic)["balance"] == 40
    assert billing.processed(billing.stripe.pay_retry(sub_id))["result"] == "renewed"
    state = billing.balance(vic)
    assert (state["plan"], state["balance"], state["monthly_remaining"]) == ("standard", 40, 40)
    assert [r["type"] for r in billing.ledger(vic)][-2:] == ["expiry", "grant"]
    billing.check_ledger(vic)


def test_webhooks_without_a_valid_recent_signature_are_refused(billing: Billing) -> None:
    hal = billing.user("hal@example.com")
    event = billing.buy(hal, pack="pack-60")["checkout.session.completed"]
    payload = json.dumps(event).encode()

    r = billing.client.post(WEBHOOK, content=payload)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert "no Stripe-Signature header" in r.json()["detail"]

    r = billing.deliver(event, secret="whsec_someone_else")
    assert r.status_code == 400 and "AIFILM_STRIPE_WEBHOOK_SECRET" in r.json()["detail"]

    r = billing.deliver(event, timestamp=int(time.time()) - 600)  # a replay, correctly signed
    assert r.status_code == 400 and "replayed" in r.json()["detail"]

    tampered = payload.replace(b"pack-60", b"pack-10")
    r = billing.client.post(WEBHOOK, content=tampered, headers={"Stripe-Signature": sign(payload)})
    assert r.status_code == 400

    r = billing.client.post(WEBHOOK, content=payload, headers={"Stripe-Signature": "garbage"})
    assert r.status_code == 400
    assert billing.balance(hal)["balance"] == 3
    with billing.state.sessions() as session:
        assert session.scalars(select(PaymentEvent)).all() == []
    assert billing.processed(event)["result"] == "added 60 purchased credits"
    billing.check_ledger(hal)


def test_checkout_for_what_is_not_for_sale_is_a_clear_problem(billing: Billing) -> None:
    ivy = billing.user("ivy@example.com")
    for body, words in [
        ({"plan": "platinum"}, "unknown plan 'platinum'; plans for sale: standard, pro"),
        ({"plan": "creator"}, "the creator plan is free"),
        ({"pack": "pack-1000"}, "unknown credit pack 'pack-1000'; packs: pack-10 ($5, 10"),
        ({}, 'send one of "plan"'),
        ({"plan": "pro", "pack": "pack-10"}, 'send one of "plan"'),
    ]:
        r = ivy.post("/api/payments/checkout", json=body)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert words in r.json()["detail"], (body, r.json())
    billing.subscribe(ivy, "standard")
    r = ivy.post("/api/payments/checkout", json={"plan": "pro"})
    assert r.status_code == 409 and "billing portal" in r.json()["detail"]
    assert billing.balance(ivy)["plan"] == "standard"
    billing.check_ledger(ivy)


def test_one_stripe_customer_per_user_and_the_portal(billing: Billing) -> None:
    jo = billing.user("jo@example.com")
    r = jo.post("/api/payments/portal")
    assert r.status_code == 200, r.text
    assert r.json()["url"].startswith("https://billing.stripe.test/p/session/cus_")
    billing.buy(jo, pack="pack-10")
    billing.buy(jo, plan="pro")
    assert [c["email"] for c in billing.stripe.customers.values()] == ["jo@example.com"]
    customer = next(iter(billing.stripe.customers))
    assert r.json()["url"].endswith(customer)


def test_invoices_are_paginated_and_private(billing: Billing) -> None:
    kim, lee = billing.user("kim@example.com"), billing.user("lee@example.com")
    for pack in ("pack-10", "pack-25", "pack-60"):
        billing.processed(billing.buy(kim, pack=pack)["checkout.session.completed"])
    billing.processed(billing.buy(lee, pack="pack-10")["checkout.session.completed"])
    first = kim.get("/api/payments/invoices", params={"limit": 2}).json()
    assert [i["amount_paid"] for i in first["items"]] == [2000, 1000]  # newest first
    assert first["has_more"] is True
    rest = kim.get(
        "/api/payments/invoices", params={"limit": 2, "starting_after": first["next_cursor"]}
    ).json()
    assert [i["amount_paid"] for i in rest["items"]] == [500]
    assert rest["has_more"] is False and rest["next_cursor"] is None
    assert rest["items"][0]["status"] == "paid" and rest["items"][0]["currency"] == "usd"
    theirs = lee.get("/api/payments/invoices").json()["items"]
    assert [i["amount_paid"] for i in theirs] == [500]
    kims = {i["id"] for i in first["items"] + rest["items"]}
    assert not kims & {i["id"] for i in theirs}
    # another user's invoice as a cursor shows nothing of theirs
    peek = lee.get("/api/payments/invoices", params={"starting_after": first["items"][0]["id"]})
    assert not kims & {i["id"] for i in peek.json()["items"]}
    assert billing.client.get("/api/payments/invoices").status_code == 401


def test_stripe_errors_and_missing_settings_are_problems(
    settings_for: Callable[..., ServerSettings], fake_stripe: FakeStripe
) -> None:
    bad_price = billing_settings(settings_for, fake_stripe, stripe_prices={"pro": "price_gone"})
    with TestClient(create_app(bad_price)) as client:
        user = Api(client, "max@example.com")
        r = user.post("/api/payments/checkout", json={"plan": "pro"})
        assert r.status_code == 502
        assert r.json()["detail"] == "Stripe refused the request: No such price: 'price_gone'"
        assert r.json()["stripe_code"] == "resource_missing"
    wrong_key = billing_settings(settings_for, fake_stripe, stripe_secret_key="sk_test_wrong")
    with TestClient(create_app(wrong_key)) as client:
        r = Api(client, "nia@example.com").post("/api/payments/checkout", json={"pack": "pack-10"})
        assert r.status_code == 503 and "AIFILM_STRIPE_SECRET_KEY" in r.json()["detail"]
    with TestClient(create_app(settings_for(worker="none"))) as client:
        r = Api(client, "ola@example.com").post("/api/payments/checkout", json={"pack": "pack-10"})
        assert r.status_code == 503
        assert r.json()["detail"] == (
            "billing is not configured on this server: set AIFILM_STRIPE_SECRET_KEY"
        )
        r = client.post(WEBHOOK, content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"})
        assert r.status_code == 503 and "AIFILM_STRIPE_WEBHOOK_SECRET" in r.json()["detail"]
