"""In a notebook, a render result, a timeline and a project show themselves as HTML."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

import aifilm
from aifilm.pipeline.render import Pipeline

SPEC = """\
title: "Tom & <Jerry's> <script>alert(1)</script>"
duration: 10s
characters:
  - name: "Bo <b>"
    image: bo.png
output:
  subtitles:
    languages: [en, hi]
scenes:
  - title: Start
    shots:
      - narration: "It began <i>here</i> & there."
        translations: {hi: "यहाँ से शुरू हुआ।"}
      - dialogue:
          - "Bo <b>": Hello!
            hi: नमस्ते!
"""


class _Tags(HTMLParser):
    """The start tags of a document, with their attributes; text, joined."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def _decode(uri: str) -> bytes:
    assert uri.startswith("data:")
    return base64.b64decode(uri.split(",", 1)[1])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> aifilm.Project:
    monkeypatch.chdir(tmp_path)  # as a notebook beside its project
    Image.new("RGB", (400, 300), (200, 120, 40)).save(tmp_path / "bo.png")
    spec = tmp_path / "project.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return aifilm.Project.load(spec)


def _assert_escaped(html: str, *, titled: bool = True) -> None:
    assert "<script>" not in html and "Bo <b>" not in html and "<i>here" not in html
    assert "Bo &lt;b&gt;" in html and ("&lt;script&gt;" in html or not titled)


def test_a_render_result_plays_with_its_subtitle_tracks(project: aifilm.Project) -> None:
    result = aifilm.render(project, preview=True, progress=False)
    html = result._repr_html_()
    _assert_escaped(html)
    page = _parse(html)
    video = [attrs for tag, attrs in page.tags if tag == "video"]
    assert len(video) == 1 and "controls" in video[0]
    assert video[0]["src"] == "renders/" + result.video.name  # relative: the notebook serves it
    assert Image.open(io.BytesIO(_decode(video[0]["poster"] or ""))).size[0] <= 640
    tracks = [attrs for tag, attrs in page.tags if tag == "track"]
    assert sorted(t["srclang"] or "" for t in tracks) == ["en", "hi"]
    for track in tracks:
        assert track["kind"] == "subtitles"
        vtt = _decode(track["src"] or "").decode()
        assert vtt.startswith("WEBVTT")
        assert ("नमस्ते" in vtt) == (track["srclang"] == "hi")
    rows = [tag for tag, _ in page.tags if tag == "tr"]
    assert len(rows) == 1 + len(result.report["timeline"]["shots"])  # header + a row per shot
    assert "Tom & <Jerry's> <script>alert(1)</script>" in "".join(page.text)


def test_a_film_outside_the_notebook_folder_is_embedded_when_small(
    project: aifilm.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = aifilm.render(project, preview=True, progress=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    video = next(a for t, a in _parse(result._repr_html_()).tags if t == "video")
    assert _decode(video["src"] or "") == result.video.read_bytes()


def test_a_timeline_is_a_table_of_shots_with_times_and_pictures(project: aifilm.Project) -> None:
    pipe = Pipeline(project, cache=False)
    try:
        timeline = pipe.run(until="plan").timeline
    finally:
        pipe.close()
    assert timeline is not None
    html = timeline._repr_html_()
    _assert_escaped(html, titled=False)  # a timeline has no title
    page = _parse(html)
    cells = [m for m in re.findall(r"<td[^>]*>(.*?)</td>", html)]
    starts = [float(c[:-2]) for c in cells if re.fullmatch(r"\d+\.\d\d s", c)]
    assert starts[::2] == [round(s.start, 2) for s in timeline.shots]
    pictures = [a for t, a in page.tags if t == "img"]
    assert pictures, html  # Bo's shot shows Bo's picture
    assert Image.open(io.BytesIO(_decode(pictures[0]["src"] or ""))).size[0] <= 160


def test_a_project_shows_its_cast_and_planned_shots(project: aifilm.Project) -> None:
    html = project._repr_html_()
    _assert_escaped(html)
    page = _parse(html)
    text = "".join(page.text)
    assert "Bo <b>" in text and "It began <i>here</i> & there." in text
    assert "shots as planned" in text
    assert len([t for t, _ in page.tags if t == "img"]) >= 2  # in the cast, and in its shot
