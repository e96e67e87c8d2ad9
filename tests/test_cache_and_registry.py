"""The content cache and the backend registry (plug-ins through the same hook as built-ins)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import aifilm
from aifilm import Registry, UnknownBackendError, UserError
from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.cache import Cache, cache_key, in_this_scope
from aifilm.pipeline.music.base import MusicBackend, MusicRequest, MusicTrack


def test_key_follows_file_content_not_name(tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    a.write_bytes(b"same")
    b.write_bytes(b"same")
    assert cache_key("x", a) == cache_key("x", b)
    b.write_bytes(b"changed")
    assert cache_key("x", a) != cache_key("x", b)


def test_fetch_makes_once_then_hits(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    calls = []

    def make(folder: Path) -> dict[str, object]:
        calls.append(folder)
        (folder / "out.txt").write_text("hello")
        return {"file": "out.txt"}

    first = cache.fetch("voice", "k1", make)
    second = cache.fetch("voice", "k1", make)
    assert len(calls) == 1 and not first.hit and second.hit
    assert second.file("out.txt").read_text() == "hello"
    assert (cache.hits, cache.misses) == (1, 1)


def test_each_scope_counts_its_own_fetches_though_they_overlap(tmp_path: Path) -> None:
    """Stages overlap (the mix in a thread while the picture's segments are fetched in a
    pool): each counts what it fetched, and the cache's totals count everything."""
    cache = Cache(tmp_path)
    cache.fetch("voice", "old", lambda folder: {})
    in_thread: dict[str, tuple[int, int]] = {}
    started, go_on = threading.Event(), threading.Event()

    def background() -> None:  # like RenderContext.defer: a thread of its own, its own scope
        with Cache.counting() as tally:
            cache.fetch("mix", "m", lambda folder: {})
            started.set()
            go_on.wait(5)
            cache.fetch("mix", "m", lambda folder: {})
        in_thread["mix"] = (tally.hits, tally.misses)

    thread = threading.Thread(target=background)
    with Cache.counting() as compose:
        thread.start()
        started.wait(5)
        with ThreadPoolExecutor(2) as pool:  # the segments, counted in the caller's scope
            keys = ["a", "b", "a", "old"]
            stages = ["segment"] * 3 + ["voice"]
            list(
                pool.map(
                    in_this_scope(lambda st, k: cache.fetch(st, k, lambda f: {})), stages, keys
                )
            )
        go_on.set()
        thread.join()
    assert (compose.hits, compose.misses) in ((2, 2), (1, 3))  # "a" twice: one may race
    assert in_thread["mix"] == (1, 1)
    assert cache.hits + cache.misses == 1 + 4 + 2
    cache.count(hit=True)  # outside any scope: the totals only
    assert (compose.hits, compose.misses) in ((2, 2), (1, 3))


def test_failed_make_leaves_no_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path)

    def broken(folder: Path) -> dict[str, object]:
        (folder / "half.wav").write_bytes(b"\0" * 10)
        raise RuntimeError("crash mid-write")

    with pytest.raises(RuntimeError):
        cache.fetch("voice", "k2", broken)
    assert cache.lookup("voice", "k2") is None
    assert not list((tmp_path / "voice").rglob("half.wav"))


def test_builtins_are_registered_through_the_entry_point() -> None:
    reg = Registry()
    assert {"voice", "music", "visuals", "compose"} <= set(reg.stages())
    assert "espeak" in reg.backends("voice") and "midi" in reg.backends("music")


class FakeMusic(MusicBackend):
    """A plug-in backend a test registers."""

    name = "fake-music"
    license = "CC0"

    class Options(BackendOptions):
        loudness: float = 0.5

    def compose(self, request: MusicRequest, out: Path) -> MusicTrack:
        raise NotImplementedError

    def genres(self) -> list[str]:
        return ["ambient"]


def test_plugins_register_and_options_are_validated() -> None:
    reg = Registry(load_entry_points=False)
    reg.register(FakeMusic)
    backend = reg.create("music", {"name": "fake-music", "options": {"loudness": 0.9}})
    assert isinstance(backend, FakeMusic) and backend.options.loudness == 0.9  # type: ignore[attr-defined]
    with pytest.raises(UserError, match="bad options for music backend 'fake-music'"):
        reg.create("music", {"name": "fake-music", "options": {"loudnes": 1}})
    with pytest.raises(UnknownBackendError, match="did you mean 'fake-music'"):
        reg.create("music", "fake-musik")


def test_public_api_is_sorted_and_complete() -> None:
    # isort-style, as ruff's RUF022 keeps it: CONSTANTS, then Classes, then functions.
    kind = lambda n: 0 if n.isupper() else 1 if n[0].isupper() else 2  # noqa: E731
    assert aifilm.__all__ == sorted(aifilm.__all__, key=lambda n: (kind(n), n))
    for name in aifilm.__all__:
        assert hasattr(aifilm, name), name


def test_import_is_light() -> None:
    import subprocess
    import sys

    heavy = "('torch', 'av', 'numpy', 'typer')"
    code = f"import sys, aifilm; print(','.join(m for m in {heavy} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "", f"import aifilm pulled in heavy modules: {loaded}"


def test_committed_schema_matches_models() -> None:
    import json

    from aifilm.spec.schema import project_schema

    committed = json.loads((Path(__file__).parents[1] / "docs" / "project.schema.json").read_text())
    assert committed == project_schema(), "run: aifilm schema -o docs/project.schema.json"
