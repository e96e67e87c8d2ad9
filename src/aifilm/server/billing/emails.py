"""The messages billing sends: a purchase confirmation and a failed-payment notice."""

from __future__ import annotations

from aifilm.server.billing.catalog import Product
from aifilm.server.mail import Mail


def purchase_confirmation(to: str, product: Product, balance: int) -> Mail:
    """Sent once a checkout is paid."""
    price = f"${product.usd_cents / 100:.2f}"
    if product.kind == "pack":
        what = f"{product.credits} credits for {price}. They never expire."
    else:
        monthly = "unlimited renders" if product.credits is None else f"{product.credits} credits"
        what = f"the {product.name} plan for {price} a month: {monthly} each month."
    return Mail(
        to=to,
        subject=f"aifilm: thank you for your purchase ({product.name})",
        body=f"Thank you! You bought {what}\n\nYour balance is now {balance} credits.\n",
    )


def payment_failed(to: str, plan: str, amount_cents: int, currency: str) -> Mail:
    """Sent when a renewal could not be charged; Stripe retries before the plan ends."""
    return Mail(
        to=to,
        subject="aifilm: your payment failed",
        body=(
            f"We could not charge {amount_cents / 100:.2f} {currency.upper()} for your "
            f"{plan} plan. Stripe will try again over the next days; please update your card "
            "in the billing portal (`aifilm billing portal`, or POST /api/payments/portal).\n\n"
            "If every attempt fails, your plan ends and your account moves to the free "
            "Creator plan. Credits you bought are kept.\n"
        ),
    )
