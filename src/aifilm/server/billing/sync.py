"""A Stripe subscription's current state applied to the user's plan and monthly credits.

Every subscription event (checkout completed, invoice paid, subscription created, updated,
deleted) ends here with the subscription as Stripe holds it *now*, so events may arrive in
any order, late or twice: applying the same state again changes nothing.

- a subscription new to us starts the plan and grants its monthly credits;
- a new billing period (a renewal) expires unused monthly credits and grants the allowance,
  once it is paid (not while past_due);
- another price in the same period is an upgrade or downgrade (`credits.change_allowance`);
- canceled keeps the plan until the paid period ends, then Creator (`credits.renew_if_due`);
  unpaid (Stripe's retries are exhausted) ends it now.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aifilm.server import credits
from aifilm.server.billing.catalog import Product
from aifilm.server.models import Subscription, User, utcnow

log = logging.getLogger("aifilm.server.billing")

LIVE = frozenset({"active", "trialing", "past_due"})
ENDS_NOW = frozenset({"unpaid", "incomplete_expired"})


def timestamp(value: Any) -> datetime:
    """A Stripe Unix timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(int(value), tz=timezone.utc)


def period(sub: dict[str, Any]) -> tuple[datetime, datetime]:
    """The current billing period: on the item since API 2025-03-31, on the subscription
    before."""
    items = (sub.get("items") or {}).get("data") or []
    source = items[0] if items and items[0].get("current_period_end") else sub
    return timestamp(source["current_period_start"]), timestamp(source["current_period_end"])


def first_price(sub: dict[str, Any]) -> dict[str, Any] | None:
    """The price of the subscription's (single) item."""
    items = (sub.get("items") or {}).get("data") or []
    price = items[0].get("price") if items else None
    return price if isinstance(price, dict) else None


def apply_subscription(
    session: Session,
    user: User,
    sub: dict[str, Any],
    product: Product | None,
    event_id: str,
    now: datetime | None = None,
) -> str:
    """Bring a locked user's plan in line with `sub`; returns what happened, for the log."""
    now = now or utcnow()
    local = session.scalars(select(Subscription).where(Subscription.user_id == user.id)).first()
    status = str(sub.get("status", ""))
    ours = local is not None and local.stripe_subscription_id == sub["id"]
    if status in LIVE:
        if product is None or product.kind != "plan":
            log.error("subscription %s sells no known plan; set AIFILM_STRIPE_PRICES", sub["id"])
            return "unknown price"
        start, end = period(sub)
        if local is None or not ours:
            local = credits.start_plan(
                session, user, product.key, start, period_end=end, event_id=event_id
            )
            local.stripe_subscription_id, local.status = sub["id"], status
            return "started"
        result = "unchanged"
        if start != local.period_start and status == "past_due":
            # the new period is not paid for: no new credits until invoice.paid
            local.status = status
            return "renewal unpaid; Stripe retries"
        if start != local.period_start:
            local.plan = user.plan = product.key  # a change at renewal: the new allowance
            credits.renew(session, user, local, start, end, event_id)
            result = "renewed"
        elif local.plan != product.key:
            credits.change_allowance(session, user, local, product.key, event_id)
            result = "changed plan"
        local.period_end, local.status = end, status
        local.auto_renew = not sub.get("cancel_at_period_end", False)
        return result
    if not ours or local is None:
        return "not the current subscription"
    if status == "canceled" or status in ENDS_NOW:
        local.status = status
        local.auto_renew = False
        if status in ENDS_NOW:
            local.period_end = min(local.period_end, now)
        else:
            local.period_end = period(sub)[1] if _has_period(sub) else local.period_end
        credits.renew_if_due(session, user, now)
        return "lapsed" if local.stripe_subscription_id is None else "ends at period end"
    local.status = status  # incomplete: the first payment is still pending
    return status


def _has_period(sub: dict[str, Any]) -> bool:
    try:
        period(sub)
    except (KeyError, TypeError, ValueError):
        return False
    return True
