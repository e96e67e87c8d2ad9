"""Shared fixtures: an isolated cache and config per test, tiny media made on the spot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the user's cache or config from a test."""
    base = tmp_path_factory.mktemp("aifilm-home")
    monkeypatch.setenv("AIFILM_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("AIFILM_CONFIG", str(base / "config.toml"))


@pytest.fixture(autouse=True, scope="session")
def _espeak_films() -> Iterator[None]:
    """Films rendered in this process speak with espeak (milliseconds a line): the default
    Kokoro voice has its own tests (marked `kokoro`), and CI stays short. Session-wide, so
    module-scoped renders get it too."""
    from aifilm.pipeline.registry import DEFAULT_BACKENDS

    saved = DEFAULT_BACKENDS["voice"]
    DEFAULT_BACKENDS["voice"] = "espeak"
    yield
    DEFAULT_BACKENDS["voice"] = saved


@pytest.fixture(autouse=True)
def _kokoro_when_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests marked `kokoro` see the real default voice."""
    if request.node.get_closest_marker("kokoro") is not None:
        from aifilm.pipeline.registry import DEFAULT_BACKENDS

        monkeypatch.setitem(DEFAULT_BACKENDS, "voice", "kokoro")


@pytest.fixture(scope="module")
def llm_server() -> Iterator[Any]:
    """A fake OpenAI, Anthropic and Gemini server on 127.0.0.1 (tests/fakes/llm_server.py)."""
    from tests.fakes.llm_server import FakeLLMServer

    fake = FakeLLMServer()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def stock_server() -> Iterator[Any]:
    """A fake Pexels and Pixabay API on 127.0.0.1 (tests/fakes/stock_server.py)."""
    from tests.fakes.stock_server import FakeStockServer

    fake = FakeStockServer()
    yield fake
    fake.close()


@pytest.fixture
def stock_api(stock_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The fake stock server, emptied, with the keys and addresses that send requests to it."""
    from tests.fakes.stock_server import PEXELS_KEY, PIXABAY_KEY

    stock_server.requests.clear()
    stock_server.queue.clear()
    for provider, key in (("PEXELS", PEXELS_KEY), ("PIXABAY", PIXABAY_KEY)):
        monkeypatch.setenv(f"{provider}_API_KEY", key)
        monkeypatch.setenv(f"{provider}_API_URL", stock_server.url)
    return stock_server


@pytest.fixture
def write(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
