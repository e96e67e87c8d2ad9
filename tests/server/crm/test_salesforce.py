"""The Salesforce sink against a fake org on 127.0.0.1 (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

pytest.importorskip("simple_salesforce", reason="the crm extra is not installed")

from tests.server.conftest import Api
from tests.server.crm.fake_salesforce import CLIENT_ID, CLIENT_SECRET, Org, fake_salesforce

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.crm.dispatch import drain
from aifilm.server.crm.sinks import build_sinks
from aifilm.server.models import OutboxEvent, User
from aifilm.server.state import ServerState


@pytest.fixture
def org() -> Iterator[Org]:
    with fake_salesforce() as running:
        yield running


@pytest.fixture
def crm(
    settings_for: Callable[..., ServerSettings], org: Org
) -> Iterator[tuple[TestClient, ServerState]]:
    settings = settings_for(
        worker="none",
        crm_sinks=["salesforce"],
        salesforce_instance_url=org.url,
        salesforce_client_id=CLIENT_ID,
        salesforce_client_secret=CLIENT_SECRET,
        crm_backoff_seconds=0.05,
        crm_max_attempts=5,
    )
    with TestClient(create_app(settings)) as client:
        yield client, client.app.state.aifilm  # type: ignore[attr-defined]


def rows(state: ServerState) -> list[OutboxEvent]:
    with state.sessions() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def settle(state: ServerState, timeout: float = 20.0) -> None:
    sinks = build_sinks(state.settings)
    deadline = time.monotonic() + timeout
    while any(r.status == "pending" for r in rows(state)):
        assert time.monotonic() < deadline, [(r.type, r.last_error) for r in rows(state)]
        drain(state.sessions, sinks, state.settings, "w1")
        time.sleep(0.05)


def test_accounts_contacts_projects_and_purchases_are_upserted_once(
    crm: tuple[TestClient, ServerState], org: Org
) -> None:
    from aifilm.server import credits

    client, state = crm
    alice = Api(client, "alice@example.com")
    project = alice.project()
    uid = alice.user["id"]
    with state.sessions() as session, session.begin():
        user = session.get(User, uuid.UUID(uid))
        assert user is not None
        credits.record(session, user, "purchase", 10, "bought pack-10", event_id="evt_9")
    settle(state)
    assert all(r.status == "delivered" for r in rows(state))
    assert org.record("Account", uid)["Name"] == "alice@example.com"  # type: ignore[index]
    contact = org.record("Contact", uid)
    assert contact is not None and contact["Email"] == "alice@example.com"
    assert contact["Account"] == {"Aifilm_Id__c": uid}
    assert contact["Aifilm_Plan__c"] == "creator"
    film = org.record("Projects__c", project["id"])
    assert film is not None and film["Name"] == "Tiny Film"
    assert film["Account__r"] == {"Aifilm_Id__c": uid}
    purchase = org.record("Subscriptions__c", "evt_9")
    assert purchase is not None and purchase["Credits__c"] == 10
    # Delivered again (a worker died before recording it): the same records, no new ones.
    count = len(org.records)
    sinks = build_sinks(state.settings)
    from aifilm.server.crm.sinks import Event

    for row in rows(state):
        event = Event(row.event_id, row.type, row.object_type, row.object_id, row.user_id,
                      row.payload, row.created_at, 2)  # fmt: skip
        sinks[0].deliver(event)
    assert len(org.records) == count
    assert org.record("Contact", uid)["Id"] == contact["Id"]  # type: ignore[index]


def test_an_expired_session_signs_in_again(crm: tuple[TestClient, ServerState], org: Org) -> None:
    client, state = crm
    Api(client, "bob@example.com")
    settle(state)
    assert org.token_requests == 1
    org.revoke_tokens()  # the session times out: Salesforce answers 401 INVALID_SESSION_ID
    Api(client, "carol@example.com")
    settle(state)
    assert org.token_requests == 2
    assert all(r.status == "delivered" and r.attempts == 1 for r in rows(state))


def test_salesforce_down_then_back(crm: tuple[TestClient, ServerState], org: Org) -> None:
    client, state = crm
    org.down = True
    dave = Api(client, "dave@example.com")
    dave.project()
    drain(state.sessions, build_sinks(state.settings), state.settings, "w1")
    first, second = rows(state)
    assert first.status == "pending" and "503" in (first.last_error or "")
    assert second.attempts == 0  # waits behind the account's earlier event
    assert org.records == {}
    org.down = False
    settle(state)
    assert [w[1] for w in org.writes if w[0] == "PATCH"][-3:] == [
        "Account",
        "Contact",
        "Projects__c",
    ]


def test_a_record_salesforce_refuses_is_dead_lettered_with_its_error(
    settings_for: Callable[..., ServerSettings], org: Org
) -> None:
    settings = settings_for(
        worker="none",
        crm_sinks=["salesforce"],
        salesforce_instance_url=org.url,
        salesforce_client_id=CLIENT_ID,
        salesforce_client_secret=CLIENT_SECRET,
        salesforce_external_id_field="Missing_Field__c",
    )
    with TestClient(create_app(settings)) as client:
        state: ServerState = client.app.state.aifilm  # type: ignore[attr-defined]
        Api(client, "erin@example.com")
        drain(state.sessions, build_sinks(settings), settings, "w1")
        (row,) = rows(state)
        assert row.status == "failed" and row.attempts == 1
        assert "Missing_Field__c" in (row.last_error or "")


def test_wrong_credentials_are_retried_not_lost(
    settings_for: Callable[..., ServerSettings], org: Org
) -> None:
    settings = settings_for(
        worker="none",
        crm_sinks=["salesforce"],
        salesforce_instance_url=org.url,
        salesforce_client_id=CLIENT_ID,
        salesforce_client_secret="wrong",
    )
    with TestClient(create_app(settings)) as client:
        state: ServerState = client.app.state.aifilm  # type: ignore[attr-defined]
        Api(client, "fred@example.com")
        drain(state.sessions, build_sinks(settings), state.settings, "w1")
        (row,) = rows(state)
        assert row.status == "pending" and "invalid_client" in (row.last_error or "")


def test_deleting_the_account_deletes_its_contact_and_account(
    crm: tuple[TestClient, ServerState], org: Org
) -> None:
    client, state = crm
    gina = Api(client, "gina@example.com")
    settle(state)
    assert org.record("Contact", gina.user["id"]) is not None
    assert gina.delete("/api/users/me").status_code == 204
    settle(state)
    assert org.record("Contact", gina.user["id"]) is None
    assert org.record("Account", gina.user["id"]) is None


def test_jwt_bearer_flow(
    settings_for: Callable[..., ServerSettings], org: Org, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = tmp_path / "salesforce.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    org.jwt_public_key = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = settings_for(
        worker="none",
        crm_sinks=["salesforce"],
        salesforce_instance_url=org.url,
        salesforce_login_url=org.url,
        salesforce_client_id=CLIENT_ID,
        salesforce_username=org.jwt_username,
        salesforce_private_key_file=key_file,
    )
    with TestClient(create_app(settings)) as client:
        state: ServerState = client.app.state.aifilm  # type: ignore[attr-defined]
        hana = Api(client, "hana@example.com")
        drain(state.sessions, build_sinks(settings), settings, "w1")
        assert [r.status for r in rows(state)] == ["delivered"]
        assert org.record("Contact", hana.user["id"]) is not None
        org.jwt_username = "someone-else@example.com"  # the user is no longer pre-authorised
        org.revoke_tokens()
        Api(client, "ian@example.com")
        drain(state.sessions, build_sinks(settings), settings, "w1")
        assert "invalid_grant" in (rows(state)[-1].last_error or "")


def test_a_plan_change_of_an_account_salesforce_never_saw_creates_it(
    crm: tuple[TestClient, ServerState], org: Org
) -> None:
    client, state = crm
    admin = Api(client, "admin@example.com")
    jane = Api(client, "jane@example.com")
    with state.sessions() as session, session.begin():  # as if sync was switched on later
        for row in session.scalars(select(OutboxEvent)):
            row.status = "delivered"
    r = admin.post(f"/api/admin/users/{jane.user['id']}/plan", json={"plan": "pro"})
    assert r.status_code == 200, r.text
    settle(state)
    assert [r.status for r in rows(state)][-1] == "delivered"
    contact = org.record("Contact", jane.user["id"])
    assert contact is not None and contact["Aifilm_Plan__c"] == "pro"
    plan = org.record("Subscriptions__c", f"plan-{jane.user['id']}")
    assert plan is not None and plan["Plan__c"] == "pro"
