"""The user's credits: balance and ledger."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from aifilm.server import credits
from aifilm.server.deps import CurrentUser, Paging, SessionDep
from aifilm.server.models import CreditTransaction, Subscription
from aifilm.server.plans import PLANS
from aifilm.server.schemas import Balance, Page, TransactionPublic

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


@router.get("/transactions", response_model=Page[TransactionPublic])
def transactions(user: CurrentUser, session: SessionDep, page: Paging) -> Page[TransactionPublic]:
    """The ledger, newest first."""
    where = CreditTransaction.user_id == user.id
    total = session.scalar(select(func.count()).select_from(CreditTransaction).where(where)) or 0
    rows = session.scalars(
        select(CreditTransaction)
        .where(where)
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
