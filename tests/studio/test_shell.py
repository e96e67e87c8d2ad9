"""The studio's frame: served by `aifilm serve`, security headers, languages, static files."""

from __future__ import annotations

import gzip

import httpx
from playwright.sync_api import Page
from tests.studio.harness import assert_accessible, screenshots, wait_ready


def test_pages_are_served_with_a_strict_csp_and_no_framing(studio: tuple) -> None:
    url, _state, _outbox = studio
    for path in ("/", "/login", "/projects/123", "/help/server"):
        answer = httpx.get(url + path)
        assert answer.status_code == 200, path
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "aifilm_csrf=" in answer.headers["set-cookie"]
    # No inline script: every <script> either loads a file or holds JSON data.
    html = httpx.get(url + "/").text
    for chunk in html.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert 'src="/static/' in head or 'type="application/json"' in head, head
    missing = httpx.get(url + "/no/such/page")
    assert missing.status_code == 404 and "<main" in missing.text
    api_missing = httpx.get(url + "/api/nothing-here")
    assert api_missing.status_code == 404
    assert api_missing.headers["content-type"].startswith("application/problem+json")


def test_static_files_are_gzipped_and_revalidated(studio: tuple) -> None:
    url, _state, _outbox = studio
    answer = httpx.get(url + "/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"
    assert answer.headers["content-type"].startswith("text/javascript")
    raw = httpx.get(url + "/static/app.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers and b"export function navigate" in raw.content
    assert gzip.decompress(gzip.compress(raw.content)) == raw.content
    again = httpx.get(url + "/static/app.js", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304
    for bad in ("/static/../app.py", "/static/%2e%2e/site.py", "/static/nothing.js"):
        assert httpx.get(url + bad).status_code == 404, bad


def test_hindi_by_browser_language_and_by_choice(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    hindi = httpx.get(url + "/", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"})
    assert '<html lang="hi">' in hindi.text and "स्क्रिप्ट से पूरी फ़िल्म" in hindi.text
    page.goto(url + "/")
    wait_ready(page, "landing")
    assert page.locator("h1").inner_text() == "Turn a script into a finished film"
    page.select_option("#language", "hi")
    page.wait_for_load_state()
    wait_ready(page, "landing")
    assert page.locator("h1").inner_text() == "स्क्रिप्ट से पूरी फ़िल्म बनाइए"
    assert page.locator("html").get_attribute("lang") == "hi"
    assert_accessible(page)


def test_landing_shows_the_plan_table_and_passes_axe(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    page.goto(url + "/")
    wait_ready(page, "landing")
    text = page.locator("main").inner_text()
    assert "40 credits a month" in text and "$39.00 a month" in text  # standard, from PLANS
    assert "Unlimited credits" in text
    assert_accessible(page)
    screenshots(page, "landing", "landing")


def test_keyboard_reaches_the_menu_and_the_skip_link(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(url + "/")
    wait_ready(page, "landing")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    toggle = page.locator(".menu-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#nav a", has_text="Log in").is_visible()
