"""Business numbers for the admin console, computed in the database.

Each series is one grouped query over a date range (UTC days, both ends included): the
database buckets the rows by day or month and sums or counts them, and Python only fills
the periods that had no rows with zeros, so a chart has a point for every period. On
PostgreSQL the range filters and sums are served by the indexes of migration 0006; see
benchmarks/bench_analytics.py for the times on a million ledger rows.

What the numbers mean:
- an *active user* signed in, refreshed a session or started a render that period;
- a *film rendered* is a job that completed in the period (by its end), a *failed* one a job
  that failed; the failure rate is failed / (completed + failed);
- *credits spent* are render charges less their refunds;
- *revenue* is money Stripe reported paid (pack checkouts and plan invoices), per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from aifilm.server.models import CreditTransaction, Job, PaymentEvent, Project, RefreshToken, User

Period = Literal["day", "month"]
SPENDING = ("deduction", "refund")  # the ledger types whose sum (negated) is what was spent


@dataclass(frozen=True)
class DateRange:
    """UTC days `start` to `end`, both included."""

    start: date
    end: date

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), timezone.utc)

    @property
    def until(self) -> datetime:
        """The first instant after the range."""
        return datetime.combine(self.end + timedelta(days=1), time(), timezone.utc)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def periods(self, period: Period) -> list[str]:
        """Every period's key in the range, in order: `2031-01-31` or `2031-01`."""
        if period == "day":
            return [(self.start + timedelta(days=i)).isoformat() for i in range(self.days)]
        keys: list[str] = []
        month = self.start.replace(day=1)
        while month <= self.end:
            keys.append(month.strftime("%Y-%m"))
            month = (month + timedelta(days=32)).replace(day=1)
        return keys


def bucket(session: Session, column: Any, period: Period) -> ColumnElement[Any]:
    """`column` (a UTC timestamp) truncated to its day or month, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(period, func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d" if period == "day" else "%Y-%m", column)


def _key(value: Any, period: Period) -> str:
    """A bucket as the database returns it, as a period key."""
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d" if period == "day" else "%Y-%m")
    return str(value)


def _grouped(session: Session, statement: Any, period: Period) -> dict[str, Any]:
    """Rows of (bucket, value...) as {period key: row}."""
    return {_key(row[0], period): row for row in session.execute(statement)}


def _in(column: Any, span: DateRange) -> list[ColumnElement[bool]]:
    return [column >= span.since, column < span.until]


def _activity(span: DateRange) -> Any:
    """(user_id, at) of every sign-in, session refresh and render start in the range."""
    return union_all(
        select(RefreshToken.user_id.label("user_id"), RefreshToken.created_at.label("at")).where(
            *_in(RefreshToken.created_at, span)
        ),
        select(Job.user_id.label("user_id"), Job.created_at.label("at")).where(
            *_in(Job.created_at, span)
        ),
    ).subquery("activity")


def active_users(session: Session, span: DateRange) -> int:
    """Users active at least once in the range."""
    activity = _activity(span)
    return int(session.scalar(select(func.count(func.distinct(activity.c.user_id)))) or 0)


def users_series(session: Session, span: DateRange, period: Period) -> list[dict[str, Any]]:
    """Per period: sign-ups and active users (daily or monthly actives)."""
    created = bucket(session, User.created_at, period)
    signups = _grouped(
        session,
        select(created, func.count()).where(*_in(User.created_at, span)).group_by(created),
        period,
    )
    activity = _activity(span)
    at = bucket(session, activity.c.at, period)
    active = _grouped(
        session,
        select(at, func.count(func.distinct(activity.c.user_id))).group_by(at),
        period,
    )
    return [
        {
            "period": key,
            "signups": int(signups[key][1]) if key in signups else 0,
            "active_users": int(active[key][1]) if key in active else 0,
        }
        for key in span.periods(period)
    ]


def projects_series(session: Session, span: DateRange, period: Period) -> list[dict[str, Any]]:
    """Per period: projects created, films rendered and failed, minutes rendered, credits
    spent and the failure rate."""
    created = bucket(session, Project.created_at, period)
    projects = _grouped(
        session,
        select(created, func.count()).where(*_in(Project.created_at, span)).group_by(created),
        period,
    )
    ended = bucket(session, Job.completed_at, period)
    done = Job.status == "completed"
    films = _grouped(
        session,
        select(
            ended,
            func.count().filter(done),
            func.count().filter(Job.status == "failed"),
            func.coalesce(func.sum(case((done, Job.length_seconds), else_=literal(0.0))), 0.0),
        )
        .where(Job.status.in_(("completed", "failed")), *_in(Job.completed_at, span))
        .group_by(ended),
        period,
    )
    at = bucket(session, CreditTransaction.created_at, period)
    spent = _grouped(
        session,
        select(at, -func.sum(CreditTransaction.amount))
        .where(CreditTransaction.type.in_(SPENDING), *_in(CreditTransaction.created_at, span))
        .group_by(at),
        period,
    )
    rows = []
    for key in span.periods(period):
        film = films.get(key)
        completed, failed = (int(film[1]), int(film[2])) if film else (0, 0)
        rows.append(
            {
                "period": key,
                "projects_created": int(projects[key][1]) if key in projects else 0,
                "films_rendered": completed,
                "films_failed": failed,
                "failure_rate": failure_rate(completed, failed),
                "minutes_rendered": round(float(film[3]) / 60, 2) if film else 0.0,
                "credits_spent": int(spent[key][1] or 0) if key in spent else 0,
            }
        )
    return rows


def failure_rate(completed: int, failed: int) -> float:
    """Failed renders as a share of finished ones (0 when none finished)."""
    return round(failed / (completed + failed), 4) if completed + failed else 0.0


def revenue_series(session: Session, span: DateRange, period: Period) -> list[dict[str, Any]]:
    """Per period and currency: money received, payments and pack credits bought."""
    at = bucket(session, PaymentEvent.processed_at, period)
    paid = [PaymentEvent.amount.is_not(None), *_in(PaymentEvent.processed_at, span)]
    money: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    currencies: set[str] = set()
    for row in session.execute(
        select(at, PaymentEvent.currency, func.sum(PaymentEvent.amount), func.count())
        .where(*paid)
        .group_by(at, PaymentEvent.currency)
    ):
        currency = str(row[1] or "usd")
        currencies.add(currency)
        money[_key(row[0], period)][currency] = (int(row[2] or 0), int(row[3]))
    ledger_at = bucket(session, CreditTransaction.created_at, period)
    bought = _grouped(
        session,
        select(ledger_at, func.sum(CreditTransaction.amount))
        .where(CreditTransaction.type == "purchase", *_in(CreditTransaction.created_at, span))
        .group_by(ledger_at),
        period,
    )
    rows = []
    for key in span.periods(period):
        for currency in sorted(currencies) or ["usd"]:
            amount, payments = money.get(key, {}).get(currency, (0, 0))
            rows.append(
                {
                    "period": key,
                    "currency": currency,
                    "revenue": amount,
                    "payments": payments,
                    "credits_purchased": int(bought[key][1] or 0) if key in bought else 0,
                }
            )
    return rows


def revenue_by_product(session: Session, span: DateRange) -> list[dict[str, Any]]:
    """Money received per product (plan or credit pack) and currency, largest first."""
    rows = session.execute(
        select(
            PaymentEvent.product, PaymentEvent.currency, func.sum(PaymentEvent.amount), func.count()
        )
        .where(PaymentEvent.amount.is_not(None), *_in(PaymentEvent.processed_at, span))
        .group_by(PaymentEvent.product, PaymentEvent.currency)
    )
    found = [
        {
            "product": str(product or "unknown"),
            "kind": "pack" if str(product or "").startswith("pack-") else "plan",
            "currency": str(currency or "usd"),
            "revenue": int(amount or 0),
            "payments": int(count),
        }
        for product, currency, amount, count in rows
    ]
    return sorted(found, key=lambda r: (-r["revenue"], r["product"], r["currency"]))


def overview(session: Session, span: DateRange) -> dict[str, Any]:
    """Totals over the range, and the state of the user base at its end."""
    users_total = int(
        session.scalar(select(func.count()).select_from(User).where(User.created_at < span.until))
        or 0
    )
    by_plan = {
        str(plan): int(n)
        for plan, n in session.execute(
            select(User.plan, func.count()).where(User.is_active).group_by(User.plan)
        )
    }
    signups = int(
        session.scalar(select(func.count()).select_from(User).where(*_in(User.created_at, span)))
        or 0
    )
    last_day = DateRange(span.end, span.end)
    last_month = DateRange(span.end - timedelta(days=29), span.end)
    films = session.execute(
        select(
            func.count().filter(Job.status == "completed"),
            func.count().filter(Job.status == "failed"),
            func.coalesce(
                func.sum(case((Job.status == "completed", Job.length_seconds), else_=0.0)), 0.0
            ),
        ).where(Job.status.in_(("completed", "failed")), *_in(Job.completed_at, span))
    ).one()
    spent = session.scalar(
        select(func.coalesce(-func.sum(CreditTransaction.amount), 0)).where(
            CreditTransaction.type.in_(SPENDING), *_in(CreditTransaction.created_at, span)
        )
    )
    revenue: dict[str, int] = {}
    for currency, amount in session.execute(
        select(PaymentEvent.currency, func.sum(PaymentEvent.amount))
        .where(PaymentEvent.amount.is_not(None), *_in(PaymentEvent.processed_at, span))
        .group_by(PaymentEvent.currency)
    ):
        revenue[str(currency or "usd")] = int(amount or 0)
    completed, failed = int(films[0]), int(films[1])
    return {
        "start": span.start,
        "end": span.end,
        "users_total": users_total,
        "users_active_by_plan": by_plan,
        "signups": signups,
        "daily_active_users": active_users(session, last_day),
        "monthly_active_users": active_users(session, last_month),
        "active_users": active_users(session, span),
        "films_rendered": completed,
        "films_failed": failed,
        "failure_rate": failure_rate(completed, failed),
        "minutes_rendered": round(float(films[2]) / 60, 2),
        "credits_spent": int(spent or 0),
        "revenue": revenue,
    }


def credit_usage(session: Session, user_id: Any, span: DateRange) -> list[dict[str, Any]]:
    """One user's credits per day: spent (charges less refunds), added, expired, and the
    balance at the day's end (the last entry's `balance_after`, carried over quiet days)."""
    amount, type_ = CreditTransaction.amount, CreditTransaction.type
    day = bucket(session, CreditTransaction.created_at, "day")
    other = ~type_.in_(SPENDING)
    grouped = _grouped(
        session,
        select(
            day,
            func.coalesce(-func.sum(amount).filter(type_.in_(SPENDING)), 0),
            func.coalesce(func.sum(amount).filter(other & (amount > 0)), 0),
            func.coalesce(-func.sum(amount).filter(other & (amount < 0)), 0),
            func.max(CreditTransaction.id),
        )
        .where(CreditTransaction.user_id == user_id, *_in(CreditTransaction.created_at, span))
        .group_by(day),
        "day",
    )
    last_ids = [row[4] for row in grouped.values()]
    balance_after = {
        int(row[0]): int(row[1])
        for row in session.execute(
            select(CreditTransaction.id, CreditTransaction.balance_after).where(
                CreditTransaction.id.in_(last_ids)
            )
        )
    }
    balance = int(
        session.scalar(
            select(CreditTransaction.balance_after)
            .where(CreditTransaction.user_id == user_id, CreditTransaction.created_at < span.since)
            .order_by(CreditTransaction.id.desc())
            .limit(1)
        )
        or 0
    )
    points = []
    for key in span.periods("day"):
        row = grouped.get(key)
        if row is not None:
            balance = int(balance_after.get(row[4], balance))
        points.append(
            {
                "date": key,
                "spent": int(row[1]) if row else 0,
                "added": int(row[2]) if row else 0,
                "expired": int(row[3]) if row else 0,
                "balance": balance,
            }
        )
    return points
