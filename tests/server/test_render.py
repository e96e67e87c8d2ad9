"""Register, render a free one-minute film, pay one credit, download it; progress events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.server.conftest import TINY_SPEC, Api, png_bytes

from aifilm.media.probe import probe

MINUTE_SPEC = TINY_SPEC.replace("duration: 10s", "duration: 60s")


def test_free_one_minute_film(api: Callable[[str], Api], tmp_path: Path) -> None:
    alice = api("alice@example.com")
    spec = MINUTE_SPEC.replace('  - color: "#336699"\n', "  - background: images/sky.png\n")
    project = alice.project(spec)
    assert project["missing_assets"] == ["images/sky.png"]
    r = alice.post("/api/jobs", json={"project_id": project["id"]})
    assert r.status_code == 409 and r.json()["missing_assets"] == ["images/sky.png"]
    r = alice.post(
        f"/api/projects/{project['id']}/assets",
        files={"file": ("sky.png", png_bytes((320, 180)), "application/octet-stream")},
        data={"name": "images/sky.png"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "image/png" and r.json()["kind"] == "image"
    assert alice.balance() == 3
    r = alice.post("/api/jobs", json={"project_id": project["id"]})
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["credits_charged"] == 1 and job["parameters"]["watermark"] is True
    assert alice.balance() == 2  # charged when queued
    done = alice.wait(job["id"])
    assert done["status"] == "completed", done
    assert done["progress"] == 100.0 and done["attempts"] == 1
    names = {f["name"] for f in done["files"]}
    assert {"tiny-film.mp4", "tiny-film.png", "tiny-film.srt", "render-report.json"} <= names
    assert alice.balance() == 2
    r = alice.get(f"/api/jobs/{job['id']}/files/tiny-film.mp4")
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    film = tmp_path / "film.mp4"
    film.write_bytes(r.content)
    info = probe(film)
    assert abs(info.duration - 60.0) < 0.2
    video = next(s for s in info.streams if s.kind == "video")
    assert (video.width, video.height) == (160, 90)
    report = alice.get(f"/api/jobs/{job['id']}/files/render-report.json").json()
    assert report["composer"].get("watermark") is True
    status = alice.get(f"/api/jobs/{job['id']}/status").json()
    assert status["status"] == "completed"
    logs = alice.get(f"/api/jobs/{job['id']}/logs", params={"limit": 100}).json()
    messages = [line["message"] for line in logs["items"]]
    assert messages[0].startswith("queued") and messages[-1] == "completed"
    assert "compose finish" in messages
    ledger = alice.get("/api/credits/transactions").json()["items"]
    assert [(e["type"], e["amount"], e["balance_after"]) for e in ledger] == [
        ("deduction", -1, 2),
        ("grant", 3, 3),
    ]
    # Server-sent events of a finished job: its state, its log, then the end.
    with alice.client.stream(
        "GET", f"/api/jobs/{job['id']}/events", headers=alice.headers
    ) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    events = [block for block in text.split("\n\n") if block.startswith("event:")]
    kinds = [block.splitlines()[0].split(": ", 1)[1] for block in events]
    assert kinds[-2:] == ["progress", "end"] and "log" in kinds
    end = json.loads(events[-1].splitlines()[-1].split(": ", 1)[1])
    assert end["status"] == "completed" and end["progress"] == 100.0
    listed = alice.get("/api/jobs").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == job["id"]
