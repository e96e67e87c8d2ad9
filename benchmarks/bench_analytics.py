"""How fast the admin analytics answer on PostgreSQL with a million ledger rows.

    python benchmarks/bench_analytics.py [--ledger 1000000] [--repeat 5]

Seeds a fresh database on 127.0.0.1:5432 (`AIFILM_BENCH_POSTGRES`, dropped at the end) with
a year of a busy service, in SQL: 20,000 users on the four plans, 60,000 projects, half a
million render jobs (88 % completed, 8 % failed, 2 % cancelled), their ledger rows (charges,
refunds) and monthly grants, expiries and pack purchases up to `--ledger` rows in all,
400,000 sign-ins and session refreshes, and the payments behind the purchases and paid
plans. Then it calls each `/api/analytics/...` endpoint in process (FastAPI's TestClient, as
an admin) over the last 30 days and the last 365 days, `--repeat` times each, and reports
the median, first without the indexes of migration 0007 and then with them. The reference
in the same run is `GET /api/admin/users` (an existing page of 20 users). Prints a Markdown
table; JSON in benchmarks/results/analytics.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.db import upgrade
from aifilm.server.models import Base

PG_ADMIN = os.environ.get("AIFILM_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
# Per million ledger rows (the sizes scale with --ledger).
USERS, PROJECTS, JOBS, SIGNINS = 20_000, 60_000, 500_000, 400_000
ADMIN = "admin@bench.example"

SEED = """
SELECT setseed(0.42);
CREATE TEMP TABLE bench_users (i int PRIMARY KEY, id uuid, plan text);
INSERT INTO bench_users
SELECT g, gen_random_uuid(),
       CASE WHEN r < 0.70 THEN 'creator' WHEN r < 0.85 THEN 'standard'
            WHEN r < 0.95 THEN 'pro' ELSE 'enterprise' END
FROM (SELECT g, random() AS r FROM generate_series(0, {users} - 1) g) s;
INSERT INTO users (id, email, password_hash, full_name, role, plan, is_active, credit_balance,
                   created_at, updated_at)
SELECT id, 'user' || i || '@bench.example', 'x', 'User ' || i, 'creator', plan, random() > 0.01,
       (random() * 50)::int, now() - random() * interval '400 days', now()
FROM bench_users;

CREATE TEMP TABLE bench_projects (i int PRIMARY KEY, id uuid, user_id uuid);
INSERT INTO bench_projects
SELECT s.g, gen_random_uuid(), u.id
FROM (SELECT g, floor(random() * {users})::int AS ui FROM generate_series(0, {projects} - 1) g) s
JOIN bench_users u ON u.i = s.ui;
INSERT INTO projects (id, user_id, title, spec, status, moderation, created_at, updated_at)
SELECT id, user_id, 'Film ' || i, 'title: x', 'completed', 'ok',
       now() - random() * interval '365 days', now()
FROM bench_projects;

CREATE TEMP TABLE bench_jobs AS
SELECT gen_random_uuid() AS id, p.user_id, p.id AS project_id, s.status, s.length_seconds,
       s.created_at
FROM (SELECT g, floor(random() * {projects})::int AS pi,
             CASE WHEN r < 0.88 THEN 'completed' WHEN r < 0.96 THEN 'failed'
                  WHEN r < 0.98 THEN 'cancelled' WHEN r < 0.99 THEN 'running' ELSE 'queued' END
             AS status,
             30 + floor(random() * 270) AS length_seconds,
             now() - random() * interval '365 days' AS created_at
      FROM (SELECT g, random() AS r FROM generate_series(0, {jobs} - 1) g) r) s
JOIN bench_projects p ON p.i = s.pi;
INSERT INTO jobs (id, user_id, project_id, status, priority, length_seconds, credits_charged,
                  refunded, parameters, progress, attempts, created_at, started_at,
                  completed_at, error_message)
SELECT id, user_id, project_id, status, 0, length_seconds, ceil(length_seconds / 60),
       status IN ('failed', 'cancelled'), '{{}}', 100, 1, created_at, created_at,
       CASE WHEN status IN ('completed', 'failed', 'cancelled')
            THEN created_at + (length_seconds * 2) * interval '1 second' END,
       CASE WHEN status = 'failed' THEN 'voice stage: synthesis timed out' END
FROM bench_jobs;

INSERT INTO credit_transactions (user_id, type, amount, balance_after, description, job_id,
                                 created_at)
SELECT user_id, 'deduction', -ceil(length_seconds / 60), 0, 'render', id, created_at
FROM bench_jobs;
INSERT INTO credit_transactions (user_id, type, amount, balance_after, description, job_id,
                                 created_at)
SELECT user_id, 'refund', ceil(length_seconds / 60), 0, 'refund', id,
       created_at + interval '5 minutes'
FROM bench_jobs WHERE status IN ('failed', 'cancelled');

CREATE TEMP TABLE bench_left AS
SELECT {ledger} - (SELECT count(*) FROM credit_transactions) AS n;
-- the rest of the ledger: grants 55 %, expiries 30 %, purchases 15 %
INSERT INTO credit_transactions (user_id, type, amount, balance_after, description, event_id,
                                 created_at)
SELECT u.id, s.type,
       CASE s.type WHEN 'grant' THEN 40 WHEN 'expiry' THEN -5 ELSE 25 END, 0, s.type,
       CASE WHEN s.type = 'purchase' THEN 'evt_pack_' || s.g END, s.at
FROM (SELECT g, floor(random() * {users})::int AS ui,
             CASE WHEN r < 0.55 THEN 'grant' WHEN r < 0.85 THEN 'expiry' ELSE 'purchase' END
             AS type,
             now() - random() * interval '365 days' AS at
      FROM (SELECT g, random() AS r
            FROM generate_series(0, (SELECT n FROM bench_left) - 1) g) r) s
JOIN bench_users u ON u.i = s.ui;

INSERT INTO payment_events (provider, event_id, type, user_id, payload, amount, currency,
                            product, processed_at)
SELECT 'stripe', event_id, 'checkout.session.completed', user_id, '{{}}', 1000, 'usd',
       'pack-25', created_at
FROM credit_transactions WHERE type = 'purchase';
INSERT INTO payment_events (provider, event_id, type, user_id, payload, amount, currency,
                            product, processed_at)
SELECT 'stripe', 'evt_inv_' || u.i || '_' || m, 'invoice.paid', u.id, '{{}}',
       CASE u.plan WHEN 'standard' THEN 3900 WHEN 'pro' THEN 4900 ELSE 9900 END, 'usd', u.plan,
       now() - m * interval '30 days' - random() * interval '30 days'
FROM bench_users u, generate_series(0, 11) m WHERE u.plan <> 'creator';

INSERT INTO refresh_tokens (id, user_id, token_hash, family, expires_at, revoked_at,
                            created_at)
SELECT gen_random_uuid(), u.id, md5(s.g::text) || md5((s.g + 1)::text), gen_random_uuid(),
       s.at + interval '30 days', s.at + interval '15 minutes', s.at
FROM (SELECT g, floor(random() * {users})::int AS ui,
             now() - random() * interval '365 days' AS at
      FROM generate_series(0, {signins} - 1) g) s
JOIN bench_users u ON u.i = s.ui;
"""

ENDPOINTS = [
    "/api/analytics/overview",
    "/api/analytics/users",
    "/api/analytics/users?period=month",
    "/api/analytics/projects",
    "/api/analytics/revenue",
    "/api/analytics/projects?format=csv",
]


def scaled(per_million: int, ledger: int) -> int:
    return max(10, per_million * ledger // 1_000_000)


def psql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def counts(url: str) -> dict[str, int]:
    import psycopg

    tables = ["users", "projects", "jobs", "credit_transactions", "refresh_tokens",
              "payment_events"]  # fmt: skip
    with psycopg.connect(url) as conn:
        return {t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}  # type: ignore[index]


def analytics_indexes() -> list[Any]:
    """The indexes migration 0007 adds for the analytics (named `ix_analytics_*`)."""
    return [
        index
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if str(index.name).startswith("ix_analytics_")
    ]


def set_indexes(url: str, present: bool) -> None:
    """Drop or create the analytics indexes of migration 0007, then refresh statistics."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    statements = ["SELECT 1"]
    for index in analytics_indexes():
        if present:
            statements.append(str(CreateIndex(index).compile(dialect=postgresql.dialect())))
        else:
            statements.append(f"DROP INDEX IF EXISTS {index.name}")
    for statement in statements:
        psql(url, statement)
    psql(url, "VACUUM ANALYZE")


def timed(client: TestClient, headers: dict[str, str], path: str, repeat: int) -> float:
    """Median milliseconds of `repeat` calls (after one warm-up)."""
    assert client.get(path, headers=headers).status_code == 200
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return statistics.median(times)


def measure(client: TestClient, headers: dict[str, str], repeat: int) -> dict[str, float]:
    found = {"GET /api/admin/users (reference)": timed(client, headers, "/api/admin/users", repeat)}
    for days in (30, 365):
        for path in ENDPOINTS:
            sep = "&" if "?" in path else "?"
            start = time.strftime("%Y-%m-%d", time.gmtime(time.time() - (days - 1) * 86400))
            found[f"{path} ({days} days)"] = timed(
                client, headers, f"{path}{sep}start={start}", repeat
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--reuse", help="measure a database seeded before (with --keep)")
    args = parser.parse_args()
    import psycopg

    name = args.reuse or f"aifilm_bench_{uuid.uuid4().hex[:10]}"
    if not args.reuse:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    base = PG_ADMIN.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    seeded = 0.0
    try:
        sa_url = url.replace("postgresql://", "postgresql+psycopg://")
        upgrade(sa_url)
        started = time.perf_counter()
        if not args.reuse:
            psql(
                url,
                SEED.format(
                    users=scaled(USERS, args.ledger),
                    projects=scaled(PROJECTS, args.ledger),
                    jobs=scaled(JOBS, args.ledger),
                    signins=scaled(SIGNINS, args.ledger),
                    ledger=args.ledger,
                ),
            )
            seeded = time.perf_counter() - started
        rows = counts(url)
        with tempfile.TemporaryDirectory() as tmp:
            settings = ServerSettings(
                data_dir=Path(tmp),
                database_url=sa_url,
                secret_key="bench-" + "s" * 32,
                worker="none",
                rate_limit_per_minute=0,
                auth_rate_limit_per_minute=0,
                admin_emails=[ADMIN],
                billing_sweep_seconds=0,
            )
            with TestClient(create_app(settings)) as client:
                client.post("/api/users/register", json={"email": ADMIN, "password": "p" * 12})
                token = client.post(
                    "/api/users/login", json={"email": ADMIN, "password": "p" * 12}
                ).json()["access_token"]
                headers = {"Authorization": f"Bearer {token}"}
                set_indexes(url, present=False)
                without = measure(client, headers, args.repeat)
                set_indexes(url, present=True)
                with_ = measure(client, headers, args.repeat)
    finally:
        if args.keep:
            print(f"kept the database {name}")
        else:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"seeded in {seeded:.1f} s: {rows}")
    print(f"load: {load}\n")
    print("| request | without the 0007 indexes (ms) | with them (ms) | x reference |")
    print("|---|---:|---:|---:|")
    ref = with_["GET /api/admin/users (reference)"]
    for key in with_:
        print(f"| `{key}` | {without[key]:.1f} | {with_[key]:.1f} | {with_[key] / ref:.2f} |")
    out = Path(__file__).parent / "results" / "analytics.json"
    out.write_text(
        json.dumps(
            {
                "rows": rows,
                "seed_seconds": round(seeded, 1),
                "uptime": load,
                "median_ms_without_indexes": without,
                "median_ms_with_indexes": with_,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
