"""A segment task's inputs on another machine: the job's paths rewritten to the worker's
copies (as the filter graph escapes them), its key unchanged; and where the coordinator says
each file is (an entry it already is, or a `segment-input` entry keyed by content)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from aifilm.pipeline.cache import Cache
from aifilm.pipeline.compose.graph import escape_value
from aifilm.pipeline.compose.job import SegmentJob
from aifilm.server.segments import INPUT_STAGE, localise, share_inputs
from aifilm.server.shared_cache import SharedCache
from aifilm.server.storage import LocalStorage


def _job(picture: Path, subtitles: Path, fonts: Path) -> SegmentJob:
    graph = (
        f"[0:v]scale=160:90,ass=filename={escape_value(str(subtitles))}"
        f":fontsdir={escape_value(str(fonts))},"
        f"drawtext=fontfile={escape_value(str(fonts / 'Face.ttf'))}:text=x[v]"
    )
    return SegmentJob(
        inputs=("-loop", "1", "-i", str(picture)),
        graph=graph,
        output="v",
        encoder=("-c:v", "libx264", "-threads", "1"),
        frames=12,
        fps=12,
        reads=(str(subtitles), str(fonts), str(fonts / "Face.ttf")),
    )


@pytest.mark.parametrize(
    ("here_name", "there_name"),
    [("it's: here", "there"), ("here", "there, [1]")],  # characters the graph escapes
)
def test_a_job_moved_to_other_paths_keeps_its_key(
    tmp_path: Path, here_name: str, there_name: str
) -> None:
    here = tmp_path / here_name
    fonts = here / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "Face.ttf").write_bytes(b"font")
    (here / "pic.png").write_bytes(b"picture")
    (here / "cut.ass").write_text("[Script Info]\n", encoding="utf-8")
    job = _job(here / "pic.png", here / "cut.ass", fonts)

    there = tmp_path / there_name
    shutil.copytree(here, there)
    places = {
        str(here / "pic.png"): there / "pic.png",
        str(here / "cut.ass"): there / "cut.ass",
        str(fonts): there / "fonts",
        str(fonts / "Face.ttf"): there / "fonts" / "Face.ttf",
    }
    moved = localise(job, places)
    assert str(here) not in moved.graph and escape_value(str(here)) not in moved.graph
    assert moved.inputs[-1] == str(there / "pic.png")
    assert moved.files() == [str(p) for p in places.values()]
    assert moved.key() == job.key()

    (there / "cut.ass").write_text("[Script Info]\nchanged\n", encoding="utf-8")
    assert localise(job, places).key() != job.key()  # what arrived is checked, not trusted


def test_inputs_are_named_by_their_entry_or_put_by_content(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "storage")
    cache = SharedCache(tmp_path / "cache", storage)

    # a picture made before this cache shared anything: put in the storage as it is
    def draw(folder: Path) -> dict[str, Any]:
        (folder / "still.png").write_bytes(b"p")
        return {"file": "still.png"}

    Cache(tmp_path / "cache").fetch("visuals", "ab" * 16, draw)
    picture = tmp_path / "cache" / "visuals" / "ab" / ("ab" * 16) / "still.png"
    work = tmp_path / "work"
    fonts = work / "fonts"
    fonts.mkdir(parents=True)
    (fonts / "Face.ttf").write_bytes(b"font")
    (work / "cut.ass").write_text("[Script Info]\n", encoding="utf-8")
    job = _job(picture, work / "cut.ass", fonts)

    places = share_inputs(cache, job)
    assert places[str(picture)] == {
        "stage": "visuals",
        "key": "ab" * 16,
        "name": "still.png",
        "digest": places[str(picture)]["digest"],
        "kind": "file",
    }
    assert cache.shared("visuals", "ab" * 16)
    subtitles = places[str(work / "cut.ass")]
    assert subtitles["stage"] == INPUT_STAGE and cache.shared(INPUT_STAGE, subtitles["key"])
    assert places[str(fonts)]["kind"] == "folder"

    # on another machine: every file from the storage, the job's key unchanged
    elsewhere = SharedCache(tmp_path / "elsewhere", storage)
    fetched = {}
    for path, ref in places.items():
        entry = elsewhere.lookup(ref["stage"], ref["key"])
        assert entry is not None
        fetched[path] = entry.path / ref["name"]
    assert localise(job, fetched).key() == job.key()
    assert share_inputs(cache, job) == places  # put once
