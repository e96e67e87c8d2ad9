"""Billing through a live server: concurrent duplicate deliveries, and the purchase mail
through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes
from email.message import Message
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from tests.server.conftest import serve
from tests.server.fake_stripe import SECRET_KEY, FakeStripe, running, sign
from tests.server.test_payments import WEBHOOK, billing_settings
from typer.testing import CliRunner

import aifilm
from aifilm.cli.app import app as cli_app
from aifilm.server import credits
from aifilm.server.config import ServerSettings
from aifilm.server.mail import LogMailer, Mail, SmtpMailer, make_mailer
from aifilm.server.models import CreditTransaction, PaymentEvent, User


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    with running() as fake:
        yield fake


def _sign_up(url: str, email: str) -> dict[str, str]:
    password = "correct horse"
    r = httpx.post(f"{url}/api/users/register", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{url}/api/users/login", json={"email": email, "password": password})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_concurrent_deliveries_of_one_event_count_once_and_mail_by_smtp(
    settings_for: Callable[..., ServerSettings],
    fake_stripe: FakeStripe,
    smtp: tuple[int, Inbox],
) -> None:
    port, inbox = smtp
    settings = billing_settings(
        settings_for,
        fake_stripe,
        smtp_host="127.0.0.1",
        smtp_port=port,
        email_from="aifilm billing <billing@aifilm.test>",
    )
    with serve(settings) as (url, state):
        auth = _sign_up(url, "pia@example.com")
        r = httpx.post(f"{url}/api/payments/checkout", json={"pack": "pack-60"}, headers=auth)
        assert r.status_code == 201, r.text
        event = fake_stripe.pay(r.json()["id"])["checkout.session.completed"]
        payload = json.dumps(event).encode()

        def deliver(_: int) -> dict[str, Any]:
            r = httpx.post(
                url + WEBHOOK, content=payload, headers={"Stripe-Signature": sign(payload)}
            )
            assert r.status_code == 200, r.text
            return dict(r.json())

        with ThreadPoolExecutor(8) as pool:
            statuses = sorted(o["status"] for o in pool.map(deliver, range(8)))
        assert statuses == ["duplicate"] * 7 + ["processed"]
        balance = httpx.get(f"{url}/api/credits/balance", headers=auth).json()["balance"]
        assert balance == 3 + 60
        with state.sessions() as session:
            assert len(session.scalars(select(PaymentEvent)).all()) == 1
            rows = session.scalars(
                select(CreditTransaction).where(CreditTransaction.event_id == event["id"])
            ).all()
            assert [(r.type, r.amount) for r in rows] == [("purchase", 60)]
            uid = rows[0].user_id
            assert credits.ledger_sum(session, uid) == balance
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert inbox.envelopes == [("billing@aifilm.test", ["pia@example.com"])]
    assert mail["Subject"] == "aifilm: thank you for your purchase (60 credits)"
    assert "60 credits for $20.00. They never expire." in mail.get_payload()


def test_the_mailer_follows_the_settings(
    settings_for: Callable[..., ServerSettings],
    smtp: tuple[int, Inbox],
    caplog: pytest.LogCaptureFixture,
) -> None:
    port, inbox = smtp
    log_mailer = make_mailer(settings_for())  # development default: the log
    assert isinstance(log_mailer, LogMailer)
    with caplog.at_level(logging.INFO, logger="aifilm.server.mail"):
        log_mailer.send(Mail("sam@example.com", "Receipt", "Thank you.\n"))
    assert "email to sam@example.com: Receipt" in caplog.text and "Thank you." in caplog.text
    mailer = make_mailer(settings_for(smtp_host="127.0.0.1", smtp_port=port))
    assert isinstance(mailer, SmtpMailer)
    mailer.send(Mail("ray@example.com", "Hello", "Body text.\n"))
    assert inbox.messages[0]["To"] == "ray@example.com"
    with pytest.raises(ValueError, match="AIFILM_SERVER_SMTP_HOST"):
        settings_for(email_backend="smtp")
    dead = SmtpMailer("127.0.0.1", port + 1 if port < 65535 else port - 1, "x@example.com")
    with pytest.raises(OSError):
        dead.send(Mail("ray@example.com", "Hello", "Body.\n"))


def test_cli_buys_subscribes_and_lists_invoices(
    settings_for: Callable[..., ServerSettings],
    fake_stripe: FakeStripe,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serve(billing_settings(settings_for, fake_stripe)) as (url, _state):
        client = aifilm.Client(url)
        client.register("quinn@example.com", "pass word 3")
        client.login("quinn@example.com", "pass word 3")
        monkeypatch.setenv("AIFILM_SERVER_URL", url)
        monkeypatch.setenv("AIFILM_API_KEY", client.create_api_key("ci"))
        runner = CliRunner()
        r = runner.invoke(cli_app, ["billing", "buy", "pack-25"])
        assert r.exit_code == 0, r.output
        assert "open this page to continue:\nhttps://checkout.stripe.test/c/pay/cs_test_" in (
            r.output
        )
        session_id = r.output.strip().rsplit("/", 1)[1]
        event = fake_stripe.pay(session_id)["checkout.session.completed"]
        payload = json.dumps(event).encode()
        httpx.post(url + WEBHOOK, content=payload, headers={"Stripe-Signature": sign(payload)})
        r = runner.invoke(cli_app, ["credits"])
        assert "28 credit(s) on the creator plan" in r.output
        r = runner.invoke(cli_app, ["billing", "invoices"])
        assert r.exit_code == 0 and "10.00 USD  paid" in r.output
        r = runner.invoke(cli_app, ["billing", "subscribe", "pro", "--json"])
        assert json.loads(r.output)["mode"] == "subscription"
        r = runner.invoke(cli_app, ["billing", "portal"])
        assert "https://billing.stripe.test/p/session/cus_" in r.output
        r = runner.invoke(cli_app, ["billing", "subscribe", "platinum"])
        assert r.exit_code != 0
        assert isinstance(r.exception, aifilm.RemoteError)
        assert "unknown plan 'platinum'" in str(r.exception)


def test_billing_setup_creates_the_prices_once_and_checkout_finds_them(
    settings_for: Callable[..., ServerSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(seed_prices=False) as fake:
        monkeypatch.setenv("AIFILM_STRIPE_SECRET_KEY", SECRET_KEY)
        monkeypatch.setenv("AIFILM_STRIPE_API_BASE", fake.url)
        runner = CliRunner()
        r = runner.invoke(cli_app, ["billing", "setup"])
        assert r.exit_code == 0, r.output
        assert r.output.count("created") == 6
        pro = fake.prices["pro"]
        assert (pro["unit_amount"], pro["lookup_key"], pro["recurring"]["interval"]) == (
            4900,
            "aifilm_pro",
            "month",
        )
        assert fake.prices["pack-25"]["recurring"] is None
        r = runner.invoke(cli_app, ["billing", "setup"])
        assert r.output.count("already there") == 6 and len(fake.products) == 6
        with serve(billing_settings(settings_for, fake)) as (url, _state):
            client = aifilm.Client(url)
            client.register("uma@example.com", "pass word 4")
            client.login("uma@example.com", "pass word 4")
            assert client.checkout(plan="pro")["mode"] == "subscription"
        [(_, _, sent)] = [r for r in fake.requests if r[1] == "/v1/checkout/sessions"]
        assert sent["line_items"][0]["price"] == pro["id"]
        monkeypatch.setenv("AIFILM_STRIPE_SECRET_KEY", "sk_test_wrong")
        r = runner.invoke(cli_app, ["billing", "setup"])
        assert r.exit_code != 0 and "AIFILM_STRIPE_SECRET_KEY" in str(r.exception)


def test_the_sweep_thread_ends_lapsed_plans(
    settings_for: Callable[..., ServerSettings], fake_stripe: FakeStripe
) -> None:
    settings = billing_settings(settings_for, fake_stripe, billing_sweep_seconds=0.3)
    with serve(settings) as (url, state):
        client = aifilm.Client(url)
        client.register("wes@example.com", "pass word 5")
        client.login("wes@example.com", "pass word 5")
        events = fake_stripe.pay(client.checkout(plan="standard")["id"])
        sub_id = events["customer.subscription.created"]["data"]["object"]["id"]
        for event in (events["checkout.session.completed"], fake_stripe.cancel(sub_id, 1)):
            payload = json.dumps(event).encode()
            r = httpx.post(
                url + WEBHOOK, content=payload, headers={"Stripe-Signature": sign(payload)}
            )
            assert r.json()["status"] == "processed"
        user_id = client.me()["id"]
        deadline = time.monotonic() + 10
        while True:  # nobody reads the plan: the sweep ends it
            with state.readers() as session:
                user = session.get(User, uuid.UUID(user_id))
                assert user is not None
                if user.plan == "creator":
                    break
            assert time.monotonic() < deadline, "the plan did not lapse"
            time.sleep(0.2)
        assert client.balance()["balance"] == 3
