"""Pexels and Pixabay video clips, searched by the director's terms, against a fake server:
each shot without a picture of its own plays a library clip of its shape, long enough to
fill it, never the same clip twice; the film's frames move during those shots; the
credits reach the report and the YouTube description; failures leave the offline still."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from tests.fakes.stock_server import FakeStockServer

from aifilm.media.probe import probe
from aifilm.pipeline.cache import Cache
from aifilm.pipeline.render import Pipeline, render
from aifilm.pipeline.visuals.directed import credit_lines
from aifilm.settings import Settings
from aifilm.spec.loader import load_project_yaml

SPEC = """
title: Rain
output: {resolution: 720x1280}
scenes:
  - title: Monsoon clouds
    shots:
      - narration: Dark monsoon clouds gather over the green valley, and the wind rises.
      - narration: Heavy raindrops drum on the tin roofs of the village.
      - title: The Rain
      - narration: Children splash through puddles on the muddy road.
"""


def visuals(tmp_path: Path, backend: object, spec: str = SPEC) -> Pipeline:
    project = load_project_yaml(spec, base_dir=tmp_path)
    pipe = Pipeline(project, settings=Settings(cache_dir=tmp_path / "cache"), visuals=backend)
    pipe.run(until="visuals")
    pipe.close()
    return pipe


@pytest.mark.parametrize("backend", ["pexels-video", "pixabay-video"])
def test_shots_play_unrepeated_clips_of_their_shape_and_length(
    backend: str, stock_api: FakeStockServer, tmp_path: Path
) -> None:
    pipe = visuals(tmp_path, backend)
    state = pipe.state
    assert [c["shot"] for c in state.credits] == ["1.1", "1.2", "1.4"]
    assert len({c["id"] for c in state.credits}) == 3
    shots = pipe.state.timeline.shots  # type: ignore[union-attr]
    for n, credit in zip((0, 1, 3), state.credits, strict=True):
        visual = state.visuals[n]
        assert visual.kind == "video" and visual.path.suffix == ".mp4"
        info = probe(visual.path).first("video")
        assert info is not None and (info.width, info.height) == (visual.width, visual.height)
        # exactly the shot's frames at the film's rate (looped from a 2 s file)
        with av.open(str(visual.path)) as clip:
            frames = sum(1 for _ in clip.decode(video=0))
        assert frames == round(shots[n].duration * 30)
        # a clip long enough to fill the shot was preferred over the first (3 s) result
        assert credit["duration"] >= shots[n].duration and credit["looped"] is False
        assert credit["width"] < credit["height"]  # portrait film, portrait clip
        assert credit["media"] == "video" and "License" in credit["license"]
        assert credit["author"] and credit["page_url"].startswith("https://")
        # the smallest rendition covering the frame: never the 4K file
        assert "2160" not in credit["file_url"]
    assert state.visuals[2].kind == "still"  # the title card stays a title card
    provider = "Pexels" if backend == "pexels-video" else "Pixabay"
    assert credit_lines(state.credits).startswith(f"Videos from {provider}: ")
    if backend == "pexels-video":
        assert stock_api.searches()[0].query["orientation"] == "portrait"
    else:
        assert stock_api.searches()[0].query["video_type"] == "film"


def test_a_film_plays_the_clip_during_its_shot(stock_api: FakeStockServer, tmp_path: Path) -> None:
    spec = SPEC.replace("720x1280", "320x568").split("      - title")[0]
    project = load_project_yaml(spec, base_dir=tmp_path)
    result = render(
        project, tmp_path / "out", visuals="pexels-video", cache=Cache(tmp_path / "cache")
    )
    shot = result.report["timeline"]["shots"][0]
    assert shot["visual"] == "generated"
    with av.open(str(result.video)) as container:
        frames = [
            f.to_ndarray(format="rgb24").astype(np.int16)
            for f in container.decode(video=0)
            if f.time is not None and 0.2 <= f.time <= min(1.5, shot["duration"] - 0.3)
        ]
    # the test pattern moves: a still (even with a camera move) would differ far less
    assert np.abs(frames[0] - frames[-1]).mean() > 8
    stock = result.report["stock"]
    assert [c["shot"] for c in stock] == ["1.1", "1.2"] and all(
        c["media"] == "video" for c in stock
    )


def test_429_is_retried_and_a_refused_key_leaves_the_offline_still(
    stock_api: FakeStockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stock_api.push(429, {"error": "Rate limit"}, retry_after="1")
    stock_api.push(503, {"error": "down"})
    state = visuals(tmp_path / "a", "pexels-video").state
    assert len(state.credits) == 3 and len(stock_api.searches()) == 5
    monkeypatch.setenv("PIXABAY_API_KEY", "wrong")
    state = visuals(tmp_path / "b", "pixabay-video").state
    assert state.credits == []
    notes = [v.note for v in state.visuals if v.note]
    assert len(notes) == 3 and all("Pixabay:" in n and "offline picture" in n for n in notes)
    assert all(v.kind == "still" for v in state.visuals)


def test_a_malformed_answer_is_a_note_not_a_crash(
    stock_api: FakeStockServer, tmp_path: Path
) -> None:
    for _ in range(9):
        stock_api.push(200, {"videos": [{"id": 1, "oops": True}]})
    state = visuals(tmp_path, "pexels-video").state
    notes = [v.note for v in state.visuals if v.note]
    assert notes and all("not Pexels' format" in n for n in notes)
