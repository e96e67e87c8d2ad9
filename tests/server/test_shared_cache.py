"""The render cache shared through the server's storage: an entry one worker makes, another
worker (its own local cache) finds, files and all; the film itself stays local; a piece task
rebuilds only the stages its stage needs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.server.test_s3 import BUCKET, s3, s3_endpoint  # noqa: F401 - fixtures

from aifilm.pipeline.cache import Cache
from aifilm.pipeline.render import render_stages
from aifilm.server.pieces import stages_before
from aifilm.server.shared_cache import SharedCache
from aifilm.server.storage import LocalStorage, S3Storage, Storage


def _make(folder: Path) -> dict[str, Any]:
    (folder / "clips").mkdir()
    (folder / "clips" / "a.wav").write_bytes(b"RIFF-one")
    (folder / "still.png").write_bytes(b"PNG-two")
    return {"file": "still.png", "width": 16}


@pytest.fixture(params=["folder", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """The shared folder, or a bucket on moto's S3 server on 127.0.0.1."""
    if request.param == "folder":
        return LocalStorage(tmp_path / "shared")
    return S3Storage(BUCKET, prefix="aifilm", client=request.getfixturevalue("s3"))


def test_an_entry_made_by_one_worker_is_found_by_another(storage: Storage, tmp_path: Path) -> None:
    here = SharedCache(tmp_path / "cache-a", storage)
    there = SharedCache(tmp_path / "cache-b", storage)
    assert there.lookup("visuals", "ab" * 16) is None and not there.shared("visuals", "ab" * 16)

    made = here.fetch("visuals", "ab" * 16, _make)
    assert not made.hit and there.shared("visuals", "ab" * 16)
    found = there.lookup("visuals", "ab" * 16)
    assert found is not None and found.meta["width"] == 16
    assert found.path.is_relative_to(tmp_path / "cache-b")  # now in its own cache too
    assert found.file("still.png").read_bytes() == b"PNG-two"
    assert (found.path / "clips" / "a.wav").read_bytes() == b"RIFF-one"
    # Fetching there makes nothing again.
    assert there.fetch("visuals", "ab" * 16, lambda folder: 1 / 0).hit  # type: ignore[arg-type,return-value]


def test_the_film_is_not_shared(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "shared")
    SharedCache(tmp_path / "cache-a", storage).fetch("film", "cd" * 16, _make)
    assert SharedCache(tmp_path / "cache-b", storage).lookup("film", "cd" * 16) is None
    assert not (tmp_path / "shared" / "render-cache" / "film").exists()


def test_a_piece_rebuilds_only_what_its_stage_needs() -> None:
    stages = render_stages()
    by_name = {s.name: s for s in stages}
    assert [s.name for s in stages_before(stages, by_name["voice"])] == []
    assert [s.name for s in stages_before(stages, by_name["visuals"])] == [
        "voice",
        "plan",
        "direct",
    ]
    assert [s.name for s in stages_before(stages, by_name["lipsync"])] == [
        "voice",
        "plan",
        "direct",
        "visuals",
    ]


def test_the_shared_folder_is_kept_in_bounds(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "shared")
    here = SharedCache(tmp_path / "cache-a", storage)
    for n in range(3):
        here.fetch("visuals", f"{n:02d}" * 16, _make)
    old = tmp_path / "shared" / "render-cache" / "visuals" / "00" / ("00" * 16)
    os.utime(old, (1, 1))  # the least recently used
    shared = Cache(tmp_path / "shared" / "render-cache")
    sizes = {e.path.name: e.size for e in shared.entries()}
    here.prune_shared(sum(sizes.values()) - sizes["00" * 16])
    left = {p.name for p in (tmp_path / "shared" / "render-cache" / "visuals").glob("*/*")}
    assert left == {"01" * 16, "02" * 16}
    # Another worker misses what was pruned (and would make it again).
    assert SharedCache(tmp_path / "cache-b", storage).lookup("visuals", "00" * 16) is None
