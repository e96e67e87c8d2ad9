"""Studio fixtures: a live server on SQLite with its in-process worker (the embedded
default), and a Chromium page on it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")

from playwright.sync_api import Browser, Page, sync_playwright
from tests.server.conftest import serve
from tests.studio.harness import DESKTOP, launch

from aifilm.server.config import ServerSettings
from aifilm.server.state import ServerState


class Outbox:
    """A mailer that keeps what it sends (the studio's emails carry links to follow)."""

    def __init__(self) -> None:
        self.sent: list[Any] = []

    def send(self, mail: Any) -> None:
        self.sent.append(mail)

    def link(self, path: str) -> str:
        """The last link to `path` (e.g. "/reset") in the sent mail."""
        import re

        for mail in reversed(self.sent):
            found = re.search(r"https?://\S+" + re.escape(path) + r"\?token=\S+", mail.body)
            if found:
                return found.group(0)
        raise AssertionError(f"no mail with a {path} link in {self.sent}")


@pytest.fixture
def studio_settings(tmp_path: Path) -> Callable[..., ServerSettings]:
    def make(**overrides: Any) -> ServerSettings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "database_url": f"sqlite:///{tmp_path / 'studio.db'}",
            "secret_key": "studio-secret-" + "x" * 32,
            "poll_seconds": 0.1,
            "lease_seconds": 5.0,
            "rate_limit_per_minute": 0,
            "auth_rate_limit_per_minute": 0,
            "render_cache_dir": tmp_path / "cache",
            "admin_emails": ["admin@example.com"],
        }
        values.update(overrides)
        return ServerSettings(**values)

    return make


@pytest.fixture
def studio(
    studio_settings: Callable[..., ServerSettings],
) -> Iterator[tuple[str, ServerState, Outbox]]:
    """(base URL, server state, outbox) of a live studio with its worker."""
    from aifilm.server.db import upgrade

    settings = studio_settings()
    upgrade(settings.db_url)
    outbox = Outbox()
    with serve(settings.model_copy(update={})) as (url, state):
        state.settings.public_url = url
        state.extras["mailer"] = outbox
        yield url, state, outbox


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


# The API's refusals that pages show to the user as notices (a wrong password, a file the
# server's checks refuse); Chromium logs each as an error. Anything else fails the test:
# a missing file (404), a CSP violation, a script error.
SHOWN_REFUSALS = re.compile(r"status of (400|401|403|409|413|415|422|429) ")


def _unexpected(msg: Any) -> bool:
    return bool(msg.type == "error" and not SHOWN_REFUSALS.search(msg.text))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if _unexpected(msg) else None)
    yield page
    context.close()
    assert not errors, f"the page logged errors: {errors}"
