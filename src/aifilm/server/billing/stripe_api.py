"""The calls the server makes to Stripe, through the official `stripe` library.

One `StripeGateway` per server, pointed at `stripe_api_base` (a local fake in tests). Stripe's
errors become problems: 502 when Stripe refused, 503 when it could not be reached or billing
is not configured. No call is made while a database transaction is open.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

import stripe

from aifilm.server.billing.catalog import PRODUCTS, Product
from aifilm.server.config import ServerSettings
from aifilm.server.errors import Problem

if TYPE_CHECKING:
    from stripe.params._invoice_list_params import InvoiceListParams
    from stripe.params._price_create_params import PriceCreateParams
    from stripe.params.checkout import SessionCreateParams


def not_configured(what: str) -> Problem:
    """The problem for a billing call on a server without Stripe settings."""
    return Problem(
        503,
        f"billing is not configured on this server: set {what}",
        title="Billing not configured",
    )


@contextmanager
def stripe_errors() -> Iterator[None]:
    """Turn the library's errors into problems a client can read."""
    try:
        yield
    except stripe.APIConnectionError as exc:
        raise Problem(
            503, f"could not reach Stripe: {exc.user_message or exc}", title="Payments unavailable"
        ) from exc
    except stripe.AuthenticationError as exc:
        raise Problem(
            503,
            "Stripe rejected the server's API key; check AIFILM_STRIPE_SECRET_KEY",
            title="Billing misconfigured",
        ) from exc
    except stripe.StripeError as exc:
        raise Problem(
            502,
            f"Stripe refused the request: {exc.user_message or exc}",
            title="Payment provider error",
            stripe_code=exc.code,
        ) from exc


class StripeGateway:
    """Stripe, as this server uses it: customers, checkout, portal, invoices, subscriptions."""

    def __init__(self, settings: ServerSettings) -> None:
        if not settings.stripe_secret_key:
            raise not_configured("AIFILM_STRIPE_SECRET_KEY")
        self.settings = settings
        self.client = stripe.StripeClient(
            settings.stripe_secret_key,
            base_addresses={"api": settings.stripe_api_base.rstrip("/")},
            max_network_retries=2,
        )
        self._prices: dict[str, str] = {}
        self._price_lock = threading.Lock()

    def price_id(self, product: Product) -> str:
        """The Stripe price of `product`: from settings, else found by its lookup key."""
        configured = self.settings.stripe_prices.get(product.key)
        if configured:
            return configured
        with self._price_lock:
            if product.key in self._prices:
                return self._prices[product.key]
        with stripe_errors():
            found = self.client.v1.prices.list(
                params={"lookup_keys": [product.lookup_key], "active": True, "limit": 1}
            )
        if not found.data:
            raise Problem(
                503,
                f"Stripe has no active price with lookup key {product.lookup_key!r} for "
                f"{product.key}; run `aifilm billing setup` or name the price in "
                "AIFILM_STRIPE_PRICES",
                title="Billing misconfigured",
            )
        with self._price_lock:
            self._prices[product.key] = found.data[0].id
        return found.data[0].id

    def product_for_price(self, price: dict[str, Any] | str | None) -> Product | None:
        """Which product a Stripe price sells (by id, lookup key or metadata)."""
        if price is None:
            return None
        price_id = price if isinstance(price, str) else price.get("id")
        for key, configured in self.settings.stripe_prices.items():
            if configured == price_id and key in PRODUCTS:
                return PRODUCTS[key]
        with self._price_lock:
            for key, known in self._prices.items():
                if known == price_id:
                    return PRODUCTS[key]
        if isinstance(price, str):
            return None
        lookup_key = price.get("lookup_key")
        for product in PRODUCTS.values():
            if lookup_key == product.lookup_key:
                return product
        metadata = price.get("metadata") or {}
        return PRODUCTS.get(str(metadata.get("aifilm_product", "")))

    def ensure_prices(self) -> list[tuple[Product, str, bool]]:
        """Create the products and prices Stripe lacks (found by lookup key); returns
        (product, price id, created now) for each. Safe to run again."""
        keys = [p.lookup_key for p in PRODUCTS.values()]
        with stripe_errors():
            found = self.client.v1.prices.list(
                params={"lookup_keys": keys, "active": True, "limit": 100}
            )
            existing = {p.lookup_key: p.id for p in found.data}
            done: list[tuple[Product, str, bool]] = []
            for product in PRODUCTS.values():
                if product.lookup_key in existing:
                    done.append((product, existing[product.lookup_key], False))
                    continue
                meta = {"aifilm_product": product.key}
                made = self.client.v1.products.create(
                    params={"name": f"aifilm {product.name}", "metadata": meta}
                )
                params: dict[str, Any] = {
                    "product": made.id,
                    "currency": "usd",
                    "unit_amount": product.usd_cents,
                    "lookup_key": product.lookup_key,
                    "metadata": meta,
                }
                if product.kind == "plan":
                    params["recurring"] = {"interval": "month"}
                price = self.client.v1.prices.create(params=cast("PriceCreateParams", params))
                done.append((product, price.id, True))
        return done

    def create_customer(self, user_id: str, email: str) -> str:
        """A Stripe customer for the user; the idempotency key makes a retry (or a race
        between two requests) get the same customer."""
        with stripe_errors():
            customer = self.client.v1.customers.create(
                params={"email": email, "metadata": {"aifilm_user_id": user_id}},
                options={"idempotency_key": f"aifilm-customer-{user_id}"},
            )
        return str(customer.id)

    def create_checkout(self, customer: str, user_id: str, product: Product) -> dict[str, Any]:
        """A Checkout Session: subscription mode for a plan, payment mode for a pack."""
        base = self.settings.public_url.rstrip("/")
        success = base + "/billing/done?session={CHECKOUT_SESSION_ID}"
        cancel = base + "/billing/cancelled"
        metadata = {"aifilm_user_id": user_id, "aifilm_product": product.key}
        params: dict[str, Any] = {
            "customer": customer,
            "client_reference_id": user_id,
            "line_items": [{"price": self.price_id(product), "quantity": 1}],
            "success_url": success,
            "cancel_url": cancel,
            "metadata": metadata,
        }
        if product.kind == "plan":
            params["mode"] = "subscription"
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["mode"] = "payment"
            params["invoice_creation"] = {"enabled": True, "invoice_data": {"metadata": metadata}}
        with stripe_errors():
            return self.client.v1.checkout.sessions.create(
                params=cast("SessionCreateParams", params)
            ).to_dict()

    def create_portal(self, customer: str) -> dict[str, Any]:
        """A customer portal session (cards, invoices, plan changes, cancellation)."""
        with stripe_errors():
            return self.client.v1.billing_portal.sessions.create(
                params={"customer": customer, "return_url": self.settings.public_url}
            ).to_dict()

    def list_invoices(
        self, customer: str, limit: int, starting_after: str | None
    ) -> dict[str, Any]:
        """One page of the customer's invoices, newest first."""
        params: dict[str, Any] = {"customer": customer, "limit": limit}
        if starting_after:
            params["starting_after"] = starting_after
        with stripe_errors():
            return self.client.v1.invoices.list(params=cast("InvoiceListParams", params)).to_dict()

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        """The subscription as Stripe holds it now (events may arrive late or out of order)."""
        with stripe_errors():
            return self.client.v1.subscriptions.retrieve(subscription_id).to_dict()
