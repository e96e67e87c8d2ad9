"""Fan-out's moving parts in one process, with the broker replaced by a queue that a thread
works through: the coordinator (`run_claimed` with `fan_out`) sends a task per voice line,
picture and lip-synced face, on the queue of its kind; each task (`make_piece`) rebuilds the
job's render up to its stage from the shared cache and makes its piece; the film is the same
as one rendered without fan-out. (Real worker processes: test_fanout_workers.py.)"""

from __future__ import annotations

import queue
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.server.conftest import Api, framemd5

from aifilm.server import jobs
from aifilm.server.app import create_app
from aifilm.server.config import ServerSettings
from aifilm.server.models import User
from aifilm.server.pieces import make_piece
from aifilm.server.segments import SEGMENT_TASK, encode_segment_task
from aifilm.server.state import ServerState
from aifilm.server.worker import run_claimed

SPEC = """\
title: Talkers
duration: 10s
output: {resolution: 320x180, fps: 12, quality: draft}
backends: {voice: espeak}
characters:
  - {name: Kaka, voice: child}
scenes:
  - shots:
      - {narration: "Once upon a time.", color: "#224466"}
      - dialogue:
          - Kaka: Water, is there any water?
"""


class InlineBroker:
    """Stands in for Celery: `send_task` queues the task; one thread runs them in order.

    Segment encodes run as on another machine: with a render cache of their own, so their
    inputs come through the shared storage.
    """

    def __init__(self, settings: ServerSettings, state: ServerState, elsewhere: Path) -> None:
        self.settings = settings
        self.elsewhere = settings.model_copy(update={"render_cache_dir": elsewhere})
        self.state = state
        self.sent: list[tuple[str, str]] = []  # (queue, stage)
        self.worker_ffmpeg: str | None = None  # another FFmpeg version on the segment worker
        self.done: list[str] = []
        self._tasks: queue.Queue[tuple[str, list[Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, daemon=True)
        self._thread.start()

    def send_task(self, name: str, args: list[Any], queue: str) -> None:
        assert name in ("aifilm.server.make_piece", SEGMENT_TASK)
        self.sent.append((queue, args[2] if name != SEGMENT_TASK else "segment"))
        self._tasks.put((name, args))

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            name, args = task
            if name == SEGMENT_TASK:
                if self.worker_ffmpeg is not None:  # as if the coordinator's were this one
                    args = [*args[:2], {**args[2], "ffmpeg": self.worker_ffmpeg}]
                self.done.append(encode_segment_task(self.elsewhere, self.state, *args))
            else:
                self.done.append(make_piece(self.settings, self.state, *args))

    def close(self) -> None:
        self._tasks.put(None)
        self._thread.join(30)


@pytest.fixture
def setup(
    settings_for: Callable[..., ServerSettings], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[ServerSettings, ServerState, InlineBroker]]:
    settings = settings_for(worker="none", celery_broker_url="redis://127.0.0.1:1/0")
    state = ServerState.build(settings)
    broker = InlineBroker(settings, state, tmp_path / "segment-worker-cache")
    monkeypatch.setattr("aifilm.server.celery_app.celery_app", lambda *a, **k: broker)
    yield settings, state, broker
    broker.close()
    state.close()


def test_pieces_go_out_by_kind_and_make_the_same_film(
    setup: tuple[ServerSettings, ServerState, InlineBroker], tmp_path: Path
) -> None:
    settings, state, broker = setup
    with TestClient(create_app(settings)) as client:
        kim = Api(client, "kim@example.com")
        with state.sessions() as session, session.begin():  # no watermark: compared below
            session.get(User, uuid.UUID(kim.user["id"])).plan = "standard"  # type: ignore[union-attr]
        job = kim.post("/api/jobs", json={"project_id": kim.project(SPEC)["id"]}).json()
        with state.sessions() as session, session.begin():
            claim = jobs.claim_next(session, "coordinator", 60, 3)
        assert claim is not None
        assert run_claimed(state.sessions, state.storage, settings, claim, fan_out=True) == (
            "completed"
        )
        report = kim.get(f"/api/jobs/{job['id']}/files/render-report.json").json()
        segments = report["composer"]["segments"]
        # each shot's body and the crossfade between them, encoded elsewhere (the
        # crossfade once the first body, whose kept tail it reads, has landed)
        assert segments == 3 and report["composer"]["segments_encoded"] == 3
        assert sorted(broker.sent) == [
            ("aifilm.compose", "segment"),
            ("aifilm.compose", "segment"),
            ("aifilm.compose", "segment"),
            ("aifilm.lipsync", "lipsync"),  # Kaka's face
            ("aifilm.visuals", "visuals"),
            ("aifilm.visuals", "visuals"),
            ("aifilm.voice", "voice"),
            ("aifilm.voice", "voice"),
        ]
        assert broker.done == ["made"] * 8
        tasks = report["composer"]["segment_tasks"]
        assert tasks["sent"] == 3 and sum(tasks["by"].values()) == 3
        assert tasks["queue"] == "aifilm.compose"
        # the inputs only the coordinator had (its cut of the subtitles, the fonts) went
        # through the storage; the pictures and the lip-sync list as the entries they are
        assert (settings.files_dir / "render-cache" / "segment-input").is_dir()
        assert (settings.files_dir / "render-cache" / "segment").is_dir()
        stored = settings.files_dir / "render-cache"
        assert {p.name for p in stored.iterdir()} >= {"voice", "visuals", "lipsync", "faces"}
        assert not (stored / "film").exists()
        film = kim.get(f"/api/jobs/{job['id']}/files/talkers.mp4").content
        logs = kim.get(f"/api/jobs/{job['id']}/logs", params={"limit": 100}).json()["items"]
        messages = [line["message"] for line in logs]
        assert "lipsync finish" in messages
        assert sum("compose: segment" in m and "encoded by" in m for m in messages) == 3

        # The same project rendered by one worker without fan-out, with a cache of its own:
        # the same pieces under the same keys, the pictures and faces byte for byte (espeak's
        # audio differs by a few samples from one run to the next, with or without fan-out).
        again = kim.post("/api/jobs", json={"project_id": job["project_id"]}).json()
        with state.sessions() as session, session.begin():
            claim = jobs.claim_next(session, "alone", 60, 3)
        assert claim is not None and str(claim.job_id) == again["id"]
        alone = settings.model_copy(update={"render_cache_dir": tmp_path / "alone-cache"})
        # Its voices are the fanned-out ones (keyed by their text, so the same keys): espeak's
        # lengths differ by a few samples between syntheses, which can move a frame boundary
        # of the plan and so the lip-sync keys, with or without fan-out.
        shutil.copytree(settings.cache_dir / "voice", alone.cache_dir / "voice")
        assert run_claimed(state.sessions, state.storage, alone, claim) == "completed"
        assert len(broker.sent) == 8  # nothing more sent
        # its segments encoded in its own process: the same frames
        alone_film = kim.get(f"/api/jobs/{again['id']}/files/talkers.mp4").content
        (tmp_path / "alone.mp4").write_bytes(alone_film)
        (tmp_path / "fanned.mp4").write_bytes(film)
        assert framemd5(tmp_path / "alone.mp4") == framemd5(tmp_path / "fanned.mp4")
        for stage in ("visuals", "faces", "lipsync"):
            fanned = _entries(settings.cache_dir / stage)
            assert fanned.keys() == _entries(alone.cache_dir / stage).keys()
            if stage in ("visuals", "lipsync"):
                assert fanned == _entries(alone.cache_dir / stage)

        # A re-render on the fanned-out cache, without fan-out: nothing made, the same film.
        third = kim.post("/api/jobs", json={"project_id": job["project_id"]}).json()
        with state.sessions() as session, session.begin():
            claim = jobs.claim_next(session, "again", 60, 3)
        assert claim is not None and str(claim.job_id) == third["id"]
        assert run_claimed(state.sessions, state.storage, settings, claim) == "completed"
        assert kim.get(f"/api/jobs/{third['id']}/files/talkers.mp4").content == film
        report = kim.get(f"/api/jobs/{third['id']}/files/render-report.json").json()
        assert report["cache"]["misses"] == 0


def test_a_segment_that_fails_fails_the_job_naming_it(
    setup: tuple[ServerSettings, ServerState, InlineBroker],
) -> None:
    settings, state, broker = setup
    broker.worker_ffmpeg = "0.1-elsewhere"
    with TestClient(create_app(settings)) as client:
        kim = Api(client, "kim@example.com")
        before = kim.balance()
        job = kim.post("/api/jobs", json={"project_id": kim.project(SPEC)["id"]}).json()
        with state.sessions() as session, session.begin():
            claim = jobs.claim_next(session, "coordinator", 60, 3)
        assert claim is not None
        assert run_claimed(state.sessions, state.storage, settings, claim, fan_out=True) == (
            "failed"
        )
        done = kim.get(f"/api/jobs/{job['id']}").json()
        assert done["error_message"].startswith("[compose] segment "), done
        assert "is not the coordinator's 0.1-elsewhere" in done["error_message"], done
        assert "failed" in broker.done and kim.balance() == before  # refunded
        assert not (settings.files_dir / "render-errors" / job["id"]).exists()  # tidied


def _entries(stage: Path) -> dict[str, dict[str, bytes]]:
    """Cache key -> the entry's files (but its meta.json, which has a time) and contents."""
    return {
        entry.name: {
            f.relative_to(entry).as_posix(): f.read_bytes()
            for f in entry.rglob("*")
            if f.is_file() and f.name != "meta.json"
        }
        for entry in stage.glob("*/*")
    }


def test_a_queue_per_backend(settings_for: Callable[..., ServerSettings]) -> None:
    from aifilm.server.pieces import all_queues, queue_for

    settings = settings_for(piece_queues={"visuals": "gpu", "wav2lip": "gpu"})
    assert queue_for(settings, "visuals", "diffusion-video") == "gpu"
    assert queue_for(settings, "lipsync", "wav2lip") == "gpu"
    assert queue_for(settings, "lipsync", "visemes") == "aifilm.lipsync"
    assert queue_for(settings, "voice", "kokoro") == "aifilm.voice"
    assert all_queues(settings) == [
        "celery",
        "aifilm.voice",
        "aifilm.visuals",
        "aifilm.lipsync",
        "aifilm.compose",
        "gpu",
    ]
