"""Route dependencies for billing: the Stripe gateway and the mailer, one per server."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from aifilm.server.billing.stripe_api import StripeGateway
from aifilm.server.deps import StateDep
from aifilm.server.mail import Mailer, make_mailer
from aifilm.server.state import ServerState


def gateway_for(state: ServerState) -> StripeGateway:
    """The server's Stripe gateway, made on first use (a 503 problem when unconfigured)."""
    gateway = state.extras.get("stripe")
    if not isinstance(gateway, StripeGateway):
        gateway = state.extras["stripe"] = StripeGateway(state.settings)
    return gateway


def mailer_for(state: ServerState) -> Mailer:
    """The server's mailer (tests may put their own in `state.extras["mailer"]`)."""
    mailer = state.extras.get("mailer")
    if mailer is None:
        mailer = state.extras["mailer"] = make_mailer(state.settings)
    return mailer  # type: ignore[return-value]


def get_gateway(state: StateDep) -> StripeGateway:
    return gateway_for(state)


def get_mailer(state: StateDep) -> Mailer:
    return mailer_for(state)


GatewayDep = Annotated[StripeGateway, Depends(get_gateway)]
MailerDep = Annotated[Mailer, Depends(get_mailer)]
