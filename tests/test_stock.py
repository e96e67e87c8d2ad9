"""Pexels and Pixabay photos, searched by the director's terms, against a fake server:
shots without a picture of their own get a library photo at the shot's size, never the
same one twice; the credits reach the render report; a refused key, an exhausted quota
or no results leave the offline picture with a note, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from tests.fakes.stock_server import FakeStockServer

from aifilm.pipeline.render import Pipeline
from aifilm.settings import Settings
from aifilm.spec.loader import load_project_yaml

SPEC = """
title: Rain
output: {resolution: 720x1280}
scenes:
  - title: Monsoon clouds
    shots:
      - narration: Dark monsoon clouds gather over the green valley.
      - narration: Heavy raindrops drum on the tin roofs of the village.
      - title: The Rain
      - narration: Children splash through puddles on the muddy road.
"""


def visuals(tmp_path: Path, backend: str) -> Pipeline:
    project = load_project_yaml(SPEC, base_dir=tmp_path)
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "cache"), visuals=backend)
    pipe.run(until="visuals")
    pipe.close()
    return pipe


@pytest.mark.parametrize("backend", ["pexels", "pixabay"])
def test_shots_get_unrepeated_library_photos_with_credits(
    backend: str, stock_api: FakeStockServer, tmp_path: Path
) -> None:
    pipe = visuals(tmp_path, backend)
    state = pipe.state
    stock = [c["shot"] for c in state.credits]
    assert stock == ["1.1", "1.2", "1.4"]  # the title card stays a title card
    assert len({c["id"] for c in state.credits}) == 3
    for credit in state.credits:
        assert credit["provider"] == backend.capitalize() and credit["author"]
        assert credit["page_url"].startswith("https://") and "License" in credit["license"]
    first = stock_api.searches()[0]  # shots are fetched in parallel: any order
    if backend == "pexels":
        assert first.query["orientation"] == "portrait" and first.headers["authorization"]
    else:
        assert first.query["orientation"] == "vertical" and first.query["safesearch"] == "true"
    asked = [set((r.query.get("query") or r.query["q"]).split()) for r in stock_api.searches()]
    shot_one = {"dark", "monsoon", "clouds", "gather", "green", "valley"}
    assert any(terms and terms <= shot_one for terms in asked)
    assert len(asked) == 3  # one search per shot: the first two terms found unused photos
    shot = state.visuals[0]
    with Image.open(shot.path) as picture:
        assert picture.size == (shot.width, shot.height)
        assert picture.getpixel((5, 5)) != (0, 0, 0)
    assert state.visuals[2].note is None and "stock" not in state.visuals[2].path.name


def test_429_waits_as_retry_after_says(stock_api: FakeStockServer, tmp_path: Path) -> None:
    stock_api.push(429, {"error": "Rate limit"}, retry_after="1")
    state = visuals(tmp_path, "pexels").state
    assert len(state.credits) == 3
    searches = stock_api.searches()
    assert len(searches) == 4  # the refused one asked again
    again = [b.at - a.at for a in searches for b in searches if b.at > a.at and a.query == b.query]
    assert len(again) == 1 and again[0] >= 0.95


def test_a_refused_key_leaves_offline_pictures_with_a_note(
    stock_api: FakeStockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIXABAY_API_KEY", "wrong")
    state = visuals(tmp_path, "pixabay").state
    assert state.credits == []
    notes = [v.note for v in state.visuals if v.note]
    assert notes and all("Pixabay:" in n and "offline picture" in n for n in notes)
    assert all("wrong" not in n for n in notes)


def test_an_exhausted_quota_leaves_offline_pictures(
    stock_api: FakeStockServer, tmp_path: Path
) -> None:
    for _ in range(12):
        stock_api.push(429, {"error": "quota"}, retry_after="0")
    project = load_project_yaml(SPEC, base_dir=tmp_path)
    backend = {"name": "pexels", "options": {"retries": 1}}
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "c"), visuals=backend)
    pipe.run(until="visuals")
    pipe.close()
    notes = [v.note for v in pipe.state.visuals if v.note]
    assert any("quota exhausted (HTTP 429) after 2 tries" in n for n in notes)


def test_a_re_render_after_an_edit_shows_no_photo_twice(
    stock_api: FakeStockServer, tmp_path: Path
) -> None:
    first = visuals(tmp_path, "pexels").state.credits
    # The third spoken shot now says what the first said: the same search terms.
    edited = SPEC.replace("Children splash through puddles on the muddy road.",
                          "Dark monsoon clouds gather over the green valley!")  # fmt: skip
    project = load_project_yaml(edited, base_dir=tmp_path)
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "cache"), visuals="pexels")
    pipe.run(until="visuals")
    pipe.close()
    again = pipe.state.credits
    assert [c["id"] for c in again[:2]] == [c["id"] for c in first[:2]]  # from the cache
    assert len({c["id"] for c in again}) == 3
