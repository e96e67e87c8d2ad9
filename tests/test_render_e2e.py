"""End to end: render short low-resolution films and check what a viewer would get."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageColor

import aifilm
from aifilm import AssetError, Cache, Project, render
from aifilm.media.probe import probe
from aifilm.pipeline.subtitles.srt import parse_srt
from aifilm.pipeline.subtitles.vtt import parse_vtt

EXAMPLES = Path(__file__).parents[1] / "examples"
COLORS = ["#c0392b", "#27ae60", "#2c3e50"]


def _story(
    tmp_path: Path, *, music: bool = True, extra_line: str = "Then they walked home together."
) -> Path:
    music_block = "music: {genre: ambient, volume: 0.3}\n" if music else ""
    text = f"""\
title: Test Story
duration: 20s
output: {{resolution: 320x180, fps: 15, quality: draft}}
characters:
  - {{name: Ann, voice: child}}
  - {{name: Bob, voice: mature}}
{music_block}scenes:
  - color: "{COLORS[0]}"
    shots:
      - narration: Once there were two friends in a red valley.
        camera: static
  - color: "{COLORS[1]}"
    shots:
      - dialogue:
          - Ann: "Do you see the green hills?"
          - Bob: "Yes, they are lovely."
        color: "{COLORS[1]}"
        camera: static
  - color: "{COLORS[2]}"
    shots:
      - narration: {extra_line}
        camera: static
"""
    path = tmp_path / "project.yaml"
    path.write_text(text)
    return path


def _frame_at(video: Path, seconds: float) -> np.ndarray:
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        container.seek(int(seconds / stream.time_base), stream=stream, backward=True)
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= seconds - 1 / 30:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError(f"no frame at {seconds}s")


def _audio_rms(video: Path, windows: list[tuple[float, float]]) -> list[float]:
    with av.open(str(video)) as container:
        stream = container.streams.audio[0]
        chunks = [f.to_ndarray() for f in container.decode(stream)]
        rate = stream.rate
    samples = np.concatenate(chunks, axis=1).mean(axis=0)
    return [
        float(np.sqrt(np.mean(samples[int(a * rate) : int(b * rate)] ** 2) + 1e-12))
        for a, b in windows
    ]


@pytest.fixture(scope="module")
def story_render(tmp_path_factory: pytest.TempPathFactory) -> aifilm.RenderResult:
    tmp = tmp_path_factory.mktemp("story")
    return render(_story(tmp), tmp / "out", cache=Cache(tmp / "cache"))


def test_film_has_youtube_ready_streams_and_length(story_render: aifilm.RenderResult) -> None:
    info = probe(story_render.video)
    video, audio = info.first("video"), info.first("audio")
    assert video is not None and audio is not None
    assert (video.codec, video.profile, video.pix_fmt) == ("h264", "High", "yuv420p")
    assert (video.width, video.height) == (320, 180) and video.fps == pytest.approx(15)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, 2)
    assert abs(info.duration - 20) <= 0.05 * 20
    assert info.faststart is True
    assert story_render.thumbnail.exists() and Image.open(story_render.thumbnail).size == (
        1280,
        720,
    )
    report = json.loads(story_render.report_path.read_text())
    assert [s["name"] for s in report["stages"]] == [s.name for s in aifilm.STAGES]
    assert abs(report["audio"]["output_lufs"] - (-14)) <= 1.0


def test_report_shows_each_backends_licences(story_render: aifilm.RenderResult) -> None:
    notices = Path(story_render.report["third_party_notices"])
    assert notices.name == "THIRD_PARTY_NOTICES.md" and "SadTalker" in notices.read_text()
    backends = story_render.report["backends"]
    assert {"voice", "music", "visuals", "compose"} <= set(backends)
    for row in backends.values():
        assert row["license"] and row["weights_license"]
        assert isinstance(row["commercial_use"], bool)
    voice = backends["voice"]
    assert "GPL" in voice["license"] and "espeak" in voice["weights_license"]


def test_report_records_the_cast(story_render: aifilm.RenderResult) -> None:
    cast = {row["name"]: row for row in story_render.report["cast"]}
    assert set(cast) == {"Ann", "Bob"}
    assert (cast["Ann"]["voice"], cast["Ann"]["voice_set"]) == ("child", True)
    assert cast["Bob"]["voice"] == "mature" and cast["Bob"]["lines"] > 0


def test_each_shot_shows_its_picture(story_render: aifilm.RenderResult) -> None:
    shots = story_render.report["timeline"]["shots"]
    frames = [_frame_at(story_render.video, s["start"] + s["duration"] / 2) for s in shots]
    # A shot's own `color:` is a plain colour, as asked.
    centre = frames[1][40:100, 120:200].reshape(-1, 3).mean(axis=0)
    assert np.abs(centre - np.array(ImageColor.getrgb(COLORS[1]))).max() < 40, centre
    # Other shots are illustrated scenes (the scene's colour tints their sky), not flat.
    for n in (0, 2):
        assert shots[n]["pictures"], shots[n]
        assert frames[n][:140].reshape(-1, 3).std(axis=0).max() > 20, shots[n]["id"]


def test_subtitles_parse_and_sit_on_speech(tmp_path: Path) -> None:
    result = render(
        _story(tmp_path, music=False), tmp_path / "out", cache=Cache(tmp_path / "cache")
    )
    cues = parse_srt(result.subtitles["srt"].read_text(encoding="utf-8"))
    assert cues == parse_vtt(result.subtitles["vtt"].read_text(encoding="utf-8"))
    spoken = " ".join(c.text.replace("\n", " ") for c in cues)
    assert "Do you see the green hills?" in spoken and "Yes, they are lovely." in spoken
    for cue in cues:
        assert all(len(line) <= 42 for line in cue.text.split("\n")) and cue.text.count("\n") <= 1
    # With no music, the sound during each cue is speech, and between cues it is quiet.
    during = _audio_rms(result.video, [(c.start + 0.1, c.end - 0.1) for c in cues])
    pairs = itertools.pairwise(cues)
    gaps = [(a.end + 0.05, b.start - 0.05) for a, b in pairs if b.start - a.end > 0.6]
    assert min(during) > 0.02
    if gaps:
        assert max(_audio_rms(result.video, gaps)) < min(during) / 4


def test_rerender_hits_cache_and_edit_redoes_only_that_line(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache")
    first = render(_story(tmp_path), tmp_path / "out", cache=cache)
    again = render(_story(tmp_path), tmp_path / "out", cache=Cache(tmp_path / "cache"))
    assert again.report["cache"]["misses"] == 0
    assert again.video.read_bytes() == first.video.read_bytes()
    edited = render(
        _story(tmp_path, extra_line="Then they ran home, laughing."),
        tmp_path / "out",
        cache=Cache(tmp_path / "cache"),
    )
    misses = {s["name"]: s["cache_misses"] for s in edited.report["stages"]}
    # The edited line's shot is redrawn (its words pick its picture); no other shot is.
    assert misses["voice"] == 1 and misses["visuals"] == 1 and misses["music"] == 0
    assert misses["compose"] >= 1


def test_failed_render_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"this is not a png")
    (tmp_path / "project.yaml").write_text(
        "title: Broken\noutput: {resolution: 320x180, fps: 15}\n"
        "scenes: [{shots: [{narration: Hello there., image: broken.png}]}]\n"
    )
    with pytest.raises(AssetError, match=r"broken\.png"):
        render(tmp_path / "project.yaml", tmp_path / "out", cache=Cache(tmp_path / "cache"))
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_bare_fountain_script_renders_with_generated_cast(tmp_path: Path) -> None:
    script = tmp_path / "two-friends.fountain"
    script.write_text(
        "Title: Two Friends\n\nEXT. PARK - DAY\n\nTwo friends meet.\n\n"
        "MAYA\nHello!\n\nRAVI\nHi, Maya.\n"
    )
    project = Project.load(script)
    assert [c.name for c in project.characters] == ["Maya", "Ravi"]
    result = render(project, tmp_path / "out", preview=True, cache=Cache(tmp_path / "cache"))
    assert result.video.name == "two-friends-preview.mp4"
    assert probe(result.video).first("video").width == 640  # type: ignore[union-attr]


def test_cli_json_and_exit_codes(tmp_path: Path) -> None:
    spec = _story(tmp_path)
    cmd = [
        sys.executable,
        "-m",
        "aifilm.cli",
        "render",
        str(spec),
        "--out",
        str(tmp_path / "o"),
        "--preview",
        "--json",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1]["event"] == "result" and Path(events[-1]["video"]).exists()
    assert {"start", "finish"} <= {e["event"] for e in events}
    spec.write_text(spec.read_text().replace("voice: child", "voice: chlid"))
    bad = subprocess.run(cmd, capture_output=True, text=True)
    assert bad.returncode == 3
    error = json.loads(bad.stdout.splitlines()[-1])
    assert (
        error["issues"][0]["line"] == 5 and "did you mean 'child'" in error["issues"][0]["message"]
    )


@pytest.mark.parametrize(
    "example", sorted(p.name for p in EXAMPLES.iterdir() if (p / "project.yaml").exists())
)
def test_examples_render(example: str, tmp_path: Path) -> None:
    project = Project.load(EXAMPLES / example / "project.yaml")
    result = render(project, tmp_path, preview=True, cache=Cache(tmp_path / "cache"))
    target = project.duration
    assert target is not None and abs(result.duration - target) <= 0.05 * target
    assert result.subtitles["srt"].read_text(encoding="utf-8").strip()
    lipsync = next(s for s in result.report["stages"] if s["name"] == "lipsync")
    if any(c.image for c in project.characters):
        # the characters' own pictures talk: none fell back to a still
        assert lipsync["items"] > 0 and not lipsync["notes"], lipsync
