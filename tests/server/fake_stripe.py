"""A local fake of the Stripe API on 127.0.0.1, for the calls the server makes.

A real HTTP server in a thread: it reads Stripe's form-encoded requests (`a[b][0]=c`),
checks the secret key, honours `Idempotency-Key`, and answers JSON objects and Stripe's
error bodies (`{"error": {"type", "code", "message", "param"}}`). Tests play the customer's
side through methods (`pay`, `renew`, `change_plan`, `fail_payment`, `cancel`) that change the
state as Stripe would and return the events Stripe would send, for `sign` to sign with the
real `Stripe-Signature` scheme.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SECRET_KEY = "sk_test_fake_4eC39HqLyjWDarjtT1zdp7dc"
WEBHOOK_SECRET = "whsec_test_secret_0123456789"
API_VERSION = "2026-10-28.endive"
MONTH = 30 * 24 * 3600

PRICES: dict[str, tuple[int, bool]] = {  # product key: (cents, recurring)
    "standard": (3900, True),
    "pro": (4900, True),
    "enterprise": (9900, True),
    "pack-10": (500, False),
    "pack-25": (1000, False),
    "pack-60": (2000, False),
}


class StripeFail(Exception):
    """An error answered in Stripe's shape."""

    def __init__(
        self, status: int, message: str, code: str | None = None, param: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (`metadata[k]=v`, `line_items[0][price]=p`) as nested values."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = root
        for part, nxt in itertools.pairwise(parts):
            default: Any = [] if nxt.isdigit() else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if node[index] is None:
                    node[index] = default
                node = node[index]
            else:
                node = node.setdefault(part, default)
        last = parts[-1]
        if isinstance(node, list):
            index = int(last)
            while len(node) <= index:
                node.append(None)
            node[index] = value
        else:
            node[last] = value
    return root


class FakeStripe:
    """Stripe's state (customers, prices, sessions, subscriptions, invoices) and its server."""

    def __init__(self, seed_prices: bool = True) -> None:
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.customers: dict[str, dict[str, Any]] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.prices = {
            key: {
                "id": f"price_{key.replace('-', '_')}",
                "object": "price",
                "active": True,
                "currency": "usd",
                "unit_amount": cents,
                "lookup_key": "aifilm_" + key.replace("-", "_"),
                "recurring": {"interval": "month", "interval_count": 1} if recurring else None,
                "type": "recurring" if recurring else "one_time",
                "metadata": {},
            }
            for key, (cents, recurring) in PRICES.items()
            if seed_prices
        }
        self.products: dict[str, dict[str, Any]] = {}
        self.url = ""

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self.ids):06d}"

    # --- the HTTP API -----------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.requests.append((method, path, params))
            route = (method, re.sub(r"/[a-z]+_[A-Za-z0-9_]+$", "/{id}", path))
            if route == ("POST", "/v1/customers"):
                return self._create_customer(params)
            if route == ("GET", "/v1/prices"):
                keys = params.get("lookup_keys") or []
                found = [p for p in self.prices.values() if p["lookup_key"] in keys]
                return {"object": "list", "data": found, "has_more": False, "url": path}
            if route == ("POST", "/v1/products"):
                product = {"id": self.new_id("prod"), "object": "product", **params}
                self.products[product["id"]] = product
                return product
            if route == ("POST", "/v1/prices"):
                return self._create_price(params)
            if route == ("POST", "/v1/checkout/sessions"):
                return self._create_session(params)
            if route == ("POST", "/v1/billing_portal/sessions"):
                customer = self._customer(params.get("customer"), "customer")
                return {
                    "id": self.new_id("bps"),
                    "object": "billing_portal.session",
                    "customer": customer["id"],
                    "return_url": params.get("return_url"),
                    "url": f"https://billing.stripe.test/p/session/{customer['id']}",
                }
            if route == ("GET", "/v1/invoices"):
                return self._list_invoices(params)
            if route == ("GET", "/v1/subscriptions/{id}"):
                sub_id = path.rsplit("/", 1)[1]
                if sub_id not in self.subscriptions:
                    raise StripeFail(
                        404, f"No such subscription: '{sub_id}'", "resource_missing", "id"
                    )
                return self.subscriptions[sub_id]
            raise StripeFail(404, f"Unrecognized request URL ({method}: {path}).")

    def _customer(self, customer_id: Any, param: str) -> dict[str, Any]:
        if customer_id not in self.customers:
            raise StripeFail(400, f"No such customer: '{customer_id}'", "resource_missing", param)
        return self.customers[customer_id]

    def _create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = {
            "id": self.new_id("cus"),
            "object": "customer",
            "email": params.get("email"),
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
        }
        self.customers[customer["id"]] = customer
        return customer

    def _create_price(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("product") not in self.products:
            raise StripeFail(
                400, f"No such product: '{params.get('product')}'", "resource_missing", "product"
            )
        recurring = params.get("recurring")
        price = {
            "id": self.new_id("price"),
            "object": "price",
            "active": True,
            "currency": params["currency"],
            "unit_amount": int(params["unit_amount"]),
            "lookup_key": params.get("lookup_key"),
            "recurring": {"interval": recurring["interval"], "interval_count": 1}
            if recurring
            else None,
            "type": "recurring" if recurring else "one_time",
            "product": params["product"],
            "metadata": params.get("metadata", {}),
        }
        key = str(price["metadata"].get("aifilm_product") or price["id"])
        self.prices[key] = price
        return price

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = params.get("mode")
        if mode not in ("payment", "subscription"):
            raise StripeFail(400, "Invalid mode", "parameter_invalid_empty", "mode")
        customer = self._customer(params.get("customer"), "customer")
        items = params.get("line_items") or []
        if len(items) != 1:
            raise StripeFail(400, "Exactly one line item expected here", None, "line_items")
        price = next((p for p in self.prices.values() if p["id"] == items[0].get("price")), None)
        if price is None:
            raise StripeFail(
                400,
                f"No such price: '{items[0].get('price')}'",
                "resource_missing",
                "line_items[0][price]",
            )
        if (mode == "subscription") != (price["recurring"] is not None):
            raise StripeFail(
                400,
                f"You must provide at least one recurring price in `{mode}` mode when using prices."
                if mode == "subscription"
                else "You specified `payment` mode but passed a recurring price.",
                None,
                "line_items[0][price]",
            )
        session_id = self.new_id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": mode,
            "status": "open",
            "payment_status": "unpaid",
            "customer": customer["id"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "subscription_data": params.get("subscription_data", {}),
            "amount_total": price["unit_amount"],
            "currency": "usd",
            "subscription": None,
            "invoice": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            "_price": price,
        }
        self.sessions[session_id] = session
        return {k: v for k, v in session.items() if not k.startswith("_")}

    def _list_invoices(self, params: dict[str, Any]) -> dict[str, Any]:
        mine = [i for i in self.invoices.values() if i["customer"] == params.get("customer")]
        mine.sort(key=lambda i: (i["created"], i["id"]), reverse=True)
        after = params.get("starting_after")
        if after:
            ids = [i["id"] for i in mine]
            if after not in self.invoices:
                raise StripeFail(
                    400, f"No such invoice: '{after}'", "resource_missing", "starting_after"
                )
            mine = mine[ids.index(after) + 1 :] if after in ids else []
        limit = int(params.get("limit", 10))
        return {
            "object": "list",
            "data": mine[:limit],
            "has_more": len(mine) > limit,
            "url": "/v1/invoices",
        }

    # --- what Stripe does after the customer acts, as events ----------------------------

    def event(self, type_: str, obj: dict[str, Any]) -> dict[str, Any]:
        """An event as Stripe sends it to a webhook endpoint."""
        return {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": type_,
            "data": {"object": json.loads(json.dumps(obj))},
        }

    def _invoice(
        self, customer: str, cents: int, reason: str, sub: dict[str, Any] | None, paid: bool
    ) -> dict[str, Any]:
        invoice_id = self.new_id("in")
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "number": f"AIF-{len(self.invoices) + 1:04d}",
            "customer": customer,
            "status": "paid" if paid else "open",
            "billing_reason": reason,
            "currency": "usd",
            "amount_due": cents,
            "amount_paid": cents if paid else 0,
            "created": int(time.time()) + len(self.invoices),  # distinct, in order
            "description": None,
            "hosted_invoice_url": f"https://invoice.stripe.test/i/{invoice_id}",
            "invoice_pdf": f"https://pay.stripe.test/invoice/{invoice_id}/pdf",
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]},
            }
            if sub
            else None,
        }
        self.invoices[invoice_id] = invoice
        return invoice

    def pay(self, session_id: str) -> dict[str, dict[str, Any]]:
        """The customer pays on the Checkout page; the events Stripe sends, by type."""
        with self.lock:
            session = self.sessions[session_id]
            price = session["_price"]
            session.update(status="complete", payment_status="paid")
            events: dict[str, dict[str, Any]] = {}
            if session["mode"] == "subscription":
                now = int(time.time())
                sub = {
                    "id": self.new_id("sub"),
                    "object": "subscription",
                    "customer": session["customer"],
                    "status": "active",
                    "cancel_at_period_end": False,
                    "metadata": session["subscription_data"].get("metadata", {}),
                    "items": {
                        "object": "list",
                        "data": [
                            {
                                "id": self.new_id("si"),
                                "object": "subscription_item",
                                "price": price,
                                "quantity": 1,
                                "current_period_start": now,
                                "current_period_end": now + MONTH,
                            }
                        ],
                    },
                }
                self.subscriptions[sub["id"]] = sub
                session["subscription"] = sub["id"]
                invoice = self._invoice(
                    sub["customer"], price["unit_amount"], "subscription_create", sub, True
                )
                events["customer.subscription.created"] = self.event(
                    "customer.subscription.created", sub
                )
                events["invoice.paid"] = self.event("invoice.paid", invoice)
            else:
                invoice = self._invoice(
                    session["customer"], price["unit_amount"], "manual", None, True
                )
            session["invoice"] = invoice["id"]
            public = {k: v for k, v in session.items() if not k.startswith("_")}
            events["checkout.session.completed"] = self.event("checkout.session.completed", public)
            return events

    def _item(self, sub_id: str) -> dict[str, Any]:
        item: dict[str, Any] = self.subscriptions[sub_id]["items"]["data"][0]
        return item

    def renew(self, sub_id: str) -> dict[str, Any]:
        """A new month: Stripe bills the next period; the invoice.paid event."""
        with self.lock:
            sub, item = self.subscriptions[sub_id], self._item(sub_id)
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] += MONTH
            sub["status"] = "active"
            invoice = self._invoice(
                sub["customer"], item["price"]["unit_amount"], "subscription_cycle", sub, True
            )
            return self.event("invoice.paid", invoice)

    def change_plan(self, sub_id: str, product: str) -> dict[str, Any]:
        """An upgrade or downgrade in the portal; the customer.subscription.updated event."""
        with self.lock:
            self._item(sub_id)["price"] = self.prices[product]
            return self.event("customer.subscription.updated", self.subscriptions[sub_id])

    def fail_payment(self, sub_id: str) -> dict[str, Any]:
        """A renewal charge declined; the invoice.payment_failed event."""
        with self.lock:
            sub, item = self.subscriptions[sub_id], self._item(sub_id)
            item["current_period_start"] = item["current_period_end"]
            item["current_period_end"] += MONTH
            sub["status"] = "past_due"
            invoice = self._invoice(
                sub["customer"], item["price"]["unit_amount"], "subscription_cycle", sub, False
            )
            return self.event("invoice.payment_failed", invoice)

    def pay_retry(self, sub_id: str) -> dict[str, Any]:
        """Stripe's retry of the open invoice succeeds; the invoice.paid event."""
        with self.lock:
            sub = self.subscriptions[sub_id]
            invoice = next(
                i
                for i in reversed(self.invoices.values())
                if i["status"] == "open"
                and i["parent"]
                and i["parent"]["subscription_details"]["subscription"] == sub_id
            )
            invoice.update(status="paid", amount_paid=invoice["amount_due"])
            sub["status"] = "active"
            return self.event("invoice.paid", invoice)

    def cancel(self, sub_id: str, period_ends_in: float | None = None) -> dict[str, Any]:
        """The subscription ends; the customer.subscription.deleted event."""
        with self.lock:
            sub = self.subscriptions[sub_id]
            if period_ends_in is not None:
                self._item(sub_id)["current_period_end"] = int(time.time() + period_ends_in)
            sub["status"] = "canceled"
            sub["ended_at"] = int(time.time())
            return self.event("customer.subscription.deleted", sub)

    def set_status(self, sub_id: str, status: str) -> dict[str, Any]:
        """Stripe's retries are over (e.g. `unpaid`); the customer.subscription.updated event."""
        with self.lock:
            self.subscriptions[sub_id]["status"] = status
            return self.event("customer.subscription.updated", self.subscriptions[sub_id])


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header: `t=<unix time>,v1=<HMAC-SHA256 of "t.payload">`."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{next(self.fake.ids):06d}")
        self.end_headers()
        self.wfile.write(data)

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = parse_form(body if method == "POST" else url.query)
        auth = self.headers.get("Authorization", "")
        if auth != f"Bearer {SECRET_KEY}":
            self._answer(
                401,
                {
                    "error": {
                        "type": "invalid_request_error",
                        "message": f"Invalid API Key provided: {auth[7:15]}***",
                    }
                },
            )
            return
        key = self.headers.get("Idempotency-Key")
        if method == "POST" and key and key in self.fake.idempotent:
            self._answer(*self.fake.idempotent[key])
            return
        try:
            status, answer = 200, self.fake.handle(method, url.path, params)
        except StripeFail as fail:
            error = {"type": "invalid_request_error", "message": fail.message}
            if fail.code:
                error["code"] = fail.code
            if fail.param:
                error["param"] = fail.param
            status, answer = fail.status, {"error": error}
        if method == "POST" and key:
            self.fake.idempotent[key] = (status, answer)
        self._answer(status, answer)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")


@contextmanager
def running(seed_prices: bool = True) -> Iterator[FakeStripe]:
    """A fake Stripe listening on a free loopback port (its URL in `.url`)."""
    fake = FakeStripe(seed_prices)
    handler = type("Handler", (_Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
