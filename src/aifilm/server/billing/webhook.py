"""Stripe's webhook: verify the signature, then process each event exactly once.

The event id goes into `payment_events` in the same transaction as the event's effects
(plan, ledger rows tagged with the event id), under a unique constraint: a second delivery,
even a concurrent one, finds the id taken and changes nothing. Calls to Stripe (the latest
state of a subscription) are made before that transaction opens; emails are sent after it
commits, so a duplicate never mails twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import stripe
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from aifilm.server import credits
from aifilm.server.billing import emails
from aifilm.server.billing.catalog import PACK_PRODUCTS, PRODUCTS, Product
from aifilm.server.billing.stripe_api import StripeGateway, not_configured
from aifilm.server.billing.sync import apply_subscription, first_price
from aifilm.server.config import ServerSettings
from aifilm.server.db import transaction
from aifilm.server.errors import Problem
from aifilm.server.mail import Mail, Mailer, send_quietly
from aifilm.server.models import PaymentEvent, User

log = logging.getLogger("aifilm.server.billing")

CHECKOUT_PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
INVOICE = ("invoice.paid", "invoice.payment_failed")
SUBSCRIPTION = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
HANDLED = frozenset(CHECKOUT_PAID + INVOICE + SUBSCRIPTION)


def verify(payload: bytes, signature: str | None, settings: ServerSettings) -> dict[str, Any]:
    """The event in `payload` if Stripe signed it recently with our secret, else a 400."""
    if not settings.stripe_webhook_secret:
        raise not_configured("AIFILM_STRIPE_WEBHOOK_SECRET")
    if not signature:
        raise Problem(
            400,
            "no Stripe-Signature header: only Stripe's signed webhook deliveries are accepted",
            title="Invalid webhook signature",
        )
    try:
        event = stripe.Webhook.construct_event(
            payload,
            signature,
            settings.stripe_webhook_secret,
            tolerance=settings.stripe_webhook_tolerance,
        )
    except stripe.SignatureVerificationError as exc:
        reason = str(exc.user_message or exc)
        if "tolerance" in reason:
            reason = (
                f"the signature's timestamp is more than {settings.stripe_webhook_tolerance} s "
                "old: a replayed or delayed delivery"
            )
        else:
            reason = (
                f"{reason}; check that AIFILM_STRIPE_WEBHOOK_SECRET is this endpoint's signing "
                "secret (whsec_...)"
            )
        raise Problem(400, reason, title="Invalid webhook signature") from exc
    except (ValueError, TypeError, AttributeError) as exc:  # JSON, but not an object
        raise Problem(400, f"the body is not a Stripe event: {exc}") from exc
    data: dict[str, Any] = event.to_dict()
    _check_envelope(data)
    return data


def _check_envelope(event: dict[str, Any]) -> None:
    """A 400 unless the event has the fields every Stripe event has, of the right types."""
    data = event.get("data")
    problems = [
        name
        for name, ok in (
            ("id", isinstance(event.get("id"), str) and event["id"]),
            ("type", isinstance(event.get("type"), str) and event["type"]),
            ("data.object", isinstance(data, dict) and isinstance(data.get("object"), dict)),
        )
        if not ok
    ]
    if problems:
        raise Problem(
            400,
            f"the body is not a Stripe event: {', '.join(problems)} missing or of the wrong type",
        )


class MalformedEvent(Problem):
    """A signed event whose object is not in the shape Stripe sends."""

    def __init__(self, event: dict[str, Any], exc: Exception) -> None:
        super().__init__(
            400,
            f"event {event.get('id')} ({event.get('type')}) is not in the shape Stripe sends: "
            f"{type(exc).__name__}: {exc}",
        )


@dataclass
class Outcome:
    """What became of one delivery."""

    event_id: str
    type: str
    status: str  # processed | duplicate | ignored
    result: str = ""
    mails: list[Mail] = field(default_factory=list)


@dataclass
class _Prepared:
    """What the event needs from Stripe, fetched before the transaction opens."""

    obj: dict[str, Any]
    subscription: dict[str, Any] | None = None
    product: Product | None = None


def process(
    event: dict[str, Any],
    sessions: sessionmaker[Session],
    readers: sessionmaker[Session],
    gateway: StripeGateway,
    mailer: Mailer,
) -> Outcome:
    """Apply a verified event once; a repeat of a processed event is a no-op."""
    event_id, type_ = str(event["id"]), str(event["type"])
    if type_ not in HANDLED:
        return Outcome(event_id, type_, "ignored")
    with readers() as session:  # spares a duplicate the calls to Stripe
        if _seen(session, event_id):
            return Outcome(event_id, type_, "duplicate")
    prepared = _prepare(type_, event["data"]["object"], gateway)
    outcome = Outcome(event_id, type_, "processed")
    try:
        with transaction(sessions) as session:
            row = PaymentEvent(
                provider="stripe",
                event_id=event_id,
                type=type_,
                payload={"object": prepared.obj.get("id")},
            )
            session.add(row)
            session.flush()  # a duplicate delivery stops here (unique provider, event_id)
            user = _find_user(session, prepared)
            if user is None:
                log.warning("stripe event %s (%s): no matching user", event_id, type_)
                outcome.result = "no matching user"
            else:
                row.user_id = user.id
                outcome.result = APPLY[type_](session, user, prepared, event_id, outcome)
            row.payload = {**row.payload, "result": outcome.result}
            paid = money_received(type_, prepared)
            if paid is not None:
                row.amount, row.currency, row.product = paid
    except IntegrityError:
        return Outcome(event_id, type_, "duplicate")
    for mail in outcome.mails:
        send_quietly(mailer, mail)
    log.info("stripe event %s (%s): %s", event_id, type_, outcome.result)
    return outcome


def money_received(type_: str, prepared: _Prepared) -> tuple[int, str, str] | None:
    """(amount in cents, currency, product) an event reports paid, for revenue analytics;
    None for an event that moved no money. A subscription's checkout is not counted: its
    first invoice (invoice.paid) is, like every renewal."""
    obj = prepared.obj
    if type_ in CHECKOUT_PAID:
        if obj.get("mode") != "payment" or obj.get("payment_status") != "paid":
            return None
        amount = obj.get("amount_total")
        product = str((obj.get("metadata") or {}).get("aifilm_product") or "unknown")
    elif type_ == "invoice.paid":
        amount = obj.get("amount_paid")
        product = prepared.product.key if prepared.product is not None else "unknown"
    else:
        return None
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        return None
    return amount, str(obj.get("currency") or "usd")[:3].lower(), product[:20]


def _seen(session: Session, event_id: str) -> bool:
    found = session.scalars(
        select(PaymentEvent.id).where(
            PaymentEvent.provider == "stripe", PaymentEvent.event_id == event_id
        )
    ).first()
    return found is not None


def _id(value: Any) -> str | None:
    """An id from a field Stripe may send as an id or as the expanded object."""
    if isinstance(value, dict):
        return str(value["id"])
    return str(value) if value else None


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return _id(details.get("subscription")) or _id(invoice.get("subscription"))


def _prepare(type_: str, obj: dict[str, Any], gateway: StripeGateway) -> _Prepared:
    prepared = _Prepared(obj)
    if type_ in CHECKOUT_PAID:
        sub_id = _id(obj.get("subscription")) if obj.get("mode") == "subscription" else None
    elif type_ in INVOICE:
        sub_id = _invoice_subscription(obj)
    else:
        sub_id = _id(obj.get("id"))
    if sub_id:
        prepared.subscription = gateway.subscription(sub_id)
        prepared.product = gateway.product_for_price(first_price(prepared.subscription))
        if prepared.product is None:
            key = (prepared.subscription.get("metadata") or {}).get("aifilm_product")
            prepared.product = PRODUCTS.get(str(key))
    return prepared


def _find_user(session: Session, prepared: _Prepared) -> User | None:
    """The user by Stripe customer id, else by the user id our checkout put in metadata;
    returned locked."""
    sources = [prepared.obj, prepared.subscription or {}]
    customer = next((_id(s.get("customer")) for s in sources if s.get("customer")), None)
    user_id = None
    if customer:
        user_id = session.scalars(
            select(User.id).where(User.stripe_customer_id == customer)
        ).first()
    if user_id is None:
        for source in sources:
            meta = (source.get("metadata") or {}).get("aifilm_user_id")
            ref = meta or source.get("client_reference_id")
            if ref:
                user_id = session.scalars(select(User.id).where(User.id == _uuid(ref))).first()
                if user_id is not None:
                    break
    if user_id is None:
        return None
    user = credits.lock_user(session, user_id)
    if customer and user.stripe_customer_id is None:
        user.stripe_customer_id = customer
    return user


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _subscription_changed(
    session: Session, user: User, prepared: _Prepared, event_id: str, outcome: Outcome
) -> str:
    if prepared.subscription is None:
        return "no subscription"
    return apply_subscription(session, user, prepared.subscription, prepared.product, event_id)


def _checkout_paid(
    session: Session, user: User, prepared: _Prepared, event_id: str, outcome: Outcome
) -> str:
    obj = prepared.obj
    if obj.get("payment_status") not in ("paid", "no_payment_required"):
        return "waiting for the payment"  # checkout.session.async_payment_succeeded follows
    if obj.get("mode") == "subscription":
        result = _subscription_changed(session, user, prepared, event_id, outcome)
        if prepared.product is not None:
            outcome.mails.append(
                emails.purchase_confirmation(user.email, prepared.product, user.credit_balance)
            )
        return result
    key = str((obj.get("metadata") or {}).get("aifilm_product", ""))
    pack = PACK_PRODUCTS.get(key)
    if pack is None or pack.credits is None:
        log.error("checkout %s paid for an unknown product %r", obj.get("id"), key)
        return f"unknown product {key!r}"
    credits.record(
        session,
        user,
        "purchase",
        pack.credits,
        f"bought {pack.name} (checkout {obj.get('id')})",
        event_id=event_id,
    )
    outcome.mails.append(emails.purchase_confirmation(user.email, pack, user.credit_balance))
    return f"added {pack.credits} purchased credits"


def _payment_failed(
    session: Session, user: User, prepared: _Prepared, event_id: str, outcome: Outcome
) -> str:
    result = _subscription_changed(session, user, prepared, event_id, outcome)
    invoice = prepared.obj
    outcome.mails.append(
        emails.payment_failed(
            user.email,
            user.plan,
            int(invoice.get("amount_due") or 0),
            str(invoice.get("currency") or "usd"),
        )
    )
    return f"payment failed; {result}"


Handler = Callable[[Session, User, _Prepared, str, Outcome], str]
APPLY: dict[str, Handler] = {
    "checkout.session.completed": _checkout_paid,
    "checkout.session.async_payment_succeeded": _checkout_paid,
    "invoice.paid": _subscription_changed,
    "invoice.payment_failed": _payment_failed,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
}
