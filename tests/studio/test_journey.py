"""A creator's whole journey in Chromium, on the embedded default (SQLite, in-process
worker): sign up, verify the email, write a script and see its errors, plan, render and
follow the progress live, play the film with subtitles, download, render again, delete."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect
from tests.studio.harness import assert_accessible, screenshots, wait_ready

from aifilm.media.probe import probe

HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Asha'
HOSTILE_TITLE = '</script><script>window.__pwned=2</script>"Rain" & <b>Sun</b>'
BAD_SCRIPT = "It was a hot day.\n\nMaya: Look at the sky!\n\nRavi: ሰላም ነው ወንድሜ እንዴት ነህ\n"
GOOD_SCRIPT = (
    "It was a hot day in the village.\n\nMaya: Look at the sky!\n\nRavi: Rain is coming.\n"
)
RENDER_TIMEOUT_MS = 300_000


def sign_up(page: Page, url: str, email: str, name: str = HOSTILE_NAME) -> None:
    page.goto(url + "/signup")
    wait_ready(page, "signup")
    page.locator("input[name=name]").fill(name)  # by name: the labels may be in Hindi
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill("correct horse battery")
    page.locator("form button[type=submit]").click()
    wait_ready(page, "dashboard")


def test_sign_up_write_plan_render_watch_play_download_delete(
    studio: tuple, page: Page, tmp_path: Path
) -> None:
    url, _state, outbox = studio
    sign_up(page, url, "asha@example.com")
    # The name is shown as the characters typed, never run as markup.
    expect(page.locator("h1")).to_have_text(f"Hello, {HOSTILE_NAME}")
    assert page.locator("main img").count() == 0
    assert page.evaluate("window.__pwned") is None
    # The session is in HttpOnly cookies: nothing a script can read holds a token.
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["aifilm_session"]["httpOnly"] and cookies["aifilm_refresh"]["httpOnly"]
    assert "aifilm_session" not in page.evaluate("document.cookie")
    assert (
        page.evaluate("Object.keys(localStorage).length + Object.keys(sessionStorage).length") == 0
    )
    expect(page.locator("[data-testid=balance]")).to_have_text("3")  # the free plan's credits

    # The emailed link verifies the address.
    page.goto(outbox.link("/verify"))
    wait_ready(page, "verify")
    expect(page.locator("main")).to_contain_text("asha@example.com is verified")
    assert_accessible(page)

    # A script with a problem: the server's error shows at the script's own line.
    page.get_by_role("navigation").get_by_role("link", name="New project").click()
    wait_ready(page, "new")
    page.locator("#title").fill(HOSTILE_TITLE)
    page.locator("#script").fill(BAD_SCRIPT)
    issue = page.locator(".issues li[data-line='5']")
    expect(issue).to_contain_text("line 5, column 1")
    expect(issue).to_contain_text("Ethiopic script")
    expect(page.locator("#create")).to_be_disabled()
    issue.get_by_role("button").click()
    at = page.evaluate("document.getElementById('script').selectionStart")
    assert BAD_SCRIPT[at:].startswith("Ravi:")
    assert_accessible(page)
    screenshots(page, "new-project", "new")

    page.locator("#script").fill(GOOD_SCRIPT)
    expect(page.locator("#script-status")).to_have_text("The script is valid.")
    page.locator("#create").click()
    wait_ready(page, "project", timeout=60_000)
    expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)
    assert page.evaluate("window.__pwned") is None

    # The plan before spending: shots, length, cost; the cost follows the length.
    expect(page.locator("#cost")).to_have_text("Cost: 1 credit", timeout=60_000)
    assert page.locator("#plan tbody tr").count() == 3
    page.locator("#length").fill("70")
    expect(page.locator("#cost")).to_have_text("Cost: 2 credits")
    page.locator("#length").fill("10")
    expect(page.locator("#cost")).to_have_text("Cost: 1 credit")
    expect(page.locator("#render")).to_have_text("Render for 1 credit")
    assert_accessible(page)

    # Render, and follow it live over the event stream.
    page.locator("#render").click()
    expect(page.locator("#job .stages")).to_be_visible(timeout=30_000)
    expect(page.locator("#job .log")).to_contain_text("queued: 1 credit(s)")
    screenshots(page, "project-rendering", "project")
    expect(page.locator("#job[data-final]")).to_have_attribute(
        "data-final", "completed", timeout=RENDER_TIMEOUT_MS
    )
    expect(page.locator("#job .log")).to_contain_text("compose finish")

    # Play the film in the page, with its subtitle track.
    film = page.locator("video#film")
    expect(film).to_be_visible()
    assert page.locator("video#film track[kind=subtitles]").count() >= 1
    page.wait_for_function("() => document.getElementById('film').readyState >= 1", timeout=30_000)
    duration = page.evaluate("document.getElementById('film').duration")
    assert 9.5 <= duration <= 10.5
    page.evaluate("document.getElementById('film').muted = true")
    page.evaluate("document.getElementById('film').play()")
    page.wait_for_function(
        "() => document.getElementById('film').currentTime > 0.2", timeout=30_000
    )
    cues = page.evaluate(
        "new Promise(r => { const t = document.getElementById('film').textTracks[0];"
        " t.mode = 'hidden';"
        " setTimeout(() => r(Array.from(t.cues || []).map(c => c.text)), 500); })"
    )
    assert any("Look at the sky" in cue for cue in cues), cues

    # Downloads: MP4, SRT, VTT, thumbnail.
    links = page.locator("#job .downloads a")
    names = [links.nth(i).get_attribute("download") for i in range(links.count())]
    assert {Path(n).suffix for n in names} >= {".mp4", ".srt", ".vtt", ".png"}, names
    mp4_link = page.locator("#job .downloads a[download$='.mp4']")
    with page.expect_download() as info:
        mp4_link.click()
    saved = tmp_path / "film.mp4"
    info.value.save_as(saved)
    media = probe(saved)
    video = media.first("video")
    assert video is not None and media.first("audio") is not None
    assert 9.5 <= media.duration <= 10.5 and video.width == 640
    with page.expect_download() as info:
        page.locator("#job .downloads a[download$='.srt']").click()
    srt = tmp_path / "film.srt"
    info.value.save_as(srt)
    assert "Rain is coming." in srt.read_text(encoding="utf-8")
    assert_accessible(page)
    screenshots(page, "project-finished", "project")

    # Edit the script and render again: the new film says the new words.
    page.locator("details summary").click()
    edited = page.locator("#script").input_value().replace("Rain is coming.", "Snow is coming.")
    page.locator("#script").fill(edited)
    expect(page.locator("#script-status")).to_have_text("The script is valid.")
    page.locator("#save").click()
    expect(page.locator("#plan")).to_contain_text("Snow is coming.")
    expect(page.locator("#render")).to_have_text("Render for 1 credit")
    page.locator("#render").click()
    expect(page.locator("#job .stages")).to_be_visible(timeout=30_000)
    expect(page.locator("#job[data-final]")).to_have_attribute(
        "data-final", "completed", timeout=RENDER_TIMEOUT_MS
    )
    with page.expect_download() as info:
        page.locator("#job .downloads a[download$='.srt']").click()
    info.value.save_as(srt)
    assert "Snow is coming." in srt.read_text(encoding="utf-8")

    # The dashboard lists it, finished; then delete it from its page.
    page.get_by_role("navigation").get_by_role("link", name="Dashboard").click()
    wait_ready(page, "dashboard")
    row = page.locator("tbody tr", has_text="Rain")
    expect(row).to_contain_text("finished")
    expect(page.locator("[data-testid=balance]")).to_have_text("1")
    assert_accessible(page)
    screenshots(page, "dashboard", "dashboard")
    row.get_by_role("link").click()
    wait_ready(page, "project")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("#delete").click()
    wait_ready(page, "dashboard")
    expect(page.locator("main")).to_contain_text("No projects yet.")
    with httpx.Client(
        base_url=url, cookies={c["name"]: c["value"] for c in page.context.cookies()}
    ) as client:
        assert client.get("/api/projects").json()["total"] == 0
