"""What the web studio costs: each page's first-load transfer, the time until the dashboard
is usable, and the server's CPU while a browser watches a render (against a polling client).

    python benchmarks/bench_studio.py [--loads 10] [--watch-seconds 30]

`aifilm serve` runs in a subprocess on loopback (SQLite, no render worker: the benchmark
plays the worker, moving one job's progress every 0.5 s and logging a line every 2 s, as
a render does), Debian's Chromium is driven by Playwright.

1. Transfer: for each page, a fresh browser context (empty cache) loads it and every byte
   that crossed the network is added up (Chromium's encodedDataLength: compressed bodies
   plus headers). Goal: under 200 KB each.
2. Dashboard usable: from navigation start to the dashboard's drawn data (its root marked
   ready, after its API calls), --loads times with a warm cache and with a cold one; the
   reference is the same browser loading the tiny /healthz document.
3. Watching a render: the server process's CPU seconds (from /proc) over --watch-seconds,
   idle; with the project page open (the event stream, interval 1 s); and with a client
   polling GET /api/jobs/{id}/status every second (what `aifilm remote` falls back to,
   and what a page would do without the stream). Reported above idle, per minute.

Prints a Markdown table; JSON in benchmarks/results/studio.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))
from tests.studio.harness import DESKTOP, launch  # noqa: E402

PAGES = ["/", "/signup", "/login", "/dashboard", "/new", "/project", "/help", "/help/faq"]
SCRIPT = "title: Bench\nduration: 20s\nscript: |\n  Hello there.\n\n  Maya: Hi!\n"
PASSWORD = "correct horse battery"
SIGNED_OUT = {"/", "/signup", "/login", "/help", "/help/faq"}  # a visitor's first look


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "AIFILM_SERVER_DATA_DIR": str(data),
        "AIFILM_SERVER_WORKER": "none",
        "AIFILM_SERVER_SECRET_KEY": "bench-" + "x" * 40,
        "AIFILM_SERVER_RATE_LIMIT_PER_MINUTE": "0",
        "AIFILM_SERVER_AUTH_RATE_LIMIT_PER_MINUTE": "0",
        "AIFILM_SERVER_MAX_STREAMS_PER_USER": "50",
        "AIFILM_SERVER_CONFIG": str(data / "none.toml"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "aifilm", "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/healthz").status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def sign_in(browser: Browser, url: str, email: str) -> Any:
    """A browser context signed in as a new user (through the API, as the page does)."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.on("pageerror", lambda error: print("page error:", error, file=sys.stderr))
    page.goto(url + "/signup")
    page.wait_for_selector(".page-signup[data-ready='1']")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_selector(".page-dashboard[data-ready='1']")
    return context, page


def transfer(
    browser: Browser, url: str, cookies: list[dict[str, Any]], project: str
) -> dict[str, int]:
    """Bytes over the network for each page's first load with an empty cache."""
    out: dict[str, int] = {}
    for path in PAGES:
        context = browser.new_context(viewport=DESKTOP)
        if path not in SIGNED_OUT:
            context.add_cookies(cookies)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        total = {"bytes": 0}
        cdp.on(
            "Network.loadingFinished",
            lambda e: total.__setitem__("bytes", total["bytes"] + int(e["encodedDataLength"])),
        )
        target = f"/projects/{project}" if path == "/project" else path
        module = {"/": "landing", "/project": "project"}.get(path, path.strip("/").split("/")[0])
        page.goto(url + target)
        page.wait_for_selector(f".page-{module}[data-ready='1']", timeout=60_000)
        page.wait_for_load_state("networkidle")
        out[path] = total["bytes"]
        context.close()
    return out


def dashboard_ms(
    browser: Browser, url: str, cookies: list[dict[str, Any]], loads: int
) -> dict[str, float]:
    """Median ms from navigation start to a usable dashboard, warm and cold; the reference
    is /healthz in the same browser."""

    def timed(path: str, selector: str | None, cold: bool) -> float:
        context = browser.new_context(viewport=DESKTOP)
        context.add_cookies(cookies)
        page = context.new_page()
        if not cold:
            page.goto(url + path)  # fill the cache
            if selector:
                page.wait_for_selector(selector)
        started = time.perf_counter()
        page.goto(url + path, wait_until="commit")
        if selector:
            page.wait_for_selector(selector, timeout=60_000)
        else:
            page.wait_for_load_state("load")
        took = (time.perf_counter() - started) * 1000
        context.close()
        return took

    ready = ".page-dashboard[data-ready='1']"
    return {
        "dashboard_cold_ms": statistics.median(
            timed("/dashboard", ready, True) for _ in range(loads)
        ),
        "dashboard_warm_ms": statistics.median(
            timed("/dashboard", ready, False) for _ in range(loads)
        ),
        "reference_healthz_ms": statistics.median(
            timed("/healthz", None, True) for _ in range(loads)
        ),
    }


class FakeRender:
    """Plays the render worker: claims the job, moves its progress every 0.5 s."""

    def __init__(self, db_url: str) -> None:
        from aifilm.server.db import make_engine, make_sessionmaker

        self.sessions = make_sessionmaker(make_engine(db_url))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        from aifilm.server import jobs

        with self.sessions() as session, session.begin():
            claim = jobs.claim_next(session, "bench", 3600, 3)
        assert claim is not None
        tick = 0
        stages = ["voice", "plan", "direct", "music", "visuals", "subtitles", "mix", "compose"]
        while not self.stop.wait(0.5):
            tick += 1
            stage = stages[(tick // 20) % len(stages)]
            message = ("info", f"{stage} progress {tick}", None) if tick % 4 == 0 else None
            jobs.heartbeat(
                self.sessions,
                claim,
                3600,
                progress=min(99.0, tick / 10),
                step=stage,
                message=message,
            )


def watch_cost(
    browser: Browser,
    url: str,
    pid: int,
    cookies: list[dict[str, Any]],
    project: str,
    job: str,
    seconds: float,
) -> dict[str, float]:
    """Server CPU seconds per minute above idle: page with the event stream vs. polling."""

    def measure(watch: Any) -> float:
        """CPU seconds a minute while `watch(duration)` runs (set-up not counted)."""
        return watch(seconds)

    def window(duration: float) -> float:
        before, started = cpu_seconds(pid), time.monotonic()
        time.sleep(duration)
        return (cpu_seconds(pid) - before) / (time.monotonic() - started) * 60

    def idle(duration: float) -> float:
        return window(duration)

    def page_open(duration: float) -> float:
        context = browser.new_context(viewport=DESKTOP)
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto(f"{url}/projects/{project}")
        page.wait_for_selector(".page-project[data-ready='1'] #job .stages", timeout=60_000)
        page.wait_for_timeout(2000)  # the page's first requests (plan, jobs) are over
        cost = window(duration)
        assert page.locator("#job .log").inner_text(), "the page saw no log lines"
        context.close()
        return cost

    def polling(duration: float) -> float:
        jar = {c["name"]: c["value"] for c in cookies}
        stop = threading.Event()

        def poll() -> None:
            with httpx.Client(base_url=url, cookies=jar) as client:
                while not stop.is_set():
                    client.get(f"/api/jobs/{job}/status").raise_for_status()
                    stop.wait(1.0)

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(2.0)
        cost = window(duration)
        stop.set()
        poller.join()
        return cost

    base = measure(idle)
    page_cpu = measure(page_open)
    poll_cpu = measure(polling)
    return {
        "idle_cpu_s_per_min": round(base, 3),
        "page_stream_cpu_s_per_min": round(page_cpu - base, 3),
        "polling_1s_cpu_s_per_min": round(poll_cpu - base, 3),
        "ratio_page_to_polling": round((page_cpu - base) / max(1e-6, poll_cpu - base), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--watch-seconds", type=float, default=60.0)
    args = parser.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="aifilm-bench-studio-") as tmp:
        data = Path(tmp)
        server, url = start_server(data)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                context, page = sign_in(browser, url, "bench@example.com")
                cookies = context.cookies()
                jar = {c["name"]: c["value"] for c in cookies}
                csrf = {"X-CSRF-Token": jar["aifilm_csrf"]}
                with httpx.Client(base_url=url, cookies=jar) as client:
                    project = client.post(
                        "/api/projects", json={"spec": SCRIPT}, headers=csrf
                    ).json()["id"]
                    job = client.post(
                        "/api/jobs", json={"project_id": project}, headers=csrf
                    ).json()["id"]
                context.close()
                fake = FakeRender(f"sqlite:///{data / 'aifilm.db'}")
                fake.thread.start()
                sizes = transfer(browser, url, cookies, project)
                timings = dashboard_ms(browser, url, cookies, args.loads)
                watching = watch_cost(
                    browser, url, server.pid, cookies, project, job, args.watch_seconds
                )
                fake.stop.set()
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    result = {
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_average_before": [round(x, 2) for x in load],
        "first_load_bytes": sizes,
        **{k: round(v, 1) for k, v in timings.items()},
        **watching,
    }
    out = ROOT / "benchmarks" / "results" / "studio.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("| page | first load, compressed |\n|---|---|")
    for path, size in sizes.items():
        print(f"| `{path}` | {size / 1024:.1f} KB |")
    print(
        f"\ndashboard usable: cold {result['dashboard_cold_ms']} ms, warm {result['dashboard_warm_ms']} ms "
        f"(reference /healthz {result['reference_healthz_ms']} ms)"
    )
    print(
        f"server CPU per minute watching a render: page {watching['page_stream_cpu_s_per_min']} s, "
        f"polling {watching['polling_1s_cpu_s_per_min']} s (ratio {watching['ratio_page_to_polling']}); "
        f"load average before {result['load_average_before']}"
    )


if __name__ == "__main__":
    main()
