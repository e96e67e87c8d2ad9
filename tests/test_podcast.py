"""Podcast mode: spec and CLI, layout stills, timing with interruptions, the rendered
film's moving highlight, overlapping speech, and the audio-only episode with chapters."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from aifilm import Project, SpecError, render
from aifilm.pipeline.compose.audio import assemble_speech
from aifilm.pipeline.episode import Chapter, export_episode
from aifilm.pipeline.plan.podcast import SWITCH_LEAD_S, TURN_TRANSITION_S
from aifilm.pipeline.plan.timing import plan_timeline
from aifilm.pipeline.timeline import Panel, SpeechClip, TimedLine, TimedShot, Timeline, VisualSpec
from aifilm.pipeline.visuals.podcast import active_box, panel_boxes, podcast_layout
from aifilm.pipeline.visuals.stills import parse_color
from aifilm.script import parse_script

SIZE = (320, 180)
ACCENTS = ("#ffb703", "#2ec4b6")

SCRIPT = """\
Title: Tiny Talk
[Scene: Opening]
Ann: Welcome to the show, friends.
Bob: Thanks for having me here today.
[Scene: Rainbows]
Ann: So what is a rainbow made of, exactly?
-- Bob: Sunlight and tiny drops of water!
"""


def _yaml(tmp_path: Path, speakers: int, extra: str = "") -> Path:
    names = ["Ann", "Bob", "Cy", "Dee", "Eve"][:speakers]
    lines = "".join(f"  {n}: Hello, I am {n}.\n" for n in names)
    path = tmp_path / "project.yaml"
    path.write_text(f"title: Talk\nmode: podcast\n{extra}script: |\n{lines}")
    return path


# --- spec, script and CLI ------------------------------------------------------------


def test_yaml_accepts_podcast_mode_and_options(tmp_path: Path) -> None:
    path = _yaml(tmp_path, 3, "podcast: {format: debate, intro: false, gap: 0.4}\n")
    project = Project.load(path)
    assert project.mode == "podcast"
    assert project.podcast.format == "debate" and project.podcast.gap == 0.4
    assert not project.podcast.intro


@pytest.mark.parametrize("speakers", [1, 5])
def test_podcast_rejects_one_or_five_speakers_with_a_position(
    tmp_path: Path, speakers: int
) -> None:
    with pytest.raises(SpecError) as info:
        Project.load(_yaml(tmp_path, speakers))
    text = str(info.value)
    assert "podcast mode" in text and f"has {speakers}" in text
    # one speaker: at `mode:` (line 2); five: at the fifth speaker's first line (line 8)
    assert f"project.yaml:{2 if speakers == 1 else 8}:" in text


def test_script_mode_override_and_interruptions(write) -> None:  # type: ignore[no-untyped-def]
    path = write("talk.txt", SCRIPT + "Ann (interrupting): Wait!\nNarrator: The end.\n")
    film = Project.load(path)
    assert film.mode == "film"
    project = Project.load(path, mode="podcast")
    assert project.mode == "podcast"
    interrupts = [shot.interrupt for scene in project.scenes for shot in scene.shots]
    assert interrupts == [False, False, False, True, True, False]
    fountain = parse_script(
        "INT. STUDIO - DAY\n\nANN\nHello there.\n\nBOB\n(interrupting)\nNo way!\n", "fountain"
    )
    assert [line.interrupt for line in fountain.scenes[0].lines] == [False, True]


def test_narrator_character_format_counts_the_narrator(write) -> None:  # type: ignore[no-untyped-def]
    path = write("solo.txt", "Narrator: Once upon a time.\nAnn: Hello!\n")
    with pytest.raises(SpecError, match="narrator-character"):
        Project.load(path, mode="podcast")
    project = Project.load(path)
    project.mode = "podcast"
    project.podcast.format = "narrator-character"
    timeline = plan_timeline(project, lambda key: 1.0, size=SIZE, fps=12)
    turns = [shot for shot in timeline.shots if shot.visual.kind == "podcast"]
    assert [p.name for p in turns[0].visual.panels] == ["Narrator", "Ann"]
    assert [shot.visual.active for shot in turns] == [0, 1]


def test_cli_render_rejects_a_one_speaker_podcast(
    write, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    from aifilm.cli.app import main

    path = write("solo.txt", "Ann: Hello there.\n")
    monkeypatch.setattr(sys, "argv", ["aifilm", "render", str(path), "--mode", "podcast"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code != 0
    out = capsys.readouterr()
    assert "podcast mode needs 2 to 4 speakers" in " ".join((out.out + out.err).split())


# --- timing ----------------------------------------------------------------------------


def test_turns_follow_with_gaps_and_interruptions_overlap(write) -> None:  # type: ignore[no-untyped-def]
    project = Project.load(write("talk.txt", SCRIPT), mode="podcast")
    timeline = plan_timeline(project, lambda key: 2.0, size=SIZE, fps=12)
    kinds = [shot.visual.kind for shot in timeline.shots]
    assert kinds == ["title", "podcast", "podcast", "podcast", "podcast", "title"]
    lines = timeline.lines
    gap = project.podcast.gap
    assert lines[1].start == pytest.approx(lines[0].end + gap)
    assert lines[3].start == pytest.approx(lines[2].end - project.podcast.overlap)
    turns = timeline.shots[1:-1]
    assert [s.visual.active for s in turns] == [0, 1, 0, 1]
    assert all(s.camera == "static" for s in timeline.shots)
    for shot in turns[:-1]:
        assert shot.transition == "crossfade" and shot.transition_s == TURN_TRANSITION_S
    for shot, line in zip(turns[1:], lines[1:], strict=True):  # the first starts at the intro
        assert shot.start == pytest.approx(line.start - SWITCH_LEAD_S, abs=1 / 12)
    # contiguous, whole frames
    for a, b in zip(timeline.shots, timeline.shots[1:], strict=False):
        assert a.end == pytest.approx(b.start)


def test_target_duration_widens_the_gaps(write) -> None:  # type: ignore[no-untyped-def]
    project = Project.load(write("talk.txt", SCRIPT), mode="podcast")
    project.duration = 30
    timeline = plan_timeline(project, lambda key: 2.0, size=SIZE, fps=12)
    assert timeline.duration == pytest.approx(30, abs=0.1)
    assert timeline.lines[1].start - timeline.lines[0].end > project.podcast.gap


# --- layout stills ---------------------------------------------------------------------


def _ring(picture: np.ndarray, box: tuple[int, int, int, int], width: int = 3) -> np.ndarray:
    """Pixels in a band just around the edge of a panel box."""
    left, top, right, bottom = box
    h, w = picture.shape[:2]
    outer = picture[
        max(0, top - width) : min(h, bottom + width), max(0, left - width) : min(w, right + width)
    ]
    mask = np.ones(outer.shape[:2], bool)
    mask[2 * width : -2 * width, 2 * width : -2 * width] = False
    return outer[mask].astype(np.float32)


def _accent_share(picture: np.ndarray, box: tuple[int, int, int, int], accent: str) -> float:
    ring = _ring(picture, box)
    distance = np.linalg.norm(ring - np.array(parse_color(accent), np.float32), axis=1)
    return float((distance < 60).mean())


def _inner_brightness(picture: np.ndarray, box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    dx, dy = (right - left) // 5, (bottom - top) // 5
    return float(picture[top + dy : bottom - dy, left + dx : right - dx].mean())


def _panels(n: int) -> tuple[Panel, ...]:
    names = ("Ann", "Bob", "Cy", "Dee")
    return tuple(Panel(names[i], accent=ACCENTS[i % 2], seed=i + 1) for i in range(n))


@pytest.mark.parametrize(("count", "size"), [(2, (320, 180)), (2, (180, 320)), (4, (320, 180))])
def test_layout_still_highlights_the_active_panel(count: int, size: tuple[int, int]) -> None:
    panels = _panels(count)
    boxes = panel_boxes(count, *size)
    if count == 2:  # side by side in landscape, stacked in portrait
        assert (boxes[1][0] > boxes[0][2]) == (size[0] > size[1])
    for active in range(count):
        spec = VisualSpec("podcast", panels=panels, active=active, seed=3)
        picture = np.asarray(podcast_layout(spec, size))
        assert picture.shape == (size[1], size[0], 3)
        lit = _accent_share(picture, active_box(boxes[active], *size), panels[active].accent)
        assert lit > 0.5, f"panel {active} not highlighted ({lit:.2f})"
        for other in set(range(count)) - {active}:
            assert _accent_share(picture, boxes[other], panels[active].accent) < 0.2
            assert _inner_brightness(picture, boxes[active]) > 1.4 * _inner_brightness(
                picture, boxes[other]
            )


def test_narration_lights_no_panel() -> None:
    panels = _panels(2)
    picture = np.asarray(podcast_layout(VisualSpec("podcast", panels=panels, seed=3), SIZE))
    boxes = panel_boxes(2, *SIZE)
    assert all(_accent_share(picture, box, ACCENTS[0]) < 0.1 for box in boxes)


# --- speech assembly -------------------------------------------------------------------


def _sine(path: Path, freq: float, seconds: float, rate: int = 24000) -> SpeechClip:
    t = np.arange(round(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return SpeechClip(path, seconds, rate)


def test_overlapping_clips_are_mixed_not_overwritten(tmp_path: Path) -> None:
    a = _sine(tmp_path / "a.wav", 300, 2.0)
    b = _sine(tmp_path / "b.wav", 1100, 2.0)
    lines = [TimedLine("Ann", "a", 0.5, a), TimedLine("Bob", "b", 1.8, b)]
    shot = TimedShot("1.1", 0, 0, 0.0, 4.5, VisualSpec("color", color="black"), "static", "cut", 0)
    shot.lines = lines
    out = assemble_speech(Timeline(64, 64, 12, 4.5, [shot]), tmp_path / "speech.wav")
    with wave.open(str(out)) as wf:
        rate = wf.getframerate()
        samples = np.frombuffer(wf.readframes(wf.getnframes()), "<i2").astype(np.float32)

    def level(at: float, freq: float) -> float:
        chunk = samples[round(at * rate) : round((at + 0.2) * rate)]
        spectrum = np.abs(np.fft.rfft(chunk * np.hanning(chunk.size)))
        freqs = np.fft.rfftfreq(chunk.size, 1 / rate)
        return float(spectrum[np.abs(freqs - freq) < 20].max())

    assert level(2.0, 300) > 100 * level(1.0, 1100)  # before the overlap: Ann only
    overlap = level(2.1, 300), level(2.1, 1100)  # 1.8-2.5 s: both at full strength
    assert overlap[0] == pytest.approx(level(1.0, 300), rel=0.1)
    assert overlap[1] == pytest.approx(level(3.0, 1100), rel=0.1)


# --- rendering -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def podcast_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("podcast")
    (folder / "project.yaml").write_text(
        f"""\
title: Tiny Talk
mode: podcast
output: {{resolution: {SIZE[0]}x{SIZE[1]}, fps: 12, quality: draft, thumbnail: false}}
podcast: {{intro: false, outro: false}}
characters:
  - {{name: Ann, voice: adult-female, color: "{ACCENTS[0]}"}}
  - {{name: Bob, voice: adult-male, color: "{ACCENTS[1]}"}}
script: |
{"".join("  " + line + chr(10) for line in SCRIPT.splitlines()[1:])}"""
    )
    return Project.load(folder / "project.yaml")


@pytest.fixture(scope="module")
def podcast_render(podcast_project: Project, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return render(podcast_project, tmp_path_factory.mktemp("out"))


def test_highlight_moves_with_the_speaker(podcast_render) -> None:  # type: ignore[no-untyped-def]
    shots = podcast_render.report["timeline"]["shots"]
    assert [s["visual"] for s in shots] == ["podcast"] * 4
    boxes = panel_boxes(2, *SIZE)
    speakers = [0, 1, 0, 1]
    with av.open(str(podcast_render.video)) as container:
        frames = {
            round(f.time * 12): f.to_ndarray(format="rgb24") for f in container.decode(video=0)
        }
    for shot, speaker in zip(shots, speakers, strict=True):
        middle = frames[round((shot["start"] + shot["duration"] / 2) * 12)]
        lit = [
            _accent_share(middle, active_box(box, *SIZE) if i == speaker else box, ACCENTS[speaker])
            for i, box in enumerate(boxes)
        ]
        assert lit[speaker] > 0.4 and lit[1 - speaker] < 0.2, (shot["id"], lit)
        bright = [_inner_brightness(middle, box) for box in boxes]
        assert bright[speaker] > 1.3 * bright[1 - speaker]


def test_interruption_overlaps_in_the_film(podcast_project: Project, podcast_render) -> None:  # type: ignore[no-untyped-def]
    from aifilm.media.wav import read_wav
    from aifilm.pipeline.render import Pipeline

    pipe = Pipeline(podcast_project)
    try:
        timeline = pipe.run(until="plan").timeline
    finally:
        pipe.close()
    assert timeline is not None
    asked, cut_in = timeline.lines[2], timeline.lines[3]  # "-- Bob:" cuts into Ann's question
    assert cut_in.start < asked.end
    a, b = cut_in.start, asked.end

    def rms(samples: np.ndarray) -> float:
        return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))

    # Both voices sound in the overlap: each clip has energy there, and so does the film.
    for line in (asked, cut_in):
        samples, rate = read_wav(line.clip.path)
        part = samples[round((a - line.start) * rate) : round((b - line.start) * rate)]
        assert rms(part) > 0.01, line.speaker
    with av.open(str(podcast_render.video)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        mix = np.concatenate([f.to_ndarray() for f in container.decode(stream)], axis=1)
    assert rms(mix.mean(axis=0)[round(a * rate) : round(b * rate)]) > 0.02
    assert podcast_render.report["project"]["mode"] == "podcast"


def test_audio_only_episode_with_chapters(
    podcast_project: Project, podcast_render, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    result = render(podcast_project, tmp_path, audio_only=True)
    assert result.audio_only and result.thumbnail is None
    assert result.video.name == "tiny-talk.m4a" and result.video.exists()
    assert not list(tmp_path.glob("*.mp4"))
    assert {p.suffix for p in result.subtitles.values()} == {".srt", ".vtt"}
    with av.open(str(result.video)) as container:
        (stream,) = container.streams.audio  # (chapters may add a text track)
        assert stream.codec_context.name == "aac" and stream.rate == 48000
        assert stream.codec_context.layout.name == "stereo"
        assert container.duration / 1e6 == pytest.approx(podcast_render.duration, abs=0.1)
        chapters = container.chapters()
    assert [c["metadata"]["title"] for c in chapters] == ["Opening", "Rainbows"]
    assert result.report["audio_only"] and len(result.report["chapters"]) == 2
    # the visuals and compose stages did not run
    assert [s["name"] for s in result.report["stages"]].count("compose") == 0


def test_mp3_episode_has_id3_chapters(tmp_path: Path) -> None:
    clip = _sine(tmp_path / "tone.wav", 440, 3.0, rate=48000)
    out = export_episode(
        clip.path,
        tmp_path / "episode.mp3",
        [Chapter(0, 1.2, "One"), Chapter(1.2, 3.0, "दो")],
        title="Tone",
        fmt="mp3",
    )
    with av.open(str(out)) as container:
        assert container.streams.audio[0].codec_context.name.startswith("mp3")
        titles = [c["metadata"]["title"] for c in container.chapters()]
    assert titles == ["One", "दो"]
    assert b"CHAP" in out.read_bytes()[:4096]
