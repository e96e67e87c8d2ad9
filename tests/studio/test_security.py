"""The browser session's security: HttpOnly cookies, CSRF refused without the header,
bearer-token clients unchanged, hostile text shown as text, clickjacking refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from tests.server.conftest import TINY_SPEC, png_bytes
from tests.studio.harness import assert_accessible, screenshots, wait_ready
from tests.studio.test_journey import sign_up

from aifilm.server.app import create_app

PASSWORD = "correct horse battery"


@contextmanager
def browser_client(url: str) -> Iterator[httpx.Client]:
    """A client that behaves like the studio's pages: the CSRF cookie comes with the shell."""
    with httpx.Client(base_url=url) as client:
        client.get("/")
        yield client


def csrf(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": client.cookies["aifilm_csrf"]}


def test_cookies_are_httponly_samesite_and_no_token_reaches_the_page(studio: tuple) -> None:
    url, _state, _outbox = studio
    with browser_client(url) as client:
        answer = client.post(
            "/api/session/register",
            json={"email": "c@example.com", "password": PASSWORD},
            headers=csrf(client),
        )
        assert answer.status_code == 201, answer.text
        assert "access_token" not in answer.text and "refresh_token" not in answer.text
        cookies = answer.headers.get_list("set-cookie")
        session = next(c for c in cookies if c.startswith("aifilm_session="))
        refresh = next(c for c in cookies if c.startswith("aifilm_refresh="))
        assert "HttpOnly" in session and "SameSite=lax" in session and "Secure" not in session
        assert "HttpOnly" in refresh and "Path=/api/session" in refresh
        assert client.get("/api/users/me").json()["email"] == "c@example.com"


def test_production_cookies_are_secure(studio_settings: Any) -> None:
    settings = studio_settings(environment="production", worker="none")
    from aifilm.server.db import upgrade

    upgrade(settings.db_url)
    with TestClient(create_app(settings), base_url="https://studio.example") as client:
        shell = client.get("/")
        assert "Secure" in shell.headers["set-cookie"]
        answer = client.post(
            "/api/session/register",
            json={"email": "p@example.com", "password": PASSWORD},
            headers={"X-CSRF-Token": client.cookies["aifilm_csrf"]},
        )
        assert answer.status_code == 201, answer.text
        for cookie in answer.headers.get_list("set-cookie"):
            assert "Secure" in cookie, cookie


def test_state_changing_requests_need_the_csrf_header(studio: tuple) -> None:
    url, _state, _outbox = studio
    with browser_client(url) as client:
        # Even signing in needs it (no login CSRF).
        refused = client.post(
            "/api/session/register", json={"email": "d@example.com", "password": PASSWORD}
        )
        assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
        client.post(
            "/api/session/register",
            json={"email": "d@example.com", "password": PASSWORD},
            headers=csrf(client),
        )
        # A forged request: the cookies ride along, the header does not (or is wrong).
        for headers in ({}, {"X-CSRF-Token": "guessed"}):
            forged = client.post("/api/projects", json={"spec": TINY_SPEC}, headers=headers)
            assert forged.status_code == 403, forged.text
        upload = client.post(
            "/api/projects/00000000-0000-0000-0000-000000000000/assets",
            files={"file": ("a.png", png_bytes(), "image/png")},
        )
        assert upload.status_code == 403
        assert client.get("/api/projects").json()["total"] == 0
        made = client.post("/api/projects", json={"spec": TINY_SPEC}, headers=csrf(client))
        assert made.status_code == 201
        project = made.json()["id"]
        assert client.delete(f"/api/projects/{project}").status_code == 403
        assert client.post("/api/session/logout").status_code == 403
        assert client.delete(f"/api/projects/{project}", headers=csrf(client)).status_code == 204
        assert client.post("/api/session/logout", headers=csrf(client)).status_code == 204
        assert client.get("/api/session").json()["user"] is None
        assert client.get("/api/users/me").status_code == 401


def test_bearer_clients_need_no_csrf_token(studio: tuple) -> None:
    url, _state, _outbox = studio
    with httpx.Client(base_url=url) as client:
        client.post("/api/users/register", json={"email": "b@example.com", "password": PASSWORD})
        tokens = client.post(
            "/api/users/login", json={"email": "b@example.com", "password": PASSWORD}
        ).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert (
            client.post("/api/projects", json={"spec": TINY_SPEC}, headers=auth).status_code == 201
        )
        key = client.post("/api/users/me/api-keys", json={"name": "ci"}, headers=auth).json()["key"]
        by_key = {"Authorization": f"Bearer {key}"}
        assert (
            client.post("/api/projects", json={"spec": TINY_SPEC}, headers=by_key).status_code
            == 201
        )


def test_an_expired_access_cookie_is_renewed_from_the_refresh_cookie(studio: tuple) -> None:
    url, _state, _outbox = studio
    with browser_client(url) as client:
        client.post(
            "/api/session/register",
            json={"email": "r@example.com", "password": PASSWORD},
            headers=csrf(client),
        )
        old_refresh = client.cookies["aifilm_refresh"]
        client.cookies.delete("aifilm_session")  # the browser dropped it at its max-age
        assert client.get("/api/users/me").status_code == 401
        assert client.get("/api/session").json()["user"]["email"] == "r@example.com"
        assert client.cookies["aifilm_refresh"] != old_refresh  # rotated
        assert client.get("/api/users/me").status_code == 200


def test_hostile_names_and_file_names_show_as_text(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    sign_up(page, url, "h@example.com", name="Mallory")
    hostile_character = "Eve <script>"  # what the plain-script parser takes as a name
    script = f"The night was dark.\n\n{hostile_character}: I am here.\n"
    page.get_by_role("navigation").get_by_role("link", name="New project").click()
    wait_ready(page, "new")
    page.locator("#title").fill("<i>Plain</i>")
    page.locator("#script").fill(script)
    expect(page.locator("#script-status")).to_have_text("The script is valid.")
    page.locator("#create").click()
    wait_ready(page, "project", timeout=60_000)
    expect(page.locator("h1")).to_have_text("<i>Plain</i>")
    expect(page.locator("#plan")).to_contain_text(
        f"{hostile_character}: I am here.", timeout=60_000
    )
    expect(page.locator("#voices label").first).to_have_text(f"Voice for {hostile_character}")
    hostile_file = '"><img src=x onerror=window.__pwned=4>.png'
    page.locator("#files").set_input_files(
        files=[{"name": hostile_file, "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(page.locator("#project-assets, main ul").last).to_contain_text(hostile_file)
    assert page.locator("main img, main svg").count() == 0
    assert page.evaluate("window.__pwned") is None
    # A file that is not what its name says is refused with the server's words.
    page.locator("#files").set_input_files(
        files=[{"name": "fake.png", "mimeType": "image/png", "buffer": b"not a picture at all"}]
    )
    expect(page.locator(".page-project .notice.error").last).to_contain_text("fake.png")
    assert_accessible(page)


def test_the_site_refuses_to_be_framed(studio: tuple, browser: Browser) -> None:
    url, _state, _outbox = studio
    context = browser.new_context()
    page = context.new_page()
    refusals: list[str] = []
    page.on("console", lambda msg: refusals.append(msg.text))
    page.set_content(f'<iframe id="f" src="{url}/login"></iframe>')
    page.wait_for_timeout(1500)
    assert page.frame_locator("#f").locator("form").count() == 0  # not shown
    assert any("frame-ancestors" in text for text in refusals), refusals
    context.close()


def test_password_reset_by_email(studio: tuple, page: Page) -> None:
    url, _state, outbox = studio
    sign_up(page, url, "forgetful@example.com", name="Forgetful")
    page.get_by_role("button", name="Log out").click()
    wait_ready(page, "landing")
    page.goto(url + "/forgot")
    wait_ready(page, "forgot")
    page.get_by_label("Email").fill("forgetful@example.com")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("main .notice")).to_contain_text("a link is on its way")
    assert_accessible(page)
    screenshots(page, "forgot", "forgot")
    link = outbox.link("/reset")
    page.goto(link)
    wait_ready(page, "reset")
    assert_accessible(page)
    page.get_by_label("Password").fill("a brand new password")
    page.get_by_role("button", name="Set the password").click()
    expect(page.locator("main .notice")).to_contain_text("Your password is changed")
    screenshots(page, "reset", "reset")
    # The link works once.
    with httpx.Client(base_url=url) as client:
        token = link.split("token=", 1)[1]
        again = client.post(
            "/api/users/password-reset/confirm", json={"token": token, "password": "x" * 12}
        )
        assert again.status_code == 400 and "already used" in again.json()["detail"]
    page.goto(url + "/login")
    wait_ready(page, "login")
    page.get_by_label("Email").fill("forgetful@example.com")
    page.get_by_label("Password").fill("a brand new password")
    page.get_by_role("button", name="Log in").click()
    wait_ready(page, "dashboard")
