"""Smart re-render: an edited line re-encodes only its shot's segments, and the film is the
same as a cold render of the edited project, joins invisible; `--watch` renders on save."""

from __future__ import annotations

import itertools
import os
import pickle
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from aifilm import Cache, render
from aifilm.errors import AifilmError
from aifilm.media.probe import probe
from aifilm.pipeline import stages
from aifilm.pipeline.compose.ass_cut import cut_ass
from aifilm.pipeline.compose.job import SegmentJob
from aifilm.pipeline.plan.timing import plan_timeline
from aifilm.pipeline.voice.base import VoiceBackend, models_kept_warm
from aifilm.pipeline.watch import redone_summary, watch_renders
from aifilm.spec.loader import load_project

CAMERAS = ["zoom-in", "pan-right", "zoom-out", "pan-left"]
LINES = [
    "A red morning over the quiet harbour.",
    "The boats leave one by one.",
    "Gulls follow them out past the lighthouse.",
    "By night the harbour is still again.",
]
FPS = 15


def _project(folder: Path, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shots = []
    for i, (camera, line) in enumerate(zip(CAMERAS, lines, strict=True)):
        image = folder / f"shot{i}.png"
        if not image.exists():
            picture = Image.new("RGB", (480, 270), (60 * i + 40, 200 - 40 * i, 90 + 30 * i))
            draw = ImageDraw.Draw(picture)
            for k in range(12):  # edges, so motion shows in every frame
                draw.rectangle([k * 40, 20 + k * 15, k * 40 + 25, 60 + k * 15], (250, 250, 250))
            picture.save(image)
        shots.append(
            f'      - narration: "{line}"\n        image: {image.name}\n'
            f"        camera: {camera}\n        transition: crossfade\n"
        )
    text = (
        "title: Harbour\nduration: auto\n"
        f"output: {{resolution: 320x180, fps: {FPS}, quality: draft}}\n"
        "scenes:\n  - shots:\n" + "".join(shots)
    )
    path = folder / "project.yaml"
    path.write_text(text)
    return path


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]


def _pts_steps(path: Path) -> set[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None)
    return {round(float((q - p) * stream.time_base) * FPS, 3) for p, q in itertools.pairwise(pts)}


def _stage(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in report["stages"] if s["name"] == name)


def test_an_edited_line_re_encodes_only_its_shot_and_matches_a_cold_render(
    tmp_path: Path,
) -> None:
    cache = Cache(tmp_path / "cache")
    first = render(_project(tmp_path / "a", LINES), tmp_path / "out-a", cache=cache)
    assert first.report["composer"]["segments"] == 7  # 4 bodies, 3 crossfades
    edited_lines = [*LINES]
    edited_lines[1] = "The little boats leave the harbour one by one, slowly."  # longer
    edited = _project(tmp_path / "b", edited_lines)
    smart = render(edited, tmp_path / "out-smart", cache=cache)
    # cold: nothing from the first render but the voices (espeak's timings vary by a few ms
    # from one synthesis to the next, which could move a subtitle's edge by a frame)
    shutil.copytree(cache.root / "voice", tmp_path / "cold-cache" / "voice")
    cold = render(edited, tmp_path / "out-cold", cache=Cache(tmp_path / "cold-cache"))

    # the line's shot got longer and the later shots moved, keeping their lengths
    before = [(s["start"], s["duration"]) for s in first.report["timeline"]["shots"]]
    after = [(s["start"], s["duration"]) for s in smart.report["timeline"]["shots"]]
    assert after[1][1] > before[1][1] and after[3][0] > before[3][0]
    assert [d for _, d in after[2:]] == [d for _, d in before[2:]]
    # only the edited shot's body and the two crossfades touching it were encoded: the
    # neighbours' bodies came from the cache (shot 1's crossfade read its kept tail)
    composer = smart.report["composer"]
    assert (composer["segments_encoded"], composer["segments_reused"]) == (3, 4)
    assert composer["frames_encoded"] < first.report["composer"]["frames_encoded"] / 2
    assert cold.report["composer"]["segments_encoded"] == 7
    assert _stage(smart.report, "voice")["cache_misses"] == 1
    assert _stage(smart.report, "visuals")["cache_misses"] == 0
    summary = redone_summary(smart.report)
    assert "film segments 3/7" in summary and "voice 1/4" in summary

    # the same film, frame by frame
    a, b = _frames(smart.video), _frames(cold.video)
    assert len(a) == len(b) == round(smart.duration * FPS)
    worst = max(float(np.abs(x - y).mean()) for x, y in zip(a, b, strict=True))
    assert worst < 0.5, worst
    # invisible joins: CFR across them, upload settings, sound the whole way
    assert _pts_steps(smart.video) == {1.0}
    info = probe(smart.video)
    video, audio = info.first("video"), info.first("audio")
    assert video and audio
    assert (video.codec, video.profile, video.pix_fmt, video.fps) == ("h264", "High", "yuv420p", 15)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, 2)
    assert info.faststart is True
    with av.open(str(smart.video)) as container:
        samples = sum(f.samples for f in container.decode(audio=0))
    assert abs(samples / 48000 - len(a) / FPS) < 0.05  # no gap, no missing tail


def test_the_voice_backend_hears_how_many_lines_are_left_to_speak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So a backend on the CPU can give an edit's one line the cores a full render shares."""
    told: list[tuple[int, int]] = []
    monkeypatch.setattr(
        VoiceBackend, "expect_lines", lambda self, lines, at_once: told.append((lines, at_once))
    )
    cache = Cache(tmp_path / "cache")
    render(_project(tmp_path / "a", LINES), tmp_path / "out", cache=cache, preview=True)
    edited = [*LINES]
    edited[2] = "Gulls follow them out past the old lighthouse."
    render(_project(tmp_path / "b", edited), tmp_path / "out", cache=cache, preview=True)
    render(_project(tmp_path / "b", edited), tmp_path / "out", cache=cache, preview=True)
    assert [lines for lines, _ in told] == [4, 1, 0]  # cold, an edit, nothing changed
    assert {at_once for _, at_once in told} == {1}  # espeak speaks one line at a time


def test_a_line_a_little_longer_re_times_only_its_shot(tmp_path: Path) -> None:
    shots = "".join(f"      - narration: Line {i}.\n" for i in range(6))
    path = tmp_path / "project.yaml"
    path.write_text(f"title: T\nduration: 60s\noutput: {{fps: 30}}\nscenes:\n  - shots:\n{shots}")
    project = load_project(path)

    def frames(longer: float) -> list[int]:
        timeline = plan_timeline(project, lambda key: 4.0 + (longer if key[1] == 2 else 0.0))
        assert 59.4 <= timeline.duration <= 60.05  # within the 1 % grid under the target
        return [round(s.duration * 30) for s in timeline.shots]

    base = frames(0.0)
    edited = frames(0.2)
    assert [i for i, (a, b) in enumerate(zip(base, edited, strict=True)) if a != b] == [2]
    # a change big enough to move the stretch to another step of the grid re-fits the film
    assert sum(a != b for a, b in zip(base, frames(3.0), strict=True)) > 1


def test_segment_key_follows_the_picture_not_the_place(tmp_path: Path) -> None:
    still = tmp_path / "a.png"
    Image.new("RGB", (64, 36), (10, 20, 30)).save(still)
    moved = tmp_path / "elsewhere" / "b.png"
    moved.parent.mkdir()
    moved.write_bytes(still.read_bytes())

    def job(path: Path, graph: str = "[0:v]scale=64:36,loop=loop=9:size=1[vout]") -> SegmentJob:
        return SegmentJob(("-i", str(path)), graph, "vout", ("-c:v", "libx264"), 10, 10)

    base = job(still)
    key = base.key()
    assert pickle.loads(pickle.dumps(base)) == base  # can travel to another process
    assert job(moved).key() == key  # same content, another file name
    # any filter added to the chain (a parallax layer, a new motion) changes the key
    assert job(still, "[0:v]scale=64:36,hflip,loop=loop=9:size=1[vout]").key() != key
    Image.new("RGB", (64, 36), (10, 20, 31)).save(still)
    os.utime(still, ns=(still.stat().st_atime_ns, still.stat().st_mtime_ns + 10**9))  # a save
    assert job(still).key() != key  # one pixel value changed


def test_cut_subtitles_show_on_exactly_the_same_frames() -> None:
    script = (
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\n"
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        "Dialogue: 0,0:00:01.23,0:00:02.51,Default,,0,0,0,,one, two\n"
        "Dialogue: 0,0:00:02.00,0:00:04.00,Default,,0,0,0,,three\n"
    )

    def shown(text: str, frames: int, fps: int, rule: str) -> list[set[str]]:
        cues = []
        for line in text.splitlines():
            if line.startswith("Dialogue:"):
                parts = line.split(",", 9)
                h, m, s = parts[1].split(":")
                start = round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)
                h, m, s = parts[2].split(":")
                end = round((int(h) * 3600 + int(m) * 60 + float(s)) * 1000)
                cues.append((start, end, parts[9]))
        if rule == "nearest":  # the frames nearest the cue's start and end
            return [
                {c for a, b, c in cues if round(a * fps / 1000) <= n < round(b * fps / 1000)}
                for n in range(frames)
            ]
        # libass: a cue shows while start <= t < end, t in whole (truncated) milliseconds
        return [{c for a, b, c in cues if a <= n * 1000 // fps < b} for n in range(frames)]

    for fps in (24, 25, 30, 60):
        film = shown(script, 5 * fps, fps, "nearest")
        for first in (0, 7, fps, 2 * fps + 1, 3 * fps):
            frames = 40
            cut = cut_ass(script, first, frames, fps)
            assert shown(cut, frames, fps, "libass") == film[first : first + frames], (fps, first)
    assert "three" not in cut_ass(script, 0, 25, 25)  # a cue that starts later is left out


def test_watch_renders_again_after_a_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warmed: list[str] = []
    monkeypatch.setattr(stages, "_warm", lambda backend: warmed.append(backend.name))
    render(_project(tmp_path / "single", LINES), tmp_path / "single-out", progress=False)
    assert warmed == []  # a single render loads a voice model only for a line it speaks
    path = _project(tmp_path / "w", LINES)
    cache = Cache(tmp_path / "cache")
    results: list[Any] = []
    errors: list[AifilmError] = []
    waiting = threading.Event()

    def once() -> Any:
        return render(path, tmp_path / "out", cache=cache, preview=True, progress=False)

    def on_wait(files: list[Path]) -> None:
        assert path in files
        waiting.set()

    stop = threading.Event()
    worker = threading.Thread(
        target=watch_renders,
        args=(once, lambda: [path]),
        kwargs={
            "on_result": results.append,
            "on_error": errors.append,
            "on_wait": on_wait,
            "interval": 0.1,
            "stop": stop,
            "max_renders": 2,
        },
    )
    worker.start()
    try:
        assert waiting.wait(120), "the first render did not finish"
        assert len(results) == 1 and results[0].video.name == "harbour-preview.mp4"
        path.write_text(path.read_text().replace("one by one", "two by two"))
        worker.join(120)
        assert not worker.is_alive(), "no second render after the save"
    finally:
        stop.set()
        worker.join(5)
    assert not errors and len(results) == 2
    assert len(warmed) == 2  # --watch: the voice model loaded after each render
    assert not models_kept_warm()  # and no longer once the watch is over
    second = results[1].report
    assert _stage(second, "voice")["cache_misses"] == 1  # only the edited line spoken again
    assert 0 < second["composer"]["segments_encoded"] < second["composer"]["segments"]
    assert "reused:" in redone_summary(second)


@pytest.mark.parametrize("broken", ["title: [unclosed\n"])
def test_watch_reports_a_broken_save_and_keeps_going(tmp_path: Path, broken: str) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(broken)
    errors: list[AifilmError] = []
    renders = watch_renders(
        lambda: render(path, tmp_path / "out", progress=False),
        lambda: [path],
        on_result=lambda r: None,
        on_error=errors.append,
        max_renders=1,
    )
    assert renders == 1 and len(errors) == 1 and "project.yaml" in str(errors[0])


def test_cli_watch_renders_on_save_and_says_what_was_redone(tmp_path: Path) -> None:
    path = _project(tmp_path / "c", LINES)
    env = {**os.environ, "AIFILM_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "300"}
    command = [sys.executable, "-m", "aifilm", "render", str(path), "--watch", "--preview"]
    command += ["--voice", "espeak", "-o", str(tmp_path / "out")]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()

    def next_render() -> str:
        while True:
            line = lines.get(timeout=120)
            if "redone:" in line:
                return line

    try:
        first = next_render()
        assert "harbour-preview.mp4" in first and "film segments 7/7" in first
        time.sleep(0.2)
        path.write_text(path.read_text().replace("one by one", "two by two"))
        second = next_render()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(20)
    assert "voice 1/4" in second and "reused:" in second, second
