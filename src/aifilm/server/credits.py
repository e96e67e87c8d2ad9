"""The credit ledger. Every change locks the user's row, appends a `credit_transactions` row
with the balance after it, and updates `users.credit_balance` in the same transaction, so the
balance always equals the ledger's sum and concurrent spends cannot overdraw or lose updates.

Locking: ``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction is
``BEGIN IMMEDIATE`` (see `db.py`), which serializes writers the same way.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aifilm.server.errors import Conflict, NotFound, PaymentRequired
from aifilm.server.models import CreditTransaction, Job, Subscription, User, utcnow
from aifilm.server.plans import PLANS

PERIOD = timedelta(days=30)
MAX_BALANCE = 2**31 - 1  # the balance columns are 32-bit integers on PostgreSQL


def lock_user(session: Session, user_id: uuid.UUID) -> User:
    """The user's row, locked until the transaction ends, read fresh from the database."""
    user = session.scalars(
        select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if user is None:
        raise NotFound("user")
    return user


def record(
    session: Session,
    user: User,
    type_: str,
    amount: int,
    description: str,
    *,
    job_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    event_id: str | None = None,
) -> CreditTransaction:
    """Append a ledger row and move the balance; `user` must be locked (`lock_user`)."""
    if user.credit_balance + amount > MAX_BALANCE:
        raise Conflict(
            f"the balance of {user.credit_balance} credits cannot grow by {amount}: "
            f"the largest balance is {MAX_BALANCE}",
            balance=user.credit_balance,
        )
    if user.credit_balance + amount < 0:
        raise PaymentRequired(
            f"this needs {-amount} credits and the balance is {user.credit_balance}",
            balance=user.credit_balance,
            needed=-amount,
        )
    user.credit_balance += amount
    entry = CreditTransaction(
        user_id=user.id,
        type=type_,
        amount=amount,
        balance_after=user.credit_balance,
        description=description,
        job_id=job_id,
        actor_id=actor_id,
        event_id=event_id,
    )
    session.add(entry)
    session.flush()
    return entry


def start_plan(
    session: Session,
    user: User,
    plan: str,
    now: datetime | None = None,
    *,
    period_end: datetime | None = None,
    event_id: str | None = None,
) -> Subscription:
    """Put a (locked or new) user on `plan` from now, granting its monthly credits."""
    now = now or utcnow()
    end = period_end or now + PERIOD
    sub = session.scalars(select(Subscription).where(Subscription.user_id == user.id)).first()
    if sub is None:
        sub = Subscription(user_id=user.id, plan=plan, period_start=now, period_end=end)
        session.add(sub)
    else:
        _expire_monthly(session, user, sub, event_id)
        sub.plan, sub.period_start, sub.period_end = plan, now, end
    user.plan = plan
    _grant_monthly(session, user, sub, event_id)
    return sub


def renew_if_due(session: Session, user: User, now: datetime | None = None) -> None:
    """At a period's end, unused monthly credits expire and the next month's are granted."""
    now = now or utcnow()
    sub = session.scalars(select(Subscription).where(Subscription.user_id == user.id)).first()
    if sub is None:
        start_plan(session, user, user.plan, now)
        return
    if now < sub.period_end:
        return
    if sub.stripe_subscription_id is not None:
        # Stripe's invoice.paid renews a paid plan; a cancelled one ends with its period.
        if sub.status in LAPSED:
            lapse(session, user, sub, now)
        return
    _expire_monthly(session, user, sub)
    while sub.period_end <= now:
        sub.period_start, sub.period_end = sub.period_end, sub.period_end + PERIOD
    _grant_monthly(session, user, sub)


LAPSED = frozenset({"canceled", "unpaid", "incomplete_expired"})


def lapse(session: Session, user: User, sub: Subscription, now: datetime) -> None:
    """A paid plan has ended: back to Creator from `now` (purchased credits stay)."""
    sub.stripe_subscription_id = None
    sub.status, sub.auto_renew = "active", True  # Creator renews by itself
    start_plan(session, user, "creator", now)


def _expire_monthly(
    session: Session, user: User, sub: Subscription, event_id: str | None = None
) -> None:
    left = min(sub.monthly_remaining, user.credit_balance)
    if left > 0:
        record(session, user, "expiry", -left, "unused monthly credits expired", event_id=event_id)
    sub.monthly_remaining = 0


def _grant_monthly(
    session: Session, user: User, sub: Subscription, event_id: str | None = None
) -> None:
    plan = PLANS[sub.plan]
    if plan.monthly_credits:
        record(
            session,
            user,
            "grant",
            plan.monthly_credits,
            f"{plan.name} plan: monthly credits",
            event_id=event_id,
        )
        sub.monthly_remaining = plan.monthly_credits


def change_allowance(
    session: Session, user: User, sub: Subscription, plan: str, event_id: str | None = None
) -> None:
    """Move a locked user to `plan` within the current period (an upgrade or downgrade).

    The monthly credits move by the difference between the two allowances: an upgrade adds
    it, a downgrade takes it from what is left of this month's credits (never from purchased
    ones). To or from an unlimited plan, this month's credits start over at the new allowance.
    """
    old, new = PLANS[sub.plan].monthly_credits, PLANS[plan].monthly_credits
    sub.plan = user.plan = plan
    if old is None or new is None:
        _expire_monthly(session, user, sub, event_id)
        _grant_monthly(session, user, sub, event_id)
        return
    delta = new - old
    if delta > 0:
        record(
            session,
            user,
            "grant",
            delta,
            f"{plan} plan: monthly credits (upgrade)",
            event_id=event_id,
        )
        sub.monthly_remaining += delta
    elif delta < 0:
        taken = min(-delta, sub.monthly_remaining, user.credit_balance)
        if taken > 0:
            record(
                session,
                user,
                "expiry",
                -taken,
                f"{plan} plan: monthly credits (downgrade)",
                event_id=event_id,
            )
        sub.monthly_remaining -= taken


def spend(session: Session, user: User, credits: int, job: Job, description: str) -> int:
    """Charge a locked user for `job`; return the credits charged (0 on unlimited plans)."""
    if PLANS[user.plan].monthly_credits is None:
        record(session, user, "deduction", 0, description + " (unlimited plan)", job_id=job.id)
        return 0
    record(session, user, "deduction", -credits, description, job_id=job.id)
    sub = session.scalars(select(Subscription).where(Subscription.user_id == user.id)).first()
    if sub is not None:
        used = min(sub.monthly_remaining, credits)
        sub.monthly_remaining -= used
        job.parameters = {**job.parameters, "monthly_credits_used": used}
    return credits


def refund(session: Session, job: Job, reason: str) -> int:
    """Give back what `job` was charged, once; return the credits refunded.

    The caller holds the job's row lock (lock order everywhere: job, then user).
    """
    user = lock_user(session, job.user_id)
    if job.refunded or job.credits_charged <= 0:
        return 0
    record(session, user, "refund", job.credits_charged, reason, job_id=job.id)
    used = int(job.parameters.get("monthly_credits_used", 0))
    sub = session.scalars(select(Subscription).where(Subscription.user_id == user.id)).first()
    if sub is not None and used:
        sub.monthly_remaining += used
    job.refunded = True
    return job.credits_charged


def ledger_sum(session: Session, user_id: uuid.UUID) -> int:
    """The sum of the user's ledger (equals `credit_balance`)."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditTransaction.amount), 0)).where(
            CreditTransaction.user_id == user_id
        )
    )
    return int(total or 0)


def renew(
    session: Session,
    user: User,
    sub: Subscription,
    start: datetime,
    end: datetime,
    event_id: str | None = None,
) -> None:
    """A new paid period for a locked user: unused monthly credits expire (no roll-over),
    the plan's allowance is granted again, purchased credits are left alone."""
    _expire_monthly(session, user, sub, event_id)
    sub.period_start, sub.period_end = start, end
    _grant_monthly(session, user, sub, event_id)
