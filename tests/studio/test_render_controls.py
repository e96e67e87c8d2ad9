"""Render controls that need a job to stay put (no render worker): cancel with a refund,
pictures dropped on the page, a voice preview."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect
from tests.server.conftest import png_bytes, serve
from tests.studio.harness import wait_ready
from tests.studio.test_journey import sign_up

from aifilm.server.config import ServerSettings
from aifilm.server.db import upgrade

SPEC_WITH_PICTURE = """\
title: Picture Book
duration: 10s
output: {resolution: 160x90, fps: 12, quality: draft}
characters:
  - name: Hare
    image: images/hare.png
script: |
  Hare: I am the fastest!
"""


@pytest.fixture
def idle_studio(studio_settings: Callable[..., ServerSettings]) -> Iterator[str]:
    settings = studio_settings(worker="none")
    upgrade(settings.db_url)
    with serve(settings) as (url, _state):
        yield url


def new_yaml_project(page: Page, spec: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name="New project").click()
    wait_ready(page, "new")
    page.locator("#format").select_option("yaml")
    page.locator("#script").fill(spec)
    expect(page.locator("#script-status")).to_have_text("The script is valid.")
    page.locator("#create").click()
    wait_ready(page, "project", timeout=60_000)


def test_drop_a_picture_then_render_and_cancel_with_a_refund(idle_studio: str, page: Page) -> None:
    url = idle_studio
    sign_up(page, url, "cancel@example.com", name="Canceller")
    new_yaml_project(page, SPEC_WITH_PICTURE)
    expect(page.locator("#missing .notice")).to_contain_text("images/hare.png")
    expect(page.locator("#render")).to_be_disabled(timeout=60_000)  # the picture is missing
    # Drop the file on the drop zone, as a user drags it from their desktop.
    data = list(png_bytes())
    page.evaluate(
        """(bytes) => {
            const file = new File([new Uint8Array(bytes)], "hare.png", {type: "image/png"});
            const drop = new DataTransfer();
            drop.items.add(file);
            const zone = document.getElementById("drop");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: drop, bubbles: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: drop, bubbles: true}));
        }""",
        data,
    )
    expect(page.locator(".page-project .notice.ok")).to_contain_text("Uploaded images/hare.png")
    expect(page.locator("#missing .notice")).to_have_count(0)
    expect(page.locator("#render")).to_be_enabled(timeout=60_000)
    page.locator("#render").click()
    expect(page.locator("#job .status")).to_have_text("queued")
    page.locator("#cancel").click()
    expect(page.locator("#job[data-final]")).to_have_attribute("data-final", "cancelled")
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    wait_ready(page, "dashboard")
    expect(page.locator("[data-testid=balance]")).to_have_text("3")  # refunded


def test_a_voice_preview_plays_the_preset(idle_studio: str, page: Page) -> None:
    url = idle_studio
    sign_up(page, url, "voices@example.com", name="Listener")
    answer = page.request.get(url + "/api/studio/voices/child/preview?language=en", timeout=120_000)
    assert answer.status == 200 and answer.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(answer.body())) as sound:
        assert sound.getnframes() / sound.getframerate() > 1.0  # a spoken sentence
