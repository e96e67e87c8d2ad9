"""From a topic: where the server has a writer configured (`writer_llm`), the page drafts a
project with it (here the tests' fake OpenAI-compatible server) into the editor."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.fakes.llm_server import KEYS, FakeLLMServer
from tests.server.conftest import serve
from tests.studio.harness import assert_accessible, screenshots, wait_ready
from tests.studio.test_journey import sign_up

from aifilm.server.config import ServerSettings
from aifilm.server.db import upgrade


@pytest.fixture
def writer_studio(
    studio_settings: Callable[..., ServerSettings],
    llm_server: FakeLLMServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    monkeypatch.setenv("AIFILM_LLM_BASE_URL", llm_server.url + "/v1")
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["openai"])
    settings = studio_settings(worker="none", writer_llm="openai")
    upgrade(settings.db_url)
    with serve(settings) as (url, _state):
        yield url


def test_a_topic_becomes_a_valid_project_in_the_editor(writer_studio: str, page: Page) -> None:
    sign_up(page, writer_studio, "topic@example.com", name="Writer")
    page.goto(writer_studio + "/new?tab=topic")
    wait_ready(page, "new")
    page.locator("#topic").fill("Why the sky is blue")
    page.locator("#style").select_option("explainer")
    assert_accessible(page)
    screenshots(page, "new-from-topic", "new")
    page.get_by_role("button", name="Write the script").click()
    expect(page.locator("#script-status")).to_have_text("The script is valid.", timeout=60_000)
    assert "title:" in page.locator("#script").input_value()
    page.locator("#create").click()
    wait_ready(page, "project", timeout=60_000)


def test_without_a_writer_the_topic_tab_says_so(studio: tuple, page: Page) -> None:
    url, _state, _outbox = studio
    sign_up(page, url, "nowriter@example.com", name="No Writer")
    page.goto(url + "/new?tab=topic")
    wait_ready(page, "new")
    expect(page.locator("#new-panel")).to_contain_text("no writer configured")
