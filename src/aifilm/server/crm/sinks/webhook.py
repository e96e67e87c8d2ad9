"""A signed outgoing webhook, so HubSpot, Zapier or an operator's own system can subscribe.

Each event is one `POST` of JSON to `crm_webhook_url`:

    Aifilm-Event-Id: 6f0c...            (the same on every re-delivery: dedupe on it)
    Aifilm-Signature: t=1733412345,v1=5257a869...

`v1` is HMAC-SHA256, keyed with `crm_webhook_secret`, over `"{t}.{raw body}"` (as Stripe
signs its webhooks); `verify` below is the receiving side. Any 2xx is delivered; 408, 425,
429, 5xx and network errors are retried; other statuses dead-letter the event.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from aifilm.errors import UserError
from aifilm.server.config import ServerSettings
from aifilm.server.crm.sinks import Event, Permanent, Transient

EVENT_ID_HEADER = "Aifilm-Event-Id"
SIGNATURE_HEADER = "Aifilm-Signature"
RETRY_STATUSES = frozenset({408, 425, 429})


class BadSignature(Exception):
    """The body was not signed with the secret (or too long ago)."""


def body_of(event: Event) -> bytes:
    """The JSON a webhook receives for `event`."""
    document: dict[str, Any] = {
        "id": str(event.event_id),
        "type": event.type,
        "created": event.created_at.isoformat(),
        "object": {"type": event.object_type, "id": event.object_id},
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The `Aifilm-Signature` header value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def verify(
    body: bytes, header: str | None, secret: str, tolerance: int = 300, now: float | None = None
) -> dict[str, Any]:
    """The event in `body` if `header` signs it with `secret` within `tolerance` seconds;
    `BadSignature` otherwise. Compare the raw bytes received, before any JSON parsing."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        raise BadSignature("no timestamp in the signature header") from None
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        raise BadSignature("the signature is too old (a replay?)")
    expected = sign(body, secret, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        raise BadSignature("the signature does not match")
    document: dict[str, Any] = json.loads(body)
    return document


class WebhookSink:
    """POSTs each event, signed, to one URL."""

    name = "webhook"

    def __init__(self, url: str, secret: str, timeout: float = 10.0) -> None:
        self.url = url
        self.secret = secret
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    def deliver(self, event: Event) -> None:
        body = body_of(event)
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: str(event.event_id),
            SIGNATURE_HEADER: sign(body, self.secret, int(time.time())),
            "User-Agent": "aifilm-crm-webhook",
        }
        try:
            response = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise Transient(f"webhook unreachable: {type(error).__name__}: {error}") from None
        if response.is_success:
            return
        message = f"webhook answered {response.status_code}: {response.text[:300]}"
        if response.status_code in RETRY_STATUSES or response.status_code >= 500:
            raise Transient(message)
        raise Permanent(message)


def from_settings(settings: ServerSettings) -> WebhookSink:
    if not settings.crm_webhook_url or not settings.crm_webhook_secret:
        raise UserError(
            "the webhook CRM sink needs a URL and a signing secret",
            hint="set AIFILM_SERVER_CRM_WEBHOOK_URL and AIFILM_SERVER_CRM_WEBHOOK_SECRET",
        )
    return WebhookSink(
        settings.crm_webhook_url, settings.crm_webhook_secret, settings.crm_timeout_seconds
    )
