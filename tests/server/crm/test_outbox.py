"""CRM outbox and dispatcher: events written with the change, delivered once each, in
order per account, through a signed webhook (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.server.conftest import Api
from tests.server.crm.webhook_receiver import Receiver, receiver

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.crm.dispatch import claim, drain
from aifilm.server.crm.sinks import build_sinks
from aifilm.server.models import Job, OutboxEvent, User, YoutubeUpload
from aifilm.server.state import ServerState

SECRET = "whsec_test_" + "k" * 24
PASSWORD = "correct horse battery"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver(SECRET) as running:
        yield running


@pytest.fixture
def crm(
    settings_for: Callable[..., ServerSettings], hook: Receiver
) -> Iterator[tuple[TestClient, ServerState]]:
    """An app recording CRM events, its dispatcher not running (tests drive it)."""
    settings = settings_for(
        worker="none",
        crm_sinks=["webhook"],
        crm_webhook_url=hook.url,
        crm_webhook_secret=SECRET,
        crm_backoff_seconds=0.05,
        crm_lease_seconds=0.5,
        crm_max_attempts=5,
    )
    with TestClient(create_app(settings)) as client:
        yield client, client.app.state.aifilm  # type: ignore[attr-defined]


def user(client: TestClient, email: str) -> Api:
    return Api(client, email, PASSWORD)


def rows(state: ServerState) -> list[OutboxEvent]:
    with state.sessions() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def run(state: ServerState, worker: str = "w1") -> int:
    return drain(state.sessions, build_sinks(state.settings), state.settings, worker)


def drain_until_settled(state: ServerState, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while any(r.status == "pending" for r in rows(state)):
        assert time.monotonic() < deadline, [(r.type, r.last_error) for r in rows(state)]
        run(state)
        time.sleep(0.05)


def test_events_are_written_with_the_change_and_carry_no_secret(
    crm: tuple[TestClient, ServerState],
) -> None:
    client, state = crm
    alice = user(client, "alice@example.com")
    alice.project()
    admin = user(client, "admin@example.com")
    r = admin.post(f"/api/admin/users/{alice.user['id']}/plan", json={"plan": "standard"})
    assert r.status_code == 200, r.text
    # A registration that fails (the email is taken) rolls back: no event.
    r = client.post(
        "/api/users/register", json={"email": "alice@example.com", "password": "x" * 12}
    )
    assert r.status_code == 409

    alice_events = [r.type for r in rows(state) if str(r.user_id) == alice.user["id"]]
    assert alice_events == ["user.registered", "project.created", "plan.changed"]
    with state.sessions() as session:
        password_hash = session.scalars(
            select(User.password_hash).where(User.email == "alice@example.com")
        ).one()
    for row in rows(state):
        text = repr(row.payload).lower()
        assert PASSWORD not in text and password_hash.lower() not in text
        assert "password" not in text and "token" not in text and "stripe" not in text
    plan = next(r for r in rows(state) if r.type == "plan.changed")
    assert plan.payload["plan"] == "standard" and plan.payload["previous_plan"] == "creator"


def test_purchase_and_finished_film_are_events(crm: tuple[TestClient, ServerState]) -> None:
    from aifilm.server import credits

    client, state = crm
    bob = user(client, "bob@example.com")
    project = bob.project()
    with state.sessions() as session, session.begin():
        account = session.get(User, uuid.UUID(bob.user["id"]))
        assert account is not None
        credits.record(session, account, "purchase", 10, "bought pack-10", event_id="evt_123")
        job = Job(user_id=account.id, project_id=uuid.UUID(project["id"]), length_seconds=10.0)
        session.add(job)
    with state.sessions() as session, session.begin():
        found = session.get(Job, job.id)
        assert found is not None
        found.status = "completed"
    with state.sessions() as session, session.begin():
        upload = YoutubeUpload(
            user_id=job.user_id,
            project_id=job.project_id,
            job_id=job.id,
            channel_id="UC123",
            sha256="0" * 64,
        )
        session.add(upload)
    with state.sessions() as session, session.begin():
        found_upload = session.get(YoutubeUpload, upload.id)
        assert found_upload is not None
        found_upload.upload_status, found_upload.video_id = "published", "dQw4w9WgXcQ"
    by_type = {r.type: r for r in rows(state)}
    assert by_type["film.published"].payload["video_id"] == "dQw4w9WgXcQ"
    assert by_type["film.published"].object_id == str(job.id)  # the same film as rendered
    assert by_type["purchase.completed"].object_id == "evt_123"
    assert by_type["purchase.completed"].payload["credits"] == 10
    assert by_type["film.rendered"].object_id == str(job.id)
    # The monthly grant that came with the account is no purchase.
    assert [r.type for r in rows(state)].count("purchase.completed") == 1


def test_a_purchase_without_a_payment_event_keeps_its_name_on_resync(
    crm: tuple[TestClient, ServerState],
) -> None:
    """A purchase recorded with no payment event id is named the same way by capture and by
    a later resync, so the CRM upserts one purchase, not two."""
    from datetime import datetime, timezone

    from aifilm.server import credits
    from aifilm.server.crm.admin import resync

    client, state = crm
    carol = user(client, "carol@example.com")
    with state.sessions() as session, session.begin():
        account = session.get(User, uuid.UUID(carol.user["id"]))
        assert account is not None
        credits.record(session, account, "purchase", 5, "granted by support")
    with state.sessions() as session, session.begin():
        resync(session, datetime(2000, 1, 1, tzinfo=timezone.utc))
    names = [r.object_id for r in rows(state) if r.type == "purchase.completed"]
    assert len(names) == 2 and names[0] == names[1], names


def test_sink_down_then_back_delivers_everything_once_in_order(
    crm: tuple[TestClient, ServerState], hook: Receiver
) -> None:
    client, state = crm
    hook.status = 503
    alice, bob = user(client, "alice@example.com"), user(client, "bob@example.com")
    alice.project()
    bob.project()
    alice.project()
    run(state)
    pending = rows(state)
    assert pending and all(r.status == "pending" for r in pending)
    assert all("503" in (r.last_error or "") for r in pending if r.attempts)
    assert hook.events == []
    hook.status = 200
    drain_until_settled(state)
    assert all(r.status == "delivered" for r in rows(state))
    assert hook.types_for(alice.user["id"]) == [
        "user.registered",
        "project.created",
        "project.created",
    ]
    assert hook.types_for(bob.user["id"]) == ["user.registered", "project.created"]
    assert len(hook.events) == len(rows(state)) == hook.deliveries
    assert hook.rejected == 0


def test_poison_event_is_dead_lettered_without_blocking_others(
    crm: tuple[TestClient, ServerState], hook: Receiver
) -> None:
    client, state = crm
    alice = user(client, "alice@example.com")
    poison = str(alice.project()["id"])
    hook.refuse = lambda event: 422 if event["object"]["id"] == poison else None
    bob = user(client, "bob@example.com")
    bob.project()
    alice.project()
    drain_until_settled(state)
    failed = [r for r in rows(state) if r.status == "failed"]
    assert [r.object_id for r in failed] == [poison]
    assert failed[0].attempts == 1 and "422" in (failed[0].last_error or "")
    assert hook.types_for(bob.user["id"]) == ["user.registered", "project.created"]
    assert hook.types_for(alice.user["id"]) == ["user.registered", "project.created"]


def test_an_event_that_keeps_failing_backs_off_then_dead_letters(
    crm: tuple[TestClient, ServerState], hook: Receiver
) -> None:
    client, state = crm
    hook.status = 503
    user(client, "carol@example.com")
    delays = []
    for attempt in range(1, 6):
        deadline = time.monotonic() + 10
        while run(state) == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        (row,) = rows(state)
        assert row.attempts == attempt
        if attempt < 5:
            delays.append((row.next_attempt_at - row.created_at).total_seconds())
    (row,) = rows(state)
    assert row.status == "failed" and "503" in (row.last_error or "")
    assert delays == sorted(delays)  # exponential: each wait longer than the last


def test_worker_killed_mid_delivery_is_redelivered_and_the_sink_dedupes(
    crm: tuple[TestClient, ServerState], hook: Receiver
) -> None:
    client, state = crm
    dave = user(client, "dave@example.com")
    (sink,) = build_sinks(state.settings)
    with state.sessions() as session, session.begin():
        event = claim(session, "doomed", state.settings)
    assert event is not None
    sink.deliver(event)  # sent; then the worker dies before recording it
    assert hook.deliveries == 1
    assert run(state, "w2") == 0  # the lease still holds it
    time.sleep(state.settings.crm_lease_seconds + 0.1)
    drain_until_settled(state)
    assert hook.deliveries == 2  # delivered again ...
    assert hook.types_for(dave.user["id"]) == ["user.registered"]  # ... processed once
    (row,) = rows(state)
    assert row.status == "delivered" and row.attempts == 2


def test_deleting_an_account_sends_the_erasure_and_keeps_no_personal_data(
    crm: tuple[TestClient, ServerState], hook: Receiver
) -> None:
    client, state = crm
    erin = user(client, "erin@example.com")
    drain_until_settled(state)
    erin.project()  # not yet sent when the account goes
    r = erin.delete("/api/users/me")
    assert r.status_code in (204, 200), r.text
    drain_until_settled(state)
    assert hook.types_for(erin.user["id"]) == ["user.registered", "user.deleted"]
    for row in rows(state):
        assert "erin@example.com" not in repr(row.payload)
    assert [r.status for r in rows(state)] == ["delivered", "erased", "delivered"]


def test_the_server_delivers_in_process_by_default(
    settings_for: Callable[..., ServerSettings], hook: Receiver
) -> None:
    settings = settings_for(
        crm_sinks=["webhook"],
        crm_webhook_url=hook.url,
        crm_webhook_secret=SECRET,
        crm_poll_seconds=0.1,
    )
    with TestClient(create_app(settings)) as client:
        henry = user(client, "henry@example.com")
        deadline = time.monotonic() + 15
        while not hook.events:
            assert time.monotonic() < deadline, "the in-process dispatcher sent nothing"
            time.sleep(0.05)
    assert hook.types_for(henry.user["id"]) == ["user.registered"]


def test_an_unknown_sink_or_missing_secret_is_a_clear_error(
    settings_for: Callable[..., ServerSettings],
) -> None:
    from aifilm.errors import UserError

    with pytest.raises(UserError, match="unknown sink 'hubspot'"):
        build_sinks(settings_for(crm_sinks=["hubspot"]))
    with pytest.raises(UserError, match="signing secret"):
        build_sinks(settings_for(crm_sinks=["webhook"], crm_webhook_url="http://127.0.0.1:9/"))


def test_a_forged_or_stale_signature_is_refused() -> None:
    from datetime import datetime, timezone

    from aifilm.server.crm.sinks import Event
    from aifilm.server.crm.sinks.webhook import BadSignature, body_of, sign, verify

    event = Event(uuid.uuid4(), "user.registered", "user", "u1", None, {"email": "a@b.c"},
                  datetime.now(timezone.utc), 1)  # fmt: skip
    body = body_of(event)
    now = int(time.time())
    assert verify(body, sign(body, SECRET, now), SECRET)["id"] == str(event.event_id)
    with pytest.raises(BadSignature, match="does not match"):
        verify(body, sign(body, "another secret", now), SECRET)
    with pytest.raises(BadSignature, match="does not match"):
        verify(body.replace(b"a@b.c", b"x@b.c"), sign(body, SECRET, now), SECRET)
    with pytest.raises(BadSignature, match="too old"):
        verify(body, sign(body, SECRET, now - 3600), SECRET)
    with pytest.raises(BadSignature, match="no timestamp"):
        verify(body, None, SECRET)


def test_an_event_whose_workers_keep_dying_is_dead_lettered(
    settings_for: Callable[..., ServerSettings], hook: Receiver
) -> None:
    settings = settings_for(
        worker="none",
        crm_sinks=["webhook"],
        crm_webhook_url=hook.url,
        crm_webhook_secret=SECRET,
        crm_lease_seconds=0.2,
        crm_max_attempts=2,
    )
    with TestClient(create_app(settings)) as client:
        state: ServerState = client.app.state.aifilm  # type: ignore[attr-defined]
        user(client, "jo@example.com")
        for attempt in (1, 2):
            with state.sessions() as session, session.begin():
                assert claim(session, f"doomed-{attempt}", settings) is not None
            time.sleep(0.3)  # ... and its worker dies
        user(client, "kim@example.com")
        assert run(state) == 1  # kim's; jo's is out of tries
        first, second = rows(state)
        assert first.status == "failed" and "stopped" in (first.last_error or "")
        assert second.status == "delivered"
        assert hook.deliveries == 1
