"""The render cache stays under its cap: least recently used entries go first."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

import aifilm
from aifilm.cli.app import run
from aifilm.pipeline.cache import Cache, cache_key


def _entry(cache: Cache, stage: str, name: str, size: int, used: float) -> Path:
    def make(folder: Path) -> dict[str, Any]:
        (folder / "data.bin").write_bytes(b"x" * size)
        return {}

    made = cache.fetch(stage, cache_key(name), make)
    os.utime(made.path, (used, used))
    return made.path


def test_prune_removes_least_recently_used_until_under_the_cap(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    now = time.time()
    old = _entry(cache, "voice", "old", 40_000, now - 300)
    middle = _entry(cache, "visuals", "middle", 40_000, now - 200)
    recent = _entry(cache, "film", "recent", 40_000, now - 100)
    assert cache.lookup("voice", cache_key("old")) is not None  # a hit marks "old" used now
    assert [e.path for e in cache.entries()] == [middle, recent, old]

    done = cache.prune(90_000)  # room for two entries and their meta.json files

    assert done.removed == 1 and not middle.exists() and old.exists() and recent.exists()
    assert done.kept == 2 and done.kept_bytes == sum(e.size for e in cache.entries())
    assert cache.size_bytes() <= 90_000 and done.freed_bytes >= 40_000
    assert cache.prune(0).kept == 0 and cache.entries() == []


def test_prune_removes_unfinished_entries_of_crashed_renders(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    stale = tmp_path / "cache" / "voice" / "ab" / ".abcdef12-xyz"
    stale.mkdir(parents=True)
    (stale / "part.wav").write_bytes(b"y" * 1000)
    fresh = stale.with_name(".12345678-new")
    fresh.mkdir()
    an_hour_ago = time.time() - 3700
    os.utime(stale, (an_hour_ago, an_hour_ago))
    cache.prune(10**9)
    assert not stale.exists() and fresh.exists()  # another process may be writing that one


def test_a_render_keeps_the_cache_under_a_small_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "project.yaml"
    spec.write_text("title: Capped\nduration: 10s\nscript: Hello there.\n", encoding="utf-8")
    settings = aifilm.Settings(cache_dir=tmp_path / "cache", cache_max_size=300_000)
    result = aifilm.render(spec, tmp_path / "out", preview=True, settings=settings, progress=False)
    cache = Cache(tmp_path / "cache")
    stored = sum(e.size for e in cache.entries())
    assert 0 < stored <= 300_000, stored
    assert result.report["cache"]["misses"] > len(cache.entries())  # some entries were pruned
    assert result.video.exists() and result.duration == pytest.approx(10.0, abs=0.1)


def test_cache_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = Cache(Path(os.environ["AIFILM_CACHE_DIR"]))
    now = time.time()
    for n in range(3):
        _entry(cache, "voice", f"line {n}", 100_000, now - 100 + n)
    _entry(cache, "film", "film", 200_000, now)

    assert run(["cache", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["entries"] == 4 and info["stages"]["voice"]["entries"] == 3
    assert info["max_bytes"] == 5 * 1000**3 and info["bytes"] >= 500_000

    assert run(["cache", "prune", "--max-size", "350kB", "--json"]) == 0
    pruned = json.loads(capsys.readouterr().out)
    assert pruned["removed"] == 2 and pruned["kept_bytes"] <= 350_000
    assert [e.stage for e in cache.entries()] == ["voice", "film"]  # the newest two

    assert run(["cache", "prune", "--max-size", "lots"]) == 3
    assert "'lots' is not a size" in capsys.readouterr().err

    assert run(["cache", "clear"]) == 0
    assert "removed" in capsys.readouterr().out and cache.entries() == []


def test_doctor_shows_the_cache_against_its_cap(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = Cache(Path(os.environ["AIFILM_CACHE_DIR"]))
    _entry(cache, "voice", "line", 2_000_000, time.time())
    monkeypatch.setenv("AIFILM_CACHE_MAX_SIZE", "1MB")
    run(["doctor", "--json"])
    checks = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    size = next(c for c in checks if c["name"] == "cache size")
    assert not size["ok"] and "of 1.0MB" in size["detail"] and size["fix"] == "aifilm cache prune"
