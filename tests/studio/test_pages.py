"""Every studio page passes axe-core at desktop and phone width, and is photographed for
docs/studio/ (the README shows them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from tests.studio.harness import PHONE, assert_accessible, screenshots, wait_ready
from tests.studio.test_journey import sign_up

SIGNED_OUT = [
    ("/signup", "signup", "signup"),
    ("/login", "login", "login"),
    ("/help", "help", "help"),
    ("/help/faq", "help", "help-faq"),
    ("/help/screenplays", "help", None),  # a long guide: checked, not photographed
    ("/verify?token=bad", "verify", "verify"),
    ("/reset", "reset", "reset-no-link"),
]


@pytest.mark.parametrize(("path", "module", "name"), SIGNED_OUT)
def test_signed_out_pages(
    studio: tuple, page: Page, path: str, module: str, name: str | None
) -> None:
    url, _state, _outbox = studio
    page.goto(url + path)
    wait_ready(page, module)
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide at phone width"
    screenshots(page, name, module)


def test_help_renders_the_guides_as_text_with_site_links(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    page.goto(url + "/help")
    wait_ready(page, "help")
    page.get_by_role("link", name="Questions and answers").click()
    wait_ready(page, "help")
    expect(page.locator("h1")).to_have_text("Questions and answers")
    expect(page.locator("article h2").first).to_have_text("What does aifilm make?")
    expect(page.locator("article")).to_contain_text("One credit per started minute")
    page.goto(url + "/help/screenplays")
    wait_ready(page, "help")
    assert page.locator("article pre code").count() > 0  # code blocks stay code


def test_signed_in_pages_and_the_admin_refusal(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    sign_up(page, url, "pages@example.com", name="Page Reader")
    for path, module in (("/new?tab=template", "new"), ("/new?tab=topic", "new")):
        page.goto(url + path)
        wait_ready(page, module)
        assert_accessible(page)
    page.goto(url + "/new?tab=template")
    wait_ready(page, "new")
    for key in ("story", "explainer", "podcast", "devotional", "short"):
        assert page.locator(f"[data-template={key}]").count() == 1
    screenshots(page, "templates", "new")
    page.locator("[data-template=short]").click()
    expect(page.locator("#script-status")).to_have_text("The script is valid.")
    assert "resolution: vertical" in page.locator("#script").input_value()
    page.goto(url + "/admin")
    expect(page.locator("main h1")).to_have_text("This page is for administrators.")


def test_an_unknown_address_shows_page_not_found(studio: tuple, browser: Browser) -> None:
    url, _state, _outbox = studio
    context = browser.new_context()  # not `page`: Chromium logs the 404 as an error
    page = context.new_page()
    answer = page.goto(url + "/no/such/page")
    assert answer is not None and answer.status == 404
    expect(page.locator("main h1")).to_have_text("Page not found")
    assert_accessible(page)
    context.close()


def test_signed_out_visitors_are_sent_to_log_in_and_back(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    page.goto(url + "/dashboard")
    wait_ready(page, "login")
    assert page.url.endswith("/login?next=%2Fdashboard")


def test_the_dashboard_in_hindi(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    page.context.add_cookies([{"name": "aifilm_lang", "value": "hi", "url": url}])
    sign_up(page, url, "hindi@example.com", name="मीरा")
    expect(page.locator("h1")).to_have_text("नमस्ते, मीरा")
    expect(page.locator("nav")).to_contain_text("नया प्रोजेक्ट")
    assert_accessible(page)
    screenshots(page, "dashboard-hindi", "dashboard")
