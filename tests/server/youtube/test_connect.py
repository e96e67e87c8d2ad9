"""Connecting a channel through Google's web flow, keeping its tokens encrypted and fresh,
disconnecting; plans and configuration that refuse it."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.publish.fake_youtube import CHANNEL_ID, CLIENT_ID, FakeYouTube
from tests.server.youtube.conftest import Creator

from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.models import YoutubeAuthRequest, YoutubeConnection, utcnow
from aifilm.server.youtube.tokens import decrypt


def test_connect_a_channel_with_the_web_flow(
    creator: Callable[[str], Creator], fake: FakeYouTube
) -> None:
    alice = creator("alice@example.com")
    alice.upgrade("standard")
    r = alice.get("/api/youtube/auth")
    assert r.status_code == 200, r.text
    start = r.json()
    assert start["redirect_uri"] == "http://testserver/api/youtube/callback"
    url = urlsplit(start["authorization_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{fake.url}/auth"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["redirect_uri"] == start["redirect_uri"] and query["state"] == start["state"]
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert "https://www.googleapis.com/auth/youtube.upload" in query["scope"].split()

    answer = httpx.get(start["authorization_url"], follow_redirects=False)  # Google consents
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert f"http://{back.netloc}{back.path}" == start["redirect_uri"]
    callback = f"{back.path}?{back.query}"
    r = alice.client.get(callback)  # the browser comes back; no Authorization header
    assert r.status_code == 200, r.text
    connection = r.json()
    assert connection["channel_id"] == CHANNEL_ID
    assert connection["channel_title"] == "Fake Channel" and connection["status"] == "active"
    assert alice.get("/api/youtube/connection").json()["channel_id"] == CHANNEL_ID
    # The code went to Google's token endpoint with the PKCE verifier (the fake checks it).
    assert fake.state.token_grants == ["authorization_code"]
    # At rest, both tokens are encrypted with the key from the settings.
    state = alice.state
    with state.sessions() as session:
        row = session.scalars(select(YoutubeConnection)).one()
        refresh = decrypt(state.settings, row.refresh_token)
        access = decrypt(state.settings, row.access_token)
        assert refresh in fake.state.refresh_tokens and access in fake.state.access_tokens
        assert refresh not in row.refresh_token and access not in row.access_token
        assert row.expires_at > utcnow() + timedelta(minutes=50)
        assert session.scalars(select(YoutubeAuthRequest)).all() == []  # used up

    # A state works once.
    r = alice.client.get(callback)
    assert r.status_code == 400 and "already used" in r.json()["detail"]
    assert r.headers["content-type"] == "application/problem+json"
    r = alice.client.get("/api/youtube/callback?state=made-up&code=x")
    assert r.status_code == 400 and "start again at GET /api/youtube/auth" in r.json()["detail"]


def test_a_wrong_code_verifier_is_refused(creator: Callable[[str], Creator]) -> None:
    bob = creator("bob@example.com")
    bob.upgrade("pro")
    callback = bob.consent()
    with bob.state.sessions() as session, session.begin():
        row = session.scalars(select(YoutubeAuthRequest)).one()
        from aifilm.server.youtube.tokens import encrypt

        row.code_verifier = encrypt(bob.state.settings, "x" * 50)
    r = bob.client.get(callback)
    assert r.status_code == 400
    assert "Google refused the authorization code: invalid_grant" in r.json()["detail"]
    assert bob.get("/api/youtube/connection").status_code == 404


def test_consent_denied_and_return_url(
    yt_settings: Callable[..., ServerSettings], fake: FakeYouTube
) -> None:
    settings = yt_settings(youtube_return_url="https://app.example.com/youtube")
    with TestClient(create_app(settings)) as client:
        carol = Creator(client, "carol@example.com")
        carol.upgrade("enterprise")
        fake.state.deny_consent = True
        r = client.get(carol.consent(), follow_redirects=False)
        assert r.status_code == 303
        back = urlsplit(r.headers["location"])
        assert back.netloc == "app.example.com"
        answer = parse_qs(back.query)
        assert answer["youtube"] == ["error"] and "access_denied" in answer["message"][0]
        fake.state.deny_consent = False
        r = client.get(carol.consent(), follow_redirects=False)
        assert r.status_code == 303
        assert parse_qs(urlsplit(r.headers["location"]).query) == {
            "youtube": ["connected"],
            "channel": ["Fake Channel"],
        }


def test_tokens_are_refreshed_before_they_expire_and_revoked_on_disconnect(
    creator: Callable[[str], Creator], fake: FakeYouTube
) -> None:
    dana = creator("dana@example.com")
    dana.upgrade()
    dana.connect()
    # A fresh access token is used as it is: no call to the token endpoint.
    r = dana.post("/api/youtube/playlists", json={"title": "Fables", "privacy": "unlisted"})
    assert r.status_code == 201, r.text
    assert r.json()["title"] == "Fables" and r.json()["privacy"] == "unlisted"
    assert fake.state.token_grants == ["authorization_code"]
    # Two minutes before it expires, it is refreshed first, and the new one kept.
    state = dana.state
    with state.sessions() as session, session.begin():
        row = session.scalars(select(YoutubeConnection)).one()
        old = decrypt(state.settings, row.access_token)
        row.expires_at = utcnow() + timedelta(minutes=2)
    r = dana.get("/api/youtube/playlists")
    assert r.status_code == 200, r.text
    assert [p["title"] for p in r.json()] == ["Fables"]
    assert fake.state.token_grants == ["authorization_code", "refresh_token"]
    with state.sessions() as session:
        row = session.scalars(select(YoutubeConnection)).one()
        new = decrypt(state.settings, row.access_token)
        assert new != old and new in fake.state.access_tokens
        assert row.expires_at > utcnow() + timedelta(minutes=50)
        refresh = decrypt(state.settings, row.refresh_token)
    r = dana.post("/api/youtube/playlists", json={"title": "a <b>"})
    assert r.status_code == 422 and "< or >" in r.json()["detail"]
    # Disconnecting revokes the refresh token at Google and forgets the channel.
    r = dana.delete("/api/youtube/connection")
    assert r.status_code == 200 and r.json() == {"revoked": True, "channel_id": CHANNEL_ID}
    assert fake.state.revoked == [refresh]
    assert dana.get("/api/youtube/connection").status_code == 404
    r = dana.get("/api/youtube/playlists")
    assert r.status_code == 409 and "GET /api/youtube/auth" in r.json()["detail"]


def test_free_plan_and_unconfigured_server_are_refused(
    creator: Callable[[str], Creator], settings_for: Callable[..., ServerSettings]
) -> None:
    eve = creator("eve@example.com")  # creator plan: free
    for method, url, kw in [
        ("GET", "/api/youtube/auth", {}),
        ("GET", "/api/youtube/playlists", {}),
        (
            "POST",
            "/api/youtube/upload",
            {"json": {"job_id": "00000000-0000-0000-0000-0000000000aa"}},
        ),
    ]:
        r = eve.client.request(method, url, headers=eve.headers, **kw)
        assert r.status_code == 402, (url, r.text)
        problem = r.json()
        assert problem["title"] == "Paid plan required" and problem["plan"] == "creator"
        assert "standard, pro, enterprise" in problem["detail"]
    with TestClient(create_app(settings_for(worker="none"))) as client:
        frank = Creator(client, "frank@example.com")
        frank.upgrade()
        r = frank.get("/api/youtube/auth")
        assert r.status_code == 503
        assert "AIFILM_SERVER_YOUTUBE_CLIENT_ID" in r.json()["detail"]


def test_pkce_challenge_is_the_hash_of_the_kept_verifier(creator: Callable[[str], Creator]) -> None:
    gus = creator("gus@example.com")
    gus.upgrade()
    start = gus.get("/api/youtube/auth").json()
    challenge = parse_qs(urlsplit(start["authorization_url"]).query)["code_challenge"][0]
    with gus.state.sessions() as session:
        row = session.scalars(select(YoutubeAuthRequest)).one()
        verifier = decrypt(gus.state.settings, row.code_verifier)
        assert verifier not in start["authorization_url"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge
