"""Where events go: a small registry of sinks, one module each.

A sink delivers one event or raises: `Transient` (the sink is down, rate-limits or times
out: try again later) or `Permanent` (the sink refuses this event: retrying cannot help, so
it is dead-lettered at once). Deliveries may repeat (a worker dies after sending, before
recording it), so every sink must be idempotent on the receiving side: Salesforce upserts by
an external id, webhooks carry the event id.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from aifilm.errors import UserError
from aifilm.server.config import ServerSettings


@dataclass(frozen=True)
class Event:
    """One outbox event, as sinks see it."""

    event_id: uuid.UUID
    type: str
    object_type: str
    object_id: str
    user_id: uuid.UUID | None
    payload: dict[str, Any]
    created_at: datetime
    attempt: int


class Transient(Exception):
    """Try this event again later."""


class Permanent(Exception):
    """This event can never be delivered as it is."""


class Sink(Protocol):
    name: str

    def deliver(self, event: Event) -> None:
        """Deliver `event` (idempotently) or raise `Transient` / `Permanent`."""


# name -> "module:factory"; modules are imported only when their sink is configured.
REGISTRY: dict[str, str] = {
    "webhook": "aifilm.server.crm.sinks.webhook:from_settings",
    "salesforce": "aifilm.server.crm.sinks.salesforce:from_settings",
}


def build_sinks(settings: ServerSettings) -> list[Sink]:
    """The sinks `settings.crm_sinks` names, configured; a clear error for unknown names
    or missing settings."""
    sinks = []
    for name in settings.crm_sinks:
        target = REGISTRY.get(name)
        if target is None:
            raise UserError(
                f"crm_sinks names an unknown sink {name!r}",
                hint=f"use some of: {', '.join(sorted(REGISTRY))}",
            )
        module, attr = target.split(":")
        factory: Callable[[ServerSettings], Sink] = getattr(importlib.import_module(module), attr)
        sinks.append(factory(settings))
    return sinks
