"""A render folder as `aifilm render` leaves it, with random bytes for the film."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PIL import Image

CHUNK = 256 * 1024  # the chunk size the tests upload with (AIFILM_YOUTUBE_CHUNK_SIZE)


def render_folder(folder: Path, *, size: int = 3 * CHUNK + 12_345) -> Path:
    """What `aifilm render` leaves: film, thumbnail, subtitles in two languages, report."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "the-crow.mp4").write_bytes(os.urandom(size))
    Image.new("RGB", (1280, 720), (40, 90, 160)).save(folder / "the-crow.png")
    english = "1\n00:00:00,000 --> 00:00:02,000\nIt was the hottest day.\n"
    hindi = "1\n00:00:00,000 --> 00:00:02,000\nवह सबसे गर्म दिन था।\n"
    (folder / "the-crow.srt").write_text(english, encoding="utf-8")
    (folder / "the-crow.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (folder / "the-crow.en.srt").write_text(english, encoding="utf-8")
    (folder / "the-crow.hi.srt").write_text(hindi, encoding="utf-8")
    report = {
        "project": {"title": "The Thirsty Crow", "language": "en"},
        "output": {"path": str(folder / ".staging" / "the-crow.mp4"), "duration": 60.0},
    }
    (folder / "render-report.json").write_text(json.dumps(report), encoding="utf-8")
    return folder
