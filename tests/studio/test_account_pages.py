"""The account side of the studio in Chromium: buy a credit pack through (the fake) Stripe
Checkout and come back to the new balance; connect YouTube through (the fake) Google
consent and publish a film, following its upload; settings (sessions, an API key shown
once, deleting the account); the admin console's analytics, users and CSV, refused to a
creator in the page and at the API. Every page is checked by axe and photographed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, expect
from tests.server.conftest import TINY_SPEC, serve
from tests.server.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe, running, sign
from tests.studio.harness import DESKTOP, PHONE, assert_accessible, screenshots, wait_ready
from tests.studio.test_journey import sign_up

from aifilm.server import credits
from aifilm.server.config import ServerSettings
from aifilm.server.db import upgrade
from aifilm.server.models import Job, Project, User, utcnow
from aifilm.server.state import ServerState

HOSTILE = '<img src=x onerror="window.__pwned=1">'


@pytest.fixture
def billing_studio(
    studio_settings: Callable[..., ServerSettings],
) -> Iterator[tuple[str, ServerState, FakeStripe]]:
    with running() as stripe:
        settings = studio_settings(
            stripe_secret_key=SECRET_KEY,
            stripe_webhook_secret=WEBHOOK_SECRET,
            stripe_api_base=stripe.url,
            billing_sweep_seconds=0,
        )
        upgrade(settings.db_url)
        with serve(settings) as (url, state):
            state.settings.public_url = url
            yield url, state, stripe


def fits_a_phone(page: Page) -> None:
    """At 360 px the page passes axe and is no wider than the screen (wide tables scroll
    inside their own box)."""
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(150)
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at phone width"
    page.set_viewport_size(DESKTOP)


def _login(email: str) -> dict[str, str]:
    return {"email": email, "password": "correct horse battery"}


def _user(state: ServerState, email: str) -> uuid.UUID:
    with state.sessions() as s:
        found = s.query(User).filter(User.email == email).one()
        return found.id


def test_buy_a_pack_and_come_back_to_the_new_balance(
    billing_studio: tuple[str, ServerState, FakeStripe], page: Page
) -> None:
    url, _state, stripe = billing_studio
    sign_up(page, url, "buyer@example.com", name="Buyer")
    page.get_by_role("navigation").get_by_role("link", name="Credits").click()
    wait_ready(page, "credits")
    expect(page.locator("[data-testid=balance]")).to_have_text("3")
    expect(page.locator("#usage-chart svg rect")).to_have_count(30)  # a bar per day
    expect(page.locator("#ledger tbody tr")).to_have_count(1)  # the free plan's grant
    assert_accessible(page)

    def stripe_checkout(route: Route) -> None:
        # Stripe's hosted page: the customer pays, Stripe signs and delivers its webhook,
        # then sends the browser back to the success URL.
        session_id = urlsplit(route.request.url).path.rsplit("/", 1)[-1]
        events = stripe.pay(session_id)
        payload = json.dumps(events["checkout.session.completed"]).encode()
        r = httpx.post(
            f"{url}/api/payments/webhooks/stripe",
            content=payload,
            headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        back = stripe.sessions[session_id]["success_url"].replace(
            "{CHECKOUT_SESSION_ID}", session_id
        )
        route.fulfill(
            status=200,
            content_type="text/html",
            body=f'<meta http-equiv="refresh" content="0;url={back}"><p>Paid</p>',
        )

    page.route("https://checkout.stripe.test/**", stripe_checkout)
    page.locator("[data-pack=pack-25]").click()
    page.wait_for_url(f"{url}/billing/done**")
    wait_ready(page, "credits")
    expect(page.locator("#billing-status")).to_contain_text(
        "Payment received. Your balance is now 28 credits."
    )
    expect(page.locator("[data-testid=balance]")).to_have_text("28")
    page.locator("#ledger-type").select_option("purchase")
    expect(page.locator("#ledger tbody tr")).to_have_count(1)
    expect(page.locator("#ledger tbody tr")).to_contain_text("+25")
    expect(page.locator("main")).to_contain_text("Invoices")
    page.locator("#ledger-type").select_option("")
    fits_a_phone(page)
    screenshots(page, "credits", "credits")

    # the customer portal: Stripe's page for this buyer's customer, and back to the studio
    visited: list[str] = []

    def stripe_portal(route: Route) -> None:
        visited.append(route.request.url)
        session = next(iter(stripe.sessions.values()))
        assert route.request.url.endswith(f"/p/session/{session['customer']}")
        route.fulfill(
            status=200,
            content_type="text/html",
            body=f'<meta http-equiv="refresh" content="0;url={url}/credits"><p>Portal</p>',
        )

    page.route("https://billing.stripe.test/**", stripe_portal)
    page.locator("#portal").click()
    page.wait_for_url(f"{url}/credits")
    wait_ready(page, "credits")
    assert len(visited) == 1
    expect(page.locator("[data-testid=balance]")).to_have_text("28")


@pytest.fixture
def youtube_studio(
    studio_settings: Callable[..., ServerSettings], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, ServerState, Any]]:
    from tests.publish.fake_youtube import CLIENT_ID, CLIENT_SECRET, FakeYouTube
    from tests.publish.films import CHUNK

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is http
    monkeypatch.setenv("AIFILM_YOUTUBE_CHUNK_SIZE", str(CHUNK))
    monkeypatch.setenv("AIFILM_YOUTUBE_RETRY_DELAY", "0")
    with FakeYouTube() as fake:
        settings = studio_settings(
            youtube_client_id=CLIENT_ID,
            youtube_client_secret=CLIENT_SECRET,
            youtube_api_base=fake.url,
            google_oauth_auth_url=f"{fake.url}/auth",
            google_oauth_token_url=f"{fake.url}/token",
            google_oauth_revoke_url=f"{fake.url}/revoke",
        )
        upgrade(settings.db_url)
        with serve(settings) as (url, state):
            state.settings.public_url = url
            state.settings.youtube_return_url = f"{url}/youtube"
            yield url, state, fake


def _finished_film(state: ServerState, user_id: uuid.UUID, folder: Path) -> uuid.UUID:
    """A project (titled with markup) with a completed render whose results are a film."""
    from tests.publish.films import render_folder

    from aifilm.server.assets import output_asset

    render_folder(folder)
    project_id, job_id = uuid.uuid4(), uuid.uuid4()
    with state.sessions() as s, s.begin():
        user = credits.lock_user(s, user_id)
        credits.start_plan(s, user, "standard")  # YouTube needs a paid plan
        s.add(Project(id=project_id, user_id=user_id, title=f"Crow {HOSTILE}", spec=TINY_SPEC))
        s.flush()
        s.add(Job(id=job_id, user_id=user_id, project_id=project_id, status="completed",
                  length_seconds=60.0, progress=100.0, completed_at=utcnow()))  # fmt: skip
        s.flush()
        for path in sorted(folder.iterdir()):
            s.add(output_asset(state.storage, project_id, job_id, path))
    return project_id


def test_connect_youtube_and_publish_a_film(
    youtube_studio: tuple[str, ServerState, Any], page: Page, tmp_path: Path
) -> None:
    url, state, fake = youtube_studio
    sign_up(page, url, "maker@example.com", name="Maker")
    project_id = _finished_film(state, _user(state, "maker@example.com"), tmp_path / "film")
    page.goto(url + "/youtube")
    wait_ready(page, "youtube")
    expect(page.locator("main")).to_contain_text("No channel connected yet")

    page.locator("#connect").click()  # Google's consent, then back here
    page.wait_for_url(f"{url}/youtube?youtube=connected**")
    wait_ready(page, "youtube")
    expect(page.locator("main")).to_contain_text("is connected")
    expect(page.locator("[data-testid=channel]")).to_contain_text("Connected:")
    expect(page.locator("#yt-film option")).to_have_count(1)
    expect(page.locator("#yt-film option")).to_contain_text(HOSTILE)  # as text
    assert page.evaluate("window.__pwned") is None
    assert_accessible(page)

    page.get_by_label("Title", exact=True).fill("The Thirsty Crow")
    page.get_by_label("Description").fill("A fable, told by aifilm.")
    page.get_by_label("Tags").fill("fable, crow")
    page.get_by_label("Privacy").select_option("unlisted")
    page.get_by_label("Playlist", exact=True).fill("Fables")
    page.get_by_label("Create the playlist if it is missing").check()
    page.get_by_label("Thumbnail").select_option("render")
    page.locator("#yt-publish").click()
    expect(page.locator("#yt-progress")).to_contain_text("Published on YouTube.", timeout=60_000)
    link = page.locator("[data-testid=video-link]")
    video_id = next(iter(fake.state.videos))
    expect(link).to_have_attribute("href", f"https://www.youtube.com/watch?v={video_id}")
    [video] = fake.state.videos.values()
    assert video["snippet"]["title"] == "The Thirsty Crow"
    assert video["snippet"]["tags"] == ["fable", "crow"]
    assert video["status"]["privacyStatus"] == "unlisted"
    assert [p["snippet"]["title"] for p in fake.state.playlists] == ["Fables"]
    expect(page.locator("#yt-uploads tbody tr")).to_have_count(1)
    expect(page.locator("#yt-uploads")).to_contain_text("Published")

    # auto-publish titles films as the project: YouTube refuses this one's < and >, and
    # the page says so (the box stays unticked); renamed, the project publishes by itself
    auto = page.get_by_label("Publish this project's next films automatically")
    auto.check()
    expect(page.locator("#yt-progress")).to_contain_text("which YouTube does not allow")
    expect(auto).not_to_be_checked()
    with state.sessions() as s, s.begin():
        renamed = s.get(Project, project_id)
        assert renamed is not None
        renamed.title = "Crow & friends"
    auto.check()
    expect(page.locator("#toast")).to_contain_text("Auto-publish is on")
    with state.sessions() as s:
        stored = s.get(Project, project_id)
        assert stored is not None and stored.youtube_autopublish is not None
        assert stored.youtube_autopublish["privacy"] == "unlisted"
    fits_a_phone(page)
    screenshots(page, "youtube", "youtube")


def test_settings_sessions_api_key_once_and_delete(studio: tuple, page: Page) -> None:
    url, state, _outbox = studio
    sign_up(page, url, "set@example.com", name="Setter")
    page.goto(url + "/settings")
    wait_ready(page, "settings")
    expect(page.locator("#sessions tbody tr")).to_have_count(1)
    expect(page.locator("#sessions")).to_contain_text("This session")
    # another device signs in: listed, and signed out from here
    r = httpx.post(f"{url}/api/users/login", json=_login("set@example.com"))
    other = r.json()["refresh_token"]
    page.reload()
    wait_ready(page, "settings")
    expect(page.locator("#sessions tbody tr")).to_have_count(2)
    page.locator("#sign-out-others").click()
    expect(page.locator("#sessions tbody tr")).to_have_count(1)
    r = httpx.post(f"{url}/api/users/refresh", json={"refresh_token": other})
    assert r.status_code == 401

    page.get_by_label("Key name").fill(f"ci {HOSTILE}")
    page.get_by_role("button", name="Create a key").click()
    key = page.locator("[data-testid=api-key]").inner_text()
    assert key.startswith("afk_")
    r = httpx.get(f"{url}/api/users/me", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200 and r.json()["email"] == "set@example.com"
    expect(page.locator("#api-keys")).to_contain_text(f"ci {HOSTILE}")
    assert_accessible(page)
    fits_a_phone(page)
    screenshots(page, "settings", "settings")
    page.reload()
    wait_ready(page, "settings")
    assert key not in page.content()  # shown once only
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Revoke the key ci {HOSTILE}").click()
    expect(page.locator("main")).to_contain_text("No API keys.")
    r = httpx.get(f"{url}/api/users/me", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401

    page.get_by_label("Type set@example.com to confirm").fill("set@example.com")
    page.get_by_role("button", name="Delete everything").click()
    wait_ready(page, "landing")
    with state.sessions() as s:
        assert s.query(User).filter(User.email == "set@example.com").count() == 0


def _history(state: ServerState, user_id: uuid.UUID) -> None:
    """Two renders today for the analytics: one completed (90 s), one failed."""
    with state.sessions() as s, s.begin():
        project = Project(user_id=user_id, title="Stats", spec=TINY_SPEC)
        s.add(project)
        s.flush()
        for status, error in (("completed", None), ("failed", "voice: timed out")):
            s.add(Job(user_id=user_id, project_id=project.id, status=status, length_seconds=90.0,
                      error_message=error, completed_at=utcnow()))  # fmt: skip


def test_admin_console_for_admins_only(studio: tuple, page: Page, browser: Any) -> None:
    url, state, _outbox = studio
    sign_up(page, url, "admin@example.com", name="Admin")
    creator = browser.new_context(viewport={"width": 1280, "height": 800})
    other = creator.new_page()
    sign_up(other, url, "creator@example.com", name=f"Cre {HOSTILE}")
    _history(state, _user(state, "creator@example.com"))

    # refused to a creator: the page and the API
    other.goto(url + "/admin")
    expect(other.locator("main h1")).to_have_text("This page is for administrators.")
    assert other.request.get(f"{url}/api/analytics/overview").status == 403
    assert other.request.get(f"{url}/api/admin/users").status == 403
    expect(other.get_by_role("navigation").get_by_role("link", name="Admin")).to_have_count(0)
    creator.close()

    page.get_by_role("navigation").get_by_role("link", name="Admin").click()
    wait_ready(page, "admin")
    expect(page.locator("[data-stat=films]")).to_have_text("1")
    expect(page.locator("[data-stat=failure]")).to_have_text("50.0 %")
    expect(page.locator("[data-stat=minutes]")).to_have_text("1.5")
    expect(page.locator("#chart-films svg rect")).to_have_count(30)
    # no axis repeats a label (a range without revenue once read "$0.01" twice)
    for chart in ("chart-revenue", "chart-films", "chart-active"):
        ticks = page.locator(f"#{chart} svg text[text-anchor=end]").all_text_contents()
        assert len(ticks) == len(set(ticks)) == 3, (chart, ticks)
    assert_accessible(page)
    fits_a_phone(page)
    screenshots(page, "admin-analytics", "admin")
    href = page.get_by_role("link", name="CSV: films").get_attribute("href")
    assert href is not None
    csv = page.request.get(url + href)
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0].startswith("period,projects_created,films_rendered")

    # users: find the creator, adjust credits with a reason, suspend
    page.locator("[data-tab=users]").click()
    page.get_by_label("Email or name").fill("creator")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#users tbody tr")).to_have_count(1)
    page.get_by_role("button", name="creator@example.com").click()
    expect(page.locator("#user-detail")).to_contain_text("1 projects, 2 renders (1 failed)")
    page.locator("#u-amount").fill("7")
    page.locator("#u-reason").fill("goodwill for the failed render")
    page.get_by_role("button", name="Adjust", exact=True).click()
    expect(page.locator("[data-testid=user-credits]")).to_have_text("10")
    expect(page.locator("#user-detail")).to_contain_text("goodwill for the failed render")
    page.locator("#u-why").fill("spam")
    page.locator("#user-detail").get_by_role("button", name="Suspend").click()
    expect(page.locator("#user-detail")).to_contain_text("Suspended")
    r = httpx.post(f"{url}/api/users/login", json=_login("creator@example.com"))
    assert r.status_code == 403
    assert_accessible(page)
    fits_a_phone(page)
    screenshots(page, "admin-users", "admin")

    page.locator("[data-tab=jobs]").click()
    expect(page.locator("#failure-groups")).to_contain_text("voice: timed out")
    expect(page.locator("#jobs tbody tr")).to_have_count(1)
    page.locator("[data-tab=projects]").click()
    expect(page.locator("#projects tbody tr")).to_have_count(1)
    page.locator("#projects").get_by_role("button", name="Block").click()
    expect(page.locator("#projects")).to_contain_text("Blocked")
    assert_accessible(page)
