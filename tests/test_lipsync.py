"""Talking characters: visemes from IPA, the composer's overlay graph, and real renders
(at 320x180, 12 fps) whose mouths move only while their character speaks, in time."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from aifilm import Pipeline, Project
from aifilm.media.wav import read_wav
from aifilm.pipeline.compose.base import Overlay
from aifilm.pipeline.compose.graph import ClipSource, build_graph
from aifilm.pipeline.compose.transitions import ClipSpan
from aifilm.pipeline.lipsync.faces import fitted_box
from aifilm.pipeline.lipsync.visemes import REST, blink_frames, viseme_of, visemes_of
from aifilm.pipeline.visuals.podcast import read_layout

FPS = 12
W, H = 320, 180

# --- visemes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phoneme", "viseme"),
    [
        ("m", "mbp"),
        ("b", "mbp"),
        ("p", "mbp"),
        ("f", "fv"),
        ("v", "fv"),
        ("θ", "th"),
        ("ð", "th"),
        ("l", "ltd"),
        ("tʃ", "ltd"),
        ("ɾ", "ltd"),
        ("ŋ", "kg"),
        ("aɪ", "a"),
        ("ɑː", "a"),
        ("ˈɛ", "e"),
        ("ɚ", "e"),
        ("iː", "i"),
        ("ɪ", "i"),
        ("oʊ", "o"),
        ("ɔː", "o"),
        ("uː", "u"),
        ("w", "u"),
        ("ʃ", "sz"),
        ("_", REST),
        ("", REST),
    ],
)
def test_viseme_of_ipa(phoneme: str, viseme: str) -> None:
    assert viseme_of(phoneme) == viseme


def test_visemes_of_words() -> None:
    assert visemes_of("mʌm") == ["mbp", "a", "mbp"]
    assert visemes_of(["h", "ə", "l", "oʊ"]) == ["kg", "e", "ltd", "o"]
    assert visemes_of(["f", "aɪ", "v"]) == ["fv", "a", "fv"]


def test_blinks_are_short_seeded_and_seconds_apart() -> None:
    shut = blink_frames(30 * FPS, FPS, seed=7)
    assert shut == blink_frames(30 * FPS, FPS, seed=7)
    starts = [n for n in range(1, len(shut)) if shut[n] and not shut[n - 1]]
    assert 4 <= len(starts) <= 16
    assert sum(shut) <= len(starts) * 2  # ~120 ms each


def test_spec_mouth_box_follows_the_cover_crop() -> None:
    # a 400x300 picture cover-cropped to 320x180: scaled by 0.8, 30 px cut top and bottom
    assert fitted_box((100, 150, 200, 200), (400, 300), (320, 180)) == (80, 90, 160, 130)


# --- the composer's graph ---------------------------------------------------------------


def test_graph_lays_overlays_on_the_still_before_the_camera() -> None:
    clips = [
        ClipSource(
            Path("/a.png"), "still", W, H, "static", (Overlay(Path("/m.ffconcat"), 10, 20, 0.5),)
        ),
        ClipSource(Path("/b.png"), "still", 368, 208, "zoom-in", (Overlay(Path("/n.mkv"), 4, 6),)),
        ClipSource(Path("/c.png"), "still", W, H, "static"),
    ]
    spans = [ClipSpan(0, 24, None, 0), ClipSpan(24, 24, "fade", 6), ClipSpan(42, 12, None, 0)]
    graph = build_graph(clips, spans, fps=FPS, width=W, height=H)
    # the shots' inputs first, then the overlays (an .ffconcat list through the concat demuxer)
    files = [graph.inputs[i + 1] for i, a in enumerate(graph.inputs) if a == "-i"]
    assert files == ["/a.png", "/b.png", "/c.png", "/m.ffconcat", "/n.mkv"]
    assert graph.inputs[graph.inputs.index("/m.ffconcat") - 5 :][:4] == [
        "-f",
        "concat",
        "-safe",
        "0",
    ]
    assert graph.input_count == 5 and graph.overlays == 2
    text = graph.text
    # still 0: looped at full rate, overlay 0 from 0.5 s (frame 6), no motion
    assert "[0:v]scale=out_color_matrix=bt709:out_range=tv,setsar=1,format=yuv420p," in text
    assert "loop=loop=23:size=1,settb=1/12,setpts=N[b0]" in text
    assert "[3:v]fps=12,scale=out_color_matrix=bt709:out_range=tv,format=yuva420p," in text
    assert "settb=1/12,setpts=N+6[o0_0]" in text
    assert "[b0][o0_0]overlay=x=10:y=20:eof_action=pass:repeatlast=0:format=yuv420[b0_1]" in text
    assert "[b0_1]trim=end_frame=24[c0]" in text
    # still 1: its overlay (starting at the clip's start) is laid BEFORE the zoom
    assert "[4:v]fps=12," in text and "setpts=N+0[o1_0]" in text
    chain = next(c for c in graph.filters if c.startswith("[b1_1]"))
    assert chain.index("perspective=") < chain.index("crop=320:180:0:0") < chain.index("[c1]")
    assert "eval=frame" in chain and "pow(" in chain
    # still 2: the plain chain
    assert "[2:v]scale=" in text and "[c2]" in text
    assert graph.filters[-1].endswith("[vout]")


# --- renders ------------------------------------------------------------------------------


def _frames(film: Path) -> np.ndarray:
    with av.open(str(film)) as container:
        return np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])


def _luma(frames: np.ndarray) -> np.ndarray:
    return frames[..., 0] * 0.2126 + frames[..., 1] * 0.7152 + frames[..., 2] * 0.0722


def _grown(box: tuple[int, int, int, int], dx: float, dy: float) -> tuple[slice, slice]:
    w, h = box[2] - box[0], box[3] - box[1]
    return (
        slice(max(0, int(box[1] - h * dy)), int(box[3] + h * dy * 2)),
        slice(max(0, int(box[0] - w * dx)), int(box[2] + w * dx)),
    )


def _openness(frames: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Dark pixels (the mouth's opening) in and below the mouth box, per frame."""
    rows, cols = _grown(box, 0.3, 0.8)
    result: np.ndarray = (_luma(frames[:, rows, cols]) < 70).sum(axis=(1, 2)).astype(np.float64)
    return result


def _rms_per_frame(wav: Path, count: int) -> np.ndarray:
    samples, rate = read_wav(wav)
    mono = samples if samples.ndim == 1 else samples.mean(axis=1)
    step = rate // FPS
    mono = np.pad(mono, (0, max(0, count * step - len(mono))))[: count * step]
    result: np.ndarray = np.sqrt((mono.reshape(count, step) ** 2).mean(axis=1))
    return result


def _render(path: Path) -> Pipeline:
    pipe = Pipeline(Project.load(path))
    pipe.run()
    return pipe


DIALOGUE = """\
title: Talk
duration: auto
output: {{resolution: {w}x{h}, fps: {fps}, subtitles: {{burn: false}}}}
characters:
  - {{name: Ann, voice: adult-female{ann}}}
  - {{name: Bob, voice: adult-male}}
scenes:
  - shots:
      - camera: static
        show: Ann
        dialogue:
          - Ann: Hello, how are you on this fine morning?
          - Bob: I am well, thank you, my friend.
          - Ann: Wonderful. Shall we walk along the water?
"""


def test_portrait_mouth_moves_only_while_its_character_speaks_and_in_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(DIALOGUE.format(w=W, h=H, fps=FPS, ann=""))
    pipe = _render(path)
    try:
        state = pipe.state
        assert state.timeline is not None and state.film is not None and state.audio is not None
        report = next(r for r in pipe.context.reports if r.name == "lipsync")
        # Ann is shown; Bob stands beside her in the illustrated scene and talks too.
        assert report.backend == "visemes" and report.items == 2 and not report.notes
        face = state.visuals[0].face_of("Ann")
        assert face is not None and face.character == "Ann"
        frames = _frames(state.film)
        mouth = frames[:, slice(face.mouth[1], face.mouth[3]), slice(face.mouth[0], face.mouth[2])]
        rest = mouth[0].astype(np.int16)
        change = np.abs(mouth.astype(np.int16) - rest).max(axis=(1, 2, 3))
        lines = state.timeline.lines
        speaking = np.zeros(len(frames), bool)
        for line in lines:
            if line.speaker == "Ann":
                speaking[int(line.start * FPS) + 1 : int(line.end * FPS)] = True
        bob = lines[1]
        silent = np.zeros(len(frames), bool)
        silent[int(bob.start * FPS) + 1 : int(bob.end * FPS) - 1] = True
        # while Bob speaks (and before anyone does) Ann's mouth is the still's, closed
        assert change[silent].max() <= 20, change[silent]  # encoding noise only
        assert change[: int(lines[0].start * FPS)].max() <= 20
        # while Ann speaks it changes on most frames
        assert (change[speaking] > 40).mean() > 0.6, change[speaking]

        # mouth opening vs speech loudness: best aligned with no offset (< 1 frame)
        openness = _openness(frames, face.mouth)
        rms = _rms_per_frame(state.audio, len(frames))
        first, last = int(lines[0].start * FPS) - 6, int(lines[-1].end * FPS) + 6
        a = openness[first:last] - openness[first:last].mean()
        b = rms[first:last] - rms[first:last].mean()
        lags = range(-4, 5)
        scores = [float(np.dot(np.roll(a, lag), b)) for lag in lags]
        assert list(lags)[int(np.argmax(scores))] == 0, scores
        assert scores[4] / (np.linalg.norm(a) * np.linalg.norm(b)) > 0.4
    finally:
        pipe.close()


def _landscape(path: Path) -> Path:
    picture = Image.new("RGB", (480, 270), (120, 170, 230))
    draw = ImageDraw.Draw(picture)
    draw.polygon([(0, 200), (140, 110), (260, 190), (380, 100), (480, 180), (480, 270), (0, 270)],
                 fill=(60, 120, 70))  # fmt: skip
    draw.ellipse((380, 20, 430, 70), fill=(250, 230, 120))
    picture.save(path)
    return path


def test_a_picture_without_a_face_falls_back_and_the_report_says_so(tmp_path: Path) -> None:
    _landscape(tmp_path / "hills.png")
    path = tmp_path / "project.yaml"
    path.write_text(DIALOGUE.format(w=W, h=H, fps=FPS, ann=", image: hills.png"))
    pipe = _render(path)
    try:
        report = next(r for r in pipe.context.reports if r.name == "lipsync")
        assert report.items == 0
        assert any(
            "shot 1.1: Ann: no face found in hills.png" in n and "shown as a still" in n
            for n in report.notes
        ), report.notes
        assert pipe.state.overlays == [()]
        assert pipe.state.film is not None and pipe.state.film.is_file()
    finally:
        pipe.close()


def test_a_face_in_a_picture_is_detected_and_talks(tmp_path: Path) -> None:
    from aifilm.pipeline.visuals.stills import portrait

    picture, _ = portrait("Ann", 1, (W * 2, H * 2))  # a drawn face the Haar cascade finds
    picture.save(tmp_path / "ann.png")
    path = tmp_path / "project.yaml"
    path.write_text(DIALOGUE.format(w=W, h=H, fps=FPS, ann=", image: ann.png"))
    pipe = _render(path)
    try:
        report = next(r for r in pipe.context.reports if r.name == "lipsync")
        assert report.items == 1 and not report.notes, report.notes
        (overlay,) = pipe.state.overlays[0]
        assert overlay.path.suffix == ".ffconcat"
        assert W * 0.3 < overlay.x < W * 0.6 and H * 0.3 < overlay.y < H * 0.8
    finally:
        pipe.close()


PODCAST = """\
title: Tiny Talk
mode: podcast
output: {{resolution: {w}x{h}, fps: {fps}, subtitles: {{burn: false}}}}
podcast: {{intro: false, outro: false}}
script: |
  Ann: Welcome to the show, my dear friends, it is lovely to be here.
  Bob: Thanks for having me on this fine morning.
"""


def test_podcast_active_speakers_mouth_moves_and_the_others_does_not(tmp_path: Path) -> None:
    path = tmp_path / "project.yaml"
    path.write_text(PODCAST.format(w=W, h=H, fps=FPS))
    pipe = _render(path)
    try:
        state = pipe.state
        assert state.timeline is not None and state.film is not None
        frames = _frames(state.film)
        shot = state.timeline.shots[0]  # Ann's turn: her panel lit
        places = read_layout(state.visuals[0].path)
        assert places is not None and [p.name for p in places] == ["Ann", "Bob"]
        ann, bob = places
        ann_face, bob_face = state.visuals[0].face_of("Ann"), state.visuals[0].face_of("Bob")
        assert ann.active and not bob.active and ann_face and bob_face
        line = shot.lines[0]
        span = slice(int(line.start * FPS) + 1, min(int(line.end * FPS), int(shot.end * FPS) - 3))

        def change(box: tuple[int, int, int, int]) -> np.ndarray:
            region = frames[span, box[1] : box[3], box[0] : box[2]].astype(np.int16)
            before = frames[1, box[1] : box[3], box[0] : box[2]].astype(np.int16)
            result: np.ndarray = np.abs(region - before).max(axis=(1, 2, 3))
            return result

        assert (change(ann_face.mouth) > 40).mean() > 0.5
        assert change(bob_face.mouth).max() <= 20
        assert len(state.overlays[0]) == 2  # Bob still blinks
    finally:
        pipe.close()
