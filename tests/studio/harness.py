"""Driving the studio in Debian's Chromium with Playwright: launch, accessibility check
(axe-core), screenshots at desktop and phone width.

Browsers are never downloaded: Chromium is /usr/bin/chromium (`apt-get install chromium`),
or $AIFILM_CHROMIUM. The tests fail, not skip, when Chromium or axe-core is missing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright

HERE = Path(__file__).parent
AXE = HERE / "vendor" / "axe.min.js"
DOCS_SHOTS = HERE.parent.parent / "docs" / "studio"
# Screenshots go to a scratch folder, so a test run leaves the checkout clean; set
# AIFILM_STUDIO_SHOTS=docs to refresh the committed ones in docs/studio/.
SHOTS = (
    DOCS_SHOTS
    if os.environ.get("AIFILM_STUDIO_SHOTS") == "docs"
    else Path(tempfile.gettempdir()) / "aifilm-studio-shots"
)
CHROMIUM = os.environ.get("AIFILM_CHROMIUM", "/usr/bin/chromium")
# The flags this machine's closed network needs (no background connections, no GPU).
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
MAX_SHOT_HEIGHT = 2400  # the top of a long page is enough, and keeps the repository small


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; an AssertionError (not a skip) when it is missing."""
    assert Path(CHROMIUM).exists(), (
        f"Chromium is not at {CHROMIUM}: install it (apt-get install -y chromium) or set "
        "AIFILM_CHROMIUM"
    )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


def wait_ready(page: Page, module: str, timeout: float = 20_000) -> None:
    """Wait until page `module` has drawn (app.js marks its root data-ready)."""
    page.wait_for_selector(f".page-{module}[data-ready='1']", timeout=timeout)


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[Any]:
    """axe-core's violations on the page at or above `impacts`."""
    assert AXE.is_file(), f"{AXE} is missing: the accessibility checks need axe-core"
    # Evaluated through the DevTools protocol: the page's CSP (rightly) refuses a script tag.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    found = json.loads(result)["violations"]
    return [v for v in found if v["impact"] in impacts]


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violation; the message lists each with its nodes."""
    bad = axe_violations(page)
    detail = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
        for v in bad
    )
    assert not bad, f"accessibility violations on {page.url}:\n{detail}"


def screenshots(page: Page, name: str | None, module: str) -> list[Path]:
    """Full-page screenshots at desktop and phone width: <name>-desktop.png and
    <name>-phone.png in SHOTS (docs/studio/ with AIFILM_STUDIO_SHOTS=docs; 0 skips them)."""
    if name is None or os.environ.get("AIFILM_STUDIO_SHOTS", "1") == "0":
        return []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.getElementById('toast').hidden = true")  # a passing message
    written = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        wait_ready(page, module)
        path = SHOTS / f"{name}-{label}.png"
        height = min(MAX_SHOT_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
        clip = {"x": 0, "y": 0, "width": size["width"], "height": height}
        page.screenshot(
            path=str(path), full_page=True, clip=clip, animations="disabled", caret="hide"
        )
        written.append(path)
    page.set_viewport_size(DESKTOP)
    return written
