"""Many spends at once against one account, over real HTTP: no overdraft, no lost update,
balance == sum(ledger). Runs on SQLite and PostgreSQL (the one that matters)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select
from tests.server.conftest import TINY_SPEC

from aifilm.server.credits import ledger_sum
from aifilm.server.models import CreditTransaction, Job, User
from aifilm.server.state import ServerState

REQUESTS = 60
CREDITS = 25


def test_concurrent_spends_never_overdraw(live_idle: tuple[str, ServerState]) -> None:
    base, state = live_idle
    with httpx.Client(base_url=base, timeout=60) as client:
        for email in ("admin@example.com", "spender@example.com"):
            r = client.post("/api/users/register", json={"email": email, "password": "pw123456"})
            assert r.status_code == 201
        tokens = {
            email: client.post(
                "/api/users/login", json={"email": email, "password": "pw123456"}
            ).json()["access_token"]
            for email in ("admin@example.com", "spender@example.com")
        }
        admin = {"Authorization": f"Bearer {tokens['admin@example.com']}"}
        me = {"Authorization": f"Bearer {tokens['spender@example.com']}"}
        user_id = client.get("/api/users/me", headers=me).json()["id"]
        r = client.post(
            "/api/admin/credits/adjust",
            json={"user_id": user_id, "amount": CREDITS - 3, "reason": "load test"},
            headers=admin,
        )
        assert r.status_code == 201
        project = client.post("/api/projects", json={"spec": TINY_SPEC}, headers=me).json()
    start = threading.Barrier(REQUESTS)

    def spend(n: int) -> int:
        with httpx.Client(base_url=base, timeout=120) as own:
            start.wait()
            r = own.post("/api/jobs", json={"project_id": project["id"]}, headers=me)
            return r.status_code

    with ThreadPoolExecutor(REQUESTS) as pool:
        codes = list(pool.map(spend, range(REQUESTS)))
    assert sorted(set(codes)) == [201, 402], codes
    assert codes.count(201) == CREDITS and codes.count(402) == REQUESTS - CREDITS
    with state.sessions() as session:
        uid = uuid.UUID(user_id)
        user = session.get(User, uid)
        assert user is not None
        assert user.credit_balance == 0 == ledger_sum(session, uid)
        jobs = session.scalar(select(func.count()).select_from(Job).where(Job.user_id == uid))
        assert jobs == CREDITS
        deductions = session.scalars(
            select(CreditTransaction)
            .where(CreditTransaction.user_id == uid, CreditTransaction.type == "deduction")
            .order_by(CreditTransaction.id)
        ).all()
        assert len(deductions) == CREDITS
        # Each spend saw the one before it: balances step down 24, 23, ..., 0.
        assert [d.balance_after for d in deductions] == list(range(CREDITS - 1, -1, -1))
