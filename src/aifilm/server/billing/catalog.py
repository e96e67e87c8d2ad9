"""What is sold: the paid plans (monthly) and the credit packs (once), with their prices.

Each product has a Stripe lookup key (`aifilm_pro`, `aifilm_pack_25`, ...). The server asks
Stripe for the price with that key unless the `stripe_prices` setting names a price id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aifilm.server.errors import Problem
from aifilm.server.plans import PLANS


@dataclass(frozen=True)
class Product:
    """A plan or a credit pack as sold through Stripe."""

    key: str  # standard | pro | enterprise | pack-10 | pack-25 | pack-60
    kind: Literal["plan", "pack"]
    usd_cents: int
    credits: int | None  # a pack's credits; a plan's monthly credits (None: unlimited)
    name: str

    @property
    def lookup_key(self) -> str:
        return "aifilm_" + self.key.replace("-", "_")


PLAN_PRODUCTS: dict[str, Product] = {
    "standard": Product("standard", "plan", 3900, PLANS["standard"].monthly_credits, "Standard"),
    "pro": Product("pro", "plan", 4900, PLANS["pro"].monthly_credits, "Pro"),
    "enterprise": Product(
        "enterprise", "plan", 9900, PLANS["enterprise"].monthly_credits, "Enterprise"
    ),
}
PACK_PRODUCTS: dict[str, Product] = {
    "pack-10": Product("pack-10", "pack", 500, 10, "10 credits"),
    "pack-25": Product("pack-25", "pack", 1000, 25, "25 credits"),
    "pack-60": Product("pack-60", "pack", 2000, 60, "60 credits"),
}
PRODUCTS: dict[str, Product] = {**PLAN_PRODUCTS, **PACK_PRODUCTS}


def plan_product(name: str) -> Product:
    """The paid plan `name`, or a 422 problem naming the plans that can be bought."""
    if name == "creator":
        raise Problem(
            422,
            "the creator plan is free and needs no checkout; to leave a paid plan, cancel it "
            "in the billing portal (POST /api/payments/portal)",
            title="Nothing to buy",
        )
    product = PLAN_PRODUCTS.get(name)
    if product is None:
        raise Problem(
            422,
            f"unknown plan {name!r}; plans for sale: {', '.join(PLAN_PRODUCTS)}",
            title="Unknown plan",
        )
    return product


def pack_product(name: str) -> Product:
    """The credit pack `name`, or a 422 problem naming the packs."""
    product = PACK_PRODUCTS.get(name)
    if product is None:
        raise Problem(
            422,
            f"unknown credit pack {name!r}; packs: "
            + ", ".join(
                f"{p.key} (${p.usd_cents // 100}, {p.credits} credits)"
                for p in PACK_PRODUCTS.values()
            ),
            title="Unknown credit pack",
        )
    return product
