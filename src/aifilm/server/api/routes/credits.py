"""The user's credits: balance, ledger and daily usage."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from aifilm.server import credits
from aifilm.server.analytics import DateRange, credit_usage
from aifilm.server.deps import CurrentUser, Paging, ReaderDep, SessionDep
from aifilm.server.models import CreditTransaction, Subscription
from aifilm.server.plans import PLANS
from aifilm.server.schemas import Balance, Day, Page, TransactionPublic, Usage

router = APIRouter(prefix="/credits", tags=["credits"])


@router.get("/balance", response_model=Balance)
def balance(user: CurrentUser, session: SessionDep) -> Balance:
    """Credits left, the plan, and when its monthly credits renew."""
    with session.begin():
        locked = credits.lock_user(session, user.id)
        credits.renew_if_due(session, locked)
        sub = session.scalars(select(Subscription).where(Subscription.user_id == user.id)).first()
        plan = PLANS[locked.plan]
        return Balance(
            balance=locked.credit_balance,
            plan=plan.name,
            monthly_credits=plan.monthly_credits,
            monthly_remaining=sub.monthly_remaining if sub else 0,
            period_end=sub.period_end if sub else None,
            unlimited=plan.monthly_credits is None,
            renews=sub.auto_renew if sub else True,
            payment_status=sub.status if sub and sub.stripe_subscription_id else None,
        )


LedgerType = Literal["grant", "expiry", "purchase", "deduction", "refund", "adjustment"]


@router.get("/transactions", response_model=Page[TransactionPublic])
def transactions(
    user: CurrentUser,
    session: SessionDep,
    page: Paging,
    type: Annotated[list[LedgerType] | None, Query(description="Only these kinds.")] = None,
    start: Annotated[Day | None, Query(description="From this UTC day.")] = None,
    end: Annotated[Day | None, Query(description="Up to this UTC day, included.")] = None,
) -> Page[TransactionPublic]:
    """The ledger, newest first, optionally of some kinds of entry and some days only."""
    where = [CreditTransaction.user_id == user.id]
    if type:
        where.append(CreditTransaction.type.in_(type))
    if start:
        where.append(CreditTransaction.created_at >= _midnight(start))
    if end:
        where.append(CreditTransaction.created_at < _midnight(end, 1))
    total = session.scalar(select(func.count()).select_from(CreditTransaction).where(*where)) or 0
    rows = session.scalars(
        select(CreditTransaction)
        .where(*where)
        .order_by(CreditTransaction.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return Page(
        items=[TransactionPublic.model_validate(r) for r in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


def _midnight(day: date, plus_days: int = 0) -> datetime:
    """The start of a UTC day; a day past the calendar's end reads as its last instant."""
    try:
        return datetime.combine(day + timedelta(days=plus_days), time(), timezone.utc)
    except OverflowError:
        return datetime.max.replace(tzinfo=timezone.utc)


@router.get("/usage", response_model=Usage)
def usage(
    user: CurrentUser,
    session: ReaderDep,
    days: Annotated[int, Query(ge=1, le=366, description="How many days, today included.")] = 30,
) -> Usage:
    """Credits spent, added and expired per UTC day over the last `days` days, and the
    balance at each day's end: the data of the credits chart."""
    last = datetime.now(timezone.utc).date()
    span = DateRange(last - timedelta(days=days - 1), last)
    points = credit_usage(session, user.id, span)
    return Usage(
        start=span.start,
        end=span.end,
        spent=sum(p["spent"] for p in points),
        points=points,
    )
