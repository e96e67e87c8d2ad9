"""Payments: Stripe Checkout for plans and credit packs, the customer portal, invoices, and
Stripe's webhook (see `aifilm.server.billing`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from aifilm.server import credits
from aifilm.server.billing import webhook
from aifilm.server.billing.catalog import pack_product, plan_product
from aifilm.server.billing.deps import GatewayDep, gateway_for, mailer_for
from aifilm.server.billing.stripe_api import StripeGateway
from aifilm.server.billing.sync import timestamp
from aifilm.server.deps import CurrentUser, SessionDep, StateDep
from aifilm.server.errors import Conflict, Problem
from aifilm.server.models import Subscription, User
from aifilm.server.schemas import (
    CheckoutCreate,
    CheckoutPublic,
    InvoicePage,
    InvoicePublic,
    PortalPublic,
)

router = APIRouter(prefix="/payments", tags=["payments"])
WEBHOOK_PATH = "/api/payments/webhooks/stripe"


def ensure_customer(session: Session, gateway: StripeGateway, user: User) -> str:
    """The user's Stripe customer id, creating the customer the first time.

    No transaction is open during the call to Stripe (on SQLite one would hold the write
    lock); a concurrent first request gets the same customer through the idempotency key.
    """
    session.commit()
    if user.stripe_customer_id:
        return user.stripe_customer_id
    customer = gateway.create_customer(str(user.id), user.email)
    with session.begin():
        locked = credits.lock_user(session, user.id)
        if locked.stripe_customer_id is None:
            locked.stripe_customer_id = customer
        return locked.stripe_customer_id


@router.post("/checkout", status_code=201, response_model=CheckoutPublic)
def checkout(
    body: CheckoutCreate, user: CurrentUser, session: SessionDep, gateway: GatewayDep
) -> CheckoutPublic:
    """A Stripe Checkout page for a plan (a monthly subscription) or a credit pack."""
    if (body.plan is None) == (body.pack is None):
        raise Problem(
            422,
            'send one of "plan" (standard, pro, enterprise) or "pack" (pack-10, pack-25, '
            'pack-60), for example {"pack": "pack-25"}',
        )
    product = plan_product(body.plan) if body.plan is not None else pack_product(str(body.pack))
    if product.kind == "plan":
        sub = session.scalars(select(Subscription).where(Subscription.user_id == user.id)).first()
        if sub is not None and sub.stripe_subscription_id and sub.status not in credits.LAPSED:
            raise Conflict(
                f"you already subscribe to the {sub.plan} plan; change or cancel it in the "
                "billing portal (POST /api/payments/portal)",
                plan=sub.plan,
            )
    customer = ensure_customer(session, gateway, user)
    created = gateway.create_checkout(customer, str(user.id), product)
    return CheckoutPublic(
        id=created["id"], url=created["url"], mode=created["mode"], product=product.key
    )


@router.post("/portal", response_model=PortalPublic)
def portal(user: CurrentUser, session: SessionDep, gateway: GatewayDep) -> PortalPublic:
    """A Stripe customer portal page: cards, invoices, plan changes, cancellation."""
    customer = ensure_customer(session, gateway, user)
    return PortalPublic(url=gateway.create_portal(customer)["url"])


@router.get("/invoices", response_model=InvoicePage)
def invoices(
    user: CurrentUser,
    gateway: GatewayDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    starting_after: Annotated[str | None, Query(max_length=255)] = None,
) -> InvoicePage:
    """Your invoices from Stripe, newest first; page on with `starting_after=next_cursor`."""
    if not user.stripe_customer_id:
        return InvoicePage(items=[], has_more=False, next_cursor=None)
    try:
        found = gateway.list_invoices(user.stripe_customer_id, limit, starting_after)
    except Problem as exc:
        if starting_after and exc.extra.get("stripe_code") == "resource_missing":
            raise Problem(
                400,
                f"starting_after {starting_after!r} is not one of your invoices; pass the "
                "next_cursor of the page before",
            ) from exc
        raise
    items = [_invoice(i) for i in found.get("data", [])]
    has_more = bool(found.get("has_more"))
    return InvoicePage(
        items=items, has_more=has_more, next_cursor=items[-1].id if has_more and items else None
    )


def _invoice(data: dict[str, Any]) -> InvoicePublic:
    return InvoicePublic(
        id=data["id"],
        number=data.get("number"),
        status=data.get("status"),
        currency=data.get("currency") or "usd",
        amount_due=int(data.get("amount_due") or 0),
        amount_paid=int(data.get("amount_paid") or 0),
        created=timestamp(data.get("created") or 0),
        description=data.get("description"),
        hosted_invoice_url=data.get("hosted_invoice_url"),
        invoice_pdf=data.get("invoice_pdf"),
    )


@router.post("/webhooks/stripe")
async def stripe_webhook(request: Request, state: StateDep) -> dict[str, Any]:
    """Stripe's events (signed with `AIFILM_STRIPE_WEBHOOK_SECRET`); each applied once."""
    payload = await request.body()
    event = webhook.verify(payload, request.headers.get("stripe-signature"), state.settings)
    try:
        outcome = await run_in_threadpool(
            webhook.process,
            event,
            state.sessions,
            state.readers,
            gateway_for(state),
            mailer_for(state),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # Signed, so from Stripe (or whoever holds the secret), but not shaped as its events
        # are: nothing was applied (the transaction rolled back); a 400 says so.
        raise webhook.MalformedEvent(event, exc) from exc
    return {
        "received": True,
        "event": outcome.event_id,
        "type": outcome.type,
        "status": outcome.status,
        "result": outcome.result,
    }
