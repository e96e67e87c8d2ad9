"""Plans and what they allow; 1 credit per started minute of requested length."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """What a plan gives each month and what a job on it may ask for."""

    name: str
    monthly_credits: int | None  # None: unlimited
    max_seconds: float
    max_long_side: int  # pixels on the longer side of the frame
    watermark: bool
    priority: int  # higher is rendered first
    youtube: bool = True  # may publish to YouTube from the server
    paid: bool = True  # its films are commercial use: non-commercial backends are refused


PLANS: dict[str, Plan] = {
    "creator": Plan(
        "creator", 3, 60.0, 1280, watermark=True, priority=0, youtube=False, paid=False
    ),
    "standard": Plan("standard", 40, 180.0, 1920, watermark=False, priority=0),
    "pro": Plan("pro", 60, 300.0, 1920, watermark=False, priority=10),
    "enterprise": Plan("enterprise", None, 600.0, 3840, watermark=False, priority=10),
}
WATERMARK_TEXT = "made with aifilm"


def credits_for(seconds: float) -> int:
    """Credits a film of `seconds` costs: one per started minute (61 s costs 2)."""
    return max(1, math.ceil(round(seconds, 3) / 60))
