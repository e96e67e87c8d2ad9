"""Shared fixtures: an isolated cache and config per test, tiny media made on the spot."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's cache or config from a test."""
    base = tmp_path_factory.mktemp("aifilm-home")
    monkeypatch.setenv("AIFILM_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("AIFILM_CONFIG", str(base / "config.toml"))


@pytest.fixture(autouse=True)
def _espeak_films(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Films rendered in this process speak with espeak (milliseconds a line) unless the test
    is marked `kokoro`: the default Kokoro voice has its own tests, and CI stays short."""
    if request.node.get_closest_marker("kokoro") is None:
        from aifilm.pipeline.registry import DEFAULT_BACKENDS

        monkeypatch.setitem(DEFAULT_BACKENDS, "voice", "espeak")


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
