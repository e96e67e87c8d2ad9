"""The FFmpeg composer: graph building (pure) and real, tiny films checked frame by frame."""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from aifilm.errors import AssetError, ToolError
from aifilm.media.ffmpeg import ffmpeg_exe
from aifilm.media.probe import probe
from aifilm.media.wav import write_wav
from aifilm.pipeline.cache import Cache
from aifilm.pipeline.compose.base import Composition, CompositionRequest
from aifilm.pipeline.compose.ffmpeg import FFmpegComposer, encoder_args
from aifilm.pipeline.compose.graph import (
    ClipSource,
    ass_filter,
    build_graph,
    escape_value,
    plan_pieces,
)
from aifilm.pipeline.compose.motion import (
    motion_filter,
    pixel_format,
    source_size,
    window,
)
from aifilm.pipeline.compose.segments import concurrency, makespan, split_segments
from aifilm.pipeline.compose.transitions import plan_spans
from aifilm.pipeline.timeline import TimedShot, Timeline, VisualSpec
from aifilm.pipeline.visuals.base import Visual

W, H, FPS = 320, 180, 12
COLOURS = [(220, 30, 30), (30, 180, 30), (30, 30, 220), (230, 230, 40)]


def _shot(i: int, start: float, duration: float, camera: str, transition: str) -> TimedShot:
    return TimedShot(
        id=f"1.{i + 1}",
        scene=1,
        index=i,
        start=start,
        duration=duration,
        visual=VisualSpec("color", color="#000000"),
        camera=camera,
        transition=transition,
        transition_s=0.5,
    )


def _tone(path: Path, seconds: float) -> Path:
    t = np.arange(round(seconds * 48000)) / 48000
    wave_ = 0.2 * np.sin(2 * np.pi * 440 * t)
    write_wav(path, np.stack([wave_, wave_], axis=1), 48000)
    return path


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.float32) for f in container.decode(video=0)]


# --- pure parts -------------------------------------------------------------------------


def _timeline(transitions: list[str], seconds: float = 1.5) -> Timeline:
    shots = [_shot(i, i * seconds, seconds, "static", t) for i, t in enumerate(transitions)]
    return Timeline(W, H, FPS, seconds * len(shots), shots)


def test_spans_cover_the_film_exactly() -> None:
    timeline = _timeline(["crossfade", "cut", "fade", "wipe-left"])
    spans = plan_spans(timeline)
    total = round(timeline.duration * FPS)
    joined = spans[0].frames + sum(s.frames - p.overlap for p, s in itertools.pairwise(spans))
    assert joined == total == 72
    assert [s.overlap for s in spans] == [6, 0, 6, 0]
    assert spans[0].first == 0 and spans[0].end == 18 + 3  # half the crossfade after 1.5 s
    assert spans[1].first == 18 - 3
    assert spans[-1].into_next is None  # the last shot's transition leads nowhere


def test_transition_never_longer_than_a_shot() -> None:
    shots = [_shot(0, 0.0, 0.25, "static", "crossfade"), _shot(1, 0.25, 2.0, "static", "cut")]
    spans = plan_spans(Timeline(W, H, FPS, 2.25, shots))
    assert spans[0].overlap == 3  # 0.25 s shot: not the 6 frames asked for


def test_escape_value_survives_both_parsers() -> None:
    assert escape_value("/a/b.ass") == "/a/b.ass"
    assert escape_value("C:\\x") == "C\\\\:\\\\\\\\x"
    assert escape_value("it's[1],x;y") == "it\\\\\\'s\\[1\\]\\,x\\;y"


def test_motion_window_moves_monotonically() -> None:
    src = source_size(1280, 720, "zoom-in")
    assert src == (1472, 828)
    assert source_size(1280, 720, "static") == (1280, 720)
    widths = [window("zoom-in", p / 10, *src, 1280, 720).w for p in range(11)]
    assert all(a > b for a, b in itertools.pairwise(widths))
    assert widths[0] == pytest.approx(1472) and widths[-1] == pytest.approx(1280)
    xs = [window("pan-left", p / 10, *src, 1280, 720).x for p in range(11)]
    assert all(a > b for a, b in itertools.pairwise(xs))
    assert motion_filter("static", 10, 1280, 720, 1280, 720) == ""
    assert "framerate=" in motion_filter("pan-up", 300, *src, 1280, 720, 30)
    zoom = motion_filter("zoom-in", 300, *src, 1280, 720, 30)
    assert "perspective=" in zoom and "loop=loop=100:" in zoom  # a keyframe every 3rd frame


def test_graph_shape() -> None:
    timeline = _timeline(["crossfade", "cut", "fade", "cut"])
    clips = [ClipSource(Path(f"/s{i}.png"), "still", W, H, "static") for i in range(4)]
    graph = build_graph(
        clips, plan_spans(timeline), fps=FPS, width=W, height=H, subtitles="ass=filename=x"
    )
    text = graph.text
    assert text.count("loop=loop=") == 4 and "-loop" not in graph.inputs
    # one concat over bodies and transitions, in film order; each xfade only as long as
    # its transition (a tail of one clip and the head of the next)
    assert text.count("concat=") == 1 and text.count("xfade=") == 2
    assert "[pb0][x1][pb1][pb2][x3][pb3]concat=n=6:v=1:a=0" in text
    assert "[pt0][ph1]xfade=transition=fade:duration=0.500000:offset=0[x1]" in text
    assert "[pt2][ph3]xfade=transition=fadeblack:duration=0.500000:offset=0[x3]" in text
    assert graph.inputs.count("-i") == 4 and graph.transitions == 2


def test_encoder_settings_follow_youtube() -> None:
    args = encoder_args("draft", 30, 2)
    assert args[args.index("-g") + 1] == "15" and args[args.index("-bf") + 1] == "2"
    assert "+cgop" in args and "8x8dct=1" in args  # ultrafast kept in High profile
    assert args[args.index("-crf") + 1] == "28"


# --- real films -------------------------------------------------------------------------


def _film(tmp_path: Path, cameras: list[str], transitions: list[str], **extra: object) -> Path:
    return _compose(FFmpegComposer(), tmp_path, cameras, transitions, **extra).path


def _compose(
    composer: FFmpegComposer,
    tmp_path: Path,
    cameras: list[str],
    transitions: list[str],
    **extra: object,
) -> Composition:
    request = _request(composer, tmp_path, cameras, transitions, **extra)
    seen: list[float] = []
    out = tmp_path / "film.mp4"
    result = composer.compose(request, out, progress=seen.append)
    assert result.path == out and seen[-1] == 1.0
    assert all(a <= b for a, b in itertools.pairwise(seen))
    return result


def _request(
    composer: FFmpegComposer,
    tmp_path: Path,
    cameras: list[str],
    transitions: list[str],
    **extra: object,
) -> CompositionRequest:
    shots, visuals = [], []
    for i, (camera, transition) in enumerate(zip(cameras, transitions, strict=False)):
        sw, sh = composer.source_size(W, H, camera)
        image = Image.new("RGB", (sw, sh), COLOURS[i])
        if camera == "zoom-in":
            draw = ImageDraw.Draw(image)
            draw.rectangle([sw // 2 - 20, sh // 2 - 20, sw // 2 + 20, sh // 2 + 20], "white")
        path = tmp_path / f"still{i}.png"
        image.save(path)
        shots.append(_shot(i, i * 1.5, 1.5, camera, transition))
        visuals.append(Visual(path, "still", sw, sh))
    timeline = Timeline(W, H, FPS, 1.5 * len(shots), shots)
    return CompositionRequest(
        timeline, visuals, _tone(tmp_path / "mix.wav", timeline.duration), **extra
    )  # type: ignore[arg-type]


CAMERAS = ["static", "zoom-in", "pan-left", "static"]
TRANSITIONS = ["crossfade", "fade", "cut", "cut"]


def test_film_meets_upload_settings_and_shows_each_shot(tmp_path: Path) -> None:
    out = _film(tmp_path, CAMERAS, TRANSITIONS)
    info = probe(out)
    video, audio = info.first("video"), info.first("audio")
    assert video and audio
    assert (video.codec, video.profile, video.pix_fmt) == ("h264", "High", "yuv420p")
    assert (video.width, video.height, video.fps) == (W, H, FPS)
    assert (audio.codec, audio.sample_rate, audio.channels) == ("aac", 48000, 2)
    assert abs(info.duration - 6.0) <= 1 / FPS
    assert info.faststart is True
    frames = _frames(out)
    assert len(frames) == 72
    for i, colour in enumerate(COLOURS):
        middle = frames[round((i * 1.5 + 0.75) * FPS)]
        corner = middle[5:30, 5:60].mean(axis=(0, 1))  # away from the white square
        assert np.abs(corner - colour).max() < 16, (i, corner)
    blend = frames[18][5:30, 5:60].mean(axis=(0, 1))  # middle of the crossfade at 1.5 s
    assert 60 < blend[0] < 190 and 60 < blend[1] < 160, blend
    dark = frames[36][5:30, 5:60].mean(axis=(0, 1))  # fade through black at 3.0 s
    assert dark.max() < 0.4 * 220 and dark.sum() < 0.3 * (sum(COLOURS[1]) + sum(COLOURS[2]))
    with av.open(str(out)) as container:
        frame = next(container.decode(video=0))
        assert str(frame.colorspace).lower().endswith(("bt709", "1"))


def test_slow_zoom_is_smooth(tmp_path: Path) -> None:
    composer = FFmpegComposer()
    sw, sh = composer.source_size(W, H, "zoom-in")
    image = Image.new("RGB", (sw, sh), (0, 0, 0))
    ImageDraw.Draw(image).rectangle(
        [sw // 2 - 30, sh // 2 - 30, sw // 2 + 30, sh // 2 + 30], "white"
    )
    image.save(tmp_path / "square.png")
    shot = _shot(0, 0.0, 4.0, "zoom-in", "cut")
    timeline = Timeline(W, H, FPS, 4.0, [shot])
    request = CompositionRequest(
        timeline,
        [Visual(tmp_path / "square.png", "still", sw, sh)],
        _tone(tmp_path / "a.wav", 4.0),
        quality="high",
    )
    out = composer.compose(request, tmp_path / "zoom.mp4").path
    grey = [f.mean(axis=2) for f in _frames(out)]
    # apparent size of the square: its light summed over the frame, in pixels
    area = np.array([(g / 255.0).sum() for g in grey])
    steps = np.diff(area)
    assert len(grey) == 48
    # the exact per-frame check is test_slow_camera_moves_every_frame_evenly (no encoder);
    # here x264 may fold a sub-level change into the previous frame, so look 2 frames apart
    assert (np.diff(area[::2]) > 0).all() and (np.diff(area[1::2]) > 0).all(), steps.tolist()
    assert steps.max() < 3 * steps.mean()  # no jumps
    same = sum(np.abs(a - b).mean() == 0 for a, b in itertools.pairwise(grey))
    assert same <= 1  # no stop-and-go (scale+crop: about half the frames repeat)


def _moving_square(
    tmp_path: Path, chain: str, camera: str, margin: float, seconds: float = 6.0
) -> np.ndarray:
    """Grey frames of a white square on black through `chain` (FFmpeg, no encoding)."""
    sw, sh = 2 * round(W * margin / 2), 2 * round(H * margin / 2)
    image = Image.new("RGB", (sw, sh), (0, 0, 0))
    ImageDraw.Draw(image).rectangle(
        [sw // 2 - 50, sh // 2 - 50, sw // 2 + 49, sh // 2 + 49], "white"
    )
    image.save(tmp_path / "square.png")
    graph = f"[0:v]scale=out_range=tv,setsar=1,format={pixel_format(camera)},{chain}[v]"
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(tmp_path / "square.png"),
         "-filter_complex", graph, "-map", "[v]", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return np.frombuffer(proc.stdout, np.uint8).reshape(-1, H, W).astype(np.float64)


def _apparent_motion(frames: np.ndarray, camera: str) -> np.ndarray:
    """Per-frame change of the square's area (zooms) or centroid (pans), sub-pixel."""
    light = frames - frames.min()
    if camera.startswith("zoom"):
        return np.diff(light.sum(axis=(1, 2)) / light.max())
    axis = 1 if camera in ("pan-left", "pan-right") else 0  # profile along x or y
    profile = light.sum(axis=2 - axis)
    centre = (profile * np.arange(profile.shape[1])).sum(axis=1) / profile.sum(axis=1)
    return np.diff(centre)


def _smooth(steps: np.ndarray) -> bool:
    """Every frame moves, always the same way, and no step is over twice the median."""
    median = np.median(np.abs(steps))
    same_way = bool((np.sign(steps) == np.sign(steps.sum())).all())
    return (
        median > 0
        and same_way
        and np.abs(steps).min() > 0.25 * median
        and (np.abs(steps).max() < 2 * median)
    )


@pytest.mark.parametrize("camera", ["zoom-in", "zoom-out", "pan-right", "pan-left", "pan-up"])
def test_slow_camera_moves_every_frame_evenly(tmp_path: Path, camera: str) -> None:
    # a 1.06x zoom or a 6% pan over 6 s at 30 fps: a fraction of a pixel per frame
    frames_n = 180
    sw, sh = 2 * round(W * 1.06 / 2), 2 * round(H * 1.06 / 2)
    chain = motion_filter(camera, frames_n, sw, sh, W, H, 30)
    frames = _moving_square(tmp_path, chain, camera, 1.06)
    assert len(frames) == frames_n
    steps = _apparent_motion(frames, camera)
    assert _smooth(steps), (steps.min(), np.median(steps), steps.max())
    expected = {"zoom-in": 1, "zoom-out": -1, "pan-right": -1, "pan-left": 1, "pan-up": 1}
    assert np.sign(steps.sum()) == expected[camera]  # the picture moves against the camera


def test_zoompan_fails_the_smoothness_measure(tmp_path: Path) -> None:
    """The measure tells whole-pixel motion apart: zoompan's slow zoom stalls and jumps."""
    chain = f"zoompan=z='pow(1.06,on/179)':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=180:s={W}x{H}"
    steps = _apparent_motion(_moving_square(tmp_path, chain, "zoom-in", 1.0), "zoom-in")
    assert not _smooth(steps)


def _ass(path: Path) -> Path:
    path.write_text(
        "[Script Info]\nScriptType: v4.00+\nPlayResX: 320\nPlayResY: 180\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, OutlineColour, "
        "BorderStyle, Outline, Shadow, Alignment, MarginV\n"
        "Style: Default,Noto Sans,20,&H00FFFFFF,&H00000000,1,2,0,2,10\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Text\n"
        "Dialogue: 0,0:00:02.00,0:00:03.50,Default,Hello there\n",
        encoding="utf-8",
    )
    return path


def _fonts(tmp_path: Path) -> Path:
    spec = importlib.util.find_spec("fontpkg_noto_sans")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("fontpkg-noto-sans is not installed")
    source = Path(next(iter(spec.submodule_search_locations))) / "files" / "NotoSans[wdth,wght].ttf"
    fonts = tmp_path / "fonts dir, with [odd] chars"  # a path that needs graph escaping
    fonts.mkdir()
    shutil.copy(source, fonts / "NotoSans.ttf")
    return fonts


def test_subtitles_burn_in_only_while_a_cue_shows(tmp_path: Path) -> None:
    cameras, transitions = ["static"] * 4, ["cut"] * 4
    plain = _frames(_film(tmp_path, cameras, transitions))
    subs_dir = tmp_path / "with subs"
    subs_dir.mkdir()
    fonts = _fonts(tmp_path)
    ass = _ass(tmp_path / "it's subs.ass")
    film = _film(
        subs_dir, cameras, transitions, subtitles_ass=ass, fonts_dir=fonts, watermark="aifilm"
    )
    burned = _frames(film)

    def diff(i: int, rows: slice) -> float:
        return float(np.abs(plain[i][rows] - burned[i][rows]).mean())

    bottom, middle = slice(130, 180), slice(40, 120)
    for i in (26, 30, 40):  # 2.0 s .. 3.5 s: the cue is on screen
        assert diff(i, bottom) > 3.0 and diff(i, middle) < 1.0
    for i in (6, 20, 46, 60):
        assert diff(i, bottom) < 1.0
    top_right = (slice(0, 15), slice(220, 320))
    assert np.abs(plain[6][top_right] - burned[6][top_right]).mean() > 1.0  # watermark


def test_segments_are_bodies_and_transitions() -> None:
    timeline = _timeline(["crossfade", "cut", "fade", "cut"])
    spans = plan_spans(timeline)
    clips = [ClipSource(Path(f"/s{i}.png"), "still", W, H, "static") for i in range(4)]
    pieces = plan_pieces(spans)
    assert sum(p.frames for p in pieces) == round(timeline.duration * FPS)
    assert [p.first for p in pieces] == list(
        itertools.accumulate([0] + [p.frames for p in pieces[:-1]])
    )
    segments = split_segments(pieces)
    # every body and every transition its own segment, so an edit to shot 3 touches its
    # body and the fade into it, never shot 2's body
    assert [[(p.clip, p.transition) for p in seg] for seg in segments] == [
        [(0, None)],
        [(1, "fade")],
        [(1, None)],
        [(2, None)],
        [(3, "fadeblack")],
        [(3, None)],
    ]
    body = build_graph(clips, spans, fps=FPS, width=W, height=H, pieces=segments[0], keep_tail=True)
    assert body.input_count == 1 and body.tail_output is not None
    # shot 1's share of the crossfade, kept after a lead frame (which keeps memory flat)
    assert body.tail_frames == 1 + pieces[1].frames
    fade = build_graph(
        clips, spans, fps=FPS, width=W, height=H, pieces=segments[1], tails={0: "/k/tail.nut"}
    )
    # the kept tail instead of shot 1's picture (and its whole motion), then shot 2's head
    assert fade.inputs == ["-i", "/k/tail.nut", "-framerate", str(FPS), "-i", "/s1.png"]
    with pytest.raises(ValueError, match="keep_tail"):  # shot 2 ends on a cut: no tail
        build_graph(clips, spans, fps=FPS, width=W, height=H, pieces=segments[2], keep_tail=True)


def _reference(request: CompositionRequest, out: Path) -> Path:
    """The same film as ONE filter graph in one FFmpeg run (how it was made before segments)."""
    timeline = request.timeline
    clips = [
        ClipSource(v.path, v.kind, v.width, v.height, s.camera)
        for v, s in zip(request.visuals, timeline.shots, strict=True)
    ]
    subtitles = None
    if request.subtitles_ass is not None:
        subtitles = ass_filter(request.subtitles_ass, request.fonts_dir)
    graph = build_graph(
        clips, plan_spans(timeline), fps=FPS, width=W, height=H, subtitles=subtitles
    )
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *graph.inputs,
        "-filter_complex", graph.text, "-map", f"[{graph.output}]",
        *encoder_args(request.quality, FPS, 2, audio=False), str(out),
    ]  # fmt: skip
    subprocess.run(command, check=True)
    return out


def test_a_film_composed_in_segments_matches_one_graph(tmp_path: Path) -> None:
    fonts = _fonts(tmp_path)
    ass = _ass(tmp_path / "subs.ass")
    extra = {"subtitles_ass": ass, "fonts_dir": fonts}
    (tmp_path / "shots").mkdir()
    (tmp_path / "pieces").mkdir()
    per_shot = _compose(FFmpegComposer(), tmp_path / "shots", CAMERAS, TRANSITIONS, **extra)
    composer = FFmpegComposer()
    composer.memory_budget = 1  # one encode at a time, one thread
    per_piece = _compose(composer, tmp_path / "pieces", CAMERAS, TRANSITIONS, **extra)
    # 4 bodies and 2 transitions, each reading the tail its body kept
    assert per_shot.facts["segments"] == per_piece.facts["segments"] == 6
    assert per_shot.facts["concurrent_encodes"] == 2 and per_piece.facts["concurrent_encodes"] == 1
    assert per_shot.facts["inputs"] == 1 + 4 + 2 * 2
    request = _request(FFmpegComposer(), tmp_path / "pieces", CAMERAS, TRANSITIONS, **extra)
    whole = _frames(_reference(request, tmp_path / "one-graph.mp4"))
    for film in (per_shot.path, per_piece.path):
        info = probe(film)
        video, audio = info.first("video"), info.first("audio")
        assert video and audio and video.fps == FPS and audio.codec == "aac"
        assert abs(info.duration - 6.0) <= 1 / FPS and info.faststart is True
        frames = _frames(film)
        assert len(frames) == len(whole) == 72
        worst = max(float(np.abs(x - y).mean()) for x, y in zip(whole, frames, strict=True))
        assert worst < 2.0, worst  # the same pictures, motion, transitions and subtitles
        with av.open(str(film)) as container:
            stream = container.streams.video[0]
            pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None)
        steps = {
            round(float((q - p) * stream.time_base) * FPS, 3) for p, q in itertools.pairwise(pts)
        }
        assert steps == {1.0}  # constant frame rate across the joins


def test_failed_compose_leaves_nothing(tmp_path: Path) -> None:
    composer = FFmpegComposer()
    shots = [_shot(0, 0.0, 1.0, "static", "cut")]
    timeline = Timeline(W, H, FPS, 1.0, shots)
    audio = _tone(tmp_path / "a.wav", 1.0)
    out = tmp_path / "film.mp4"
    missing = CompositionRequest(timeline, [Visual(tmp_path / "nope.png", "still", W, H)], audio)
    with pytest.raises(AssetError):
        composer.compose(missing, out)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png at all")
    with pytest.raises(ToolError):
        composer.compose(CompositionRequest(timeline, [Visual(broken, "still", W, H)], audio), out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav", "broken.png"]


def test_video_clip_is_looped_to_its_shot(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    with av.open(str(clip), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for n in range(5):  # half a second: has to repeat to fill 2 s
            frame = av.VideoFrame.from_ndarray(
                np.full((120, 160, 3), (40 * n, 200, 90), np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    timeline = Timeline(W, H, FPS, 2.0, [_shot(0, 0.0, 2.0, "zoom-in", "cut")])
    request = CompositionRequest(
        timeline, [Visual(clip, "video", 160, 120)], _tone(tmp_path / "a.wav", 2.0)
    )
    result = FFmpegComposer().compose(request, tmp_path / "film.mp4")
    frames = _frames(result.path)
    assert len(frames) == 24 and frames[0].shape == (H, W, 3)
    assert frames[-1][:, :, 1].mean() > 150
    assert any("video clip" in n for n in result.facts.get("notes", []))  # type: ignore[union-attr]


def test_the_watermark_is_drawn_in_the_latin_face_not_the_first_font_by_name(
    tmp_path: Path,
) -> None:
    """The bundled fonts folder sorts NotoEmoji first; drawn in it, "aifilm" is empty boxes."""
    from aifilm.media.fonts import font_file, fonts_dir, plain_name
    from aifilm.pipeline.compose.ffmpeg import _font_for_watermark

    folder = fonts_dir(tmp_path)
    chosen = _font_for_watermark(folder)
    assert chosen is not None and chosen.name == plain_name(font_file("en"))


def test_transitions_read_tails_kept_in_the_cache_and_a_lost_tail_is_made_again(
    tmp_path: Path,
) -> None:
    composer = FFmpegComposer()
    request = _request(composer, tmp_path, CAMERAS, TRANSITIONS)
    request = dataclasses.replace(request, segment_cache=Cache(tmp_path / "cache"))
    cold = composer.compose(request, tmp_path / "cold.mp4")
    # a body before a transition keeps its clip's tail (lossless) beside its segment
    tails = sorted((tmp_path / "cache" / "segment").rglob("*.tail.nut"))
    assert len(tails) == 2 and cold.facts["segments_encoded"] == 6
    warm = composer.compose(request, tmp_path / "warm.mp4")
    assert (warm.facts["segments_encoded"], warm.facts["segments_reused"]) == (0, 6)
    # a tail lost from the cache: its body is encoded again (the transition, cached, is not)
    tails[0].unlink()
    again = composer.compose(request, tmp_path / "again.mp4")
    assert again.facts["segments_encoded"] == 1 and tails[0].is_file()
    for film in (warm.path, again.path):
        assert all(
            np.array_equal(x, y) for x, y in zip(_frames(cold.path), _frames(film), strict=True)
        )


def test_an_edit_encodes_its_long_body_with_every_core_and_a_cold_film_one_per_core() -> None:
    picture = 40 * 2**20
    edit = [284, 16, 16]  # the edited shot's body and the two transitions touching it
    assert concurrency([picture] * 3, 1280, 720, 2, frames=edit) == (1, 2)
    assert makespan(edit, 1, 2) < makespan(edit, 2, 1)
    film = [284, 16, 280, 16, 290, 16, 280]
    assert concurrency([picture] * 7, 1280, 720, 2, frames=film) == (2, 1)
    # the memory budget still decides first: 1080p on two cores is one encode at a time
    assert concurrency([picture] * 7, 1920, 1080, 2, frames=film) == (1, 2)
    assert concurrency([picture] * 7, 1280, 720, 2) == (2, 1)  # without frames: per core


_PROBE = """
import resource, sys
from pathlib import Path
from aifilm.pipeline.compose.ffmpeg import encoder_args
from aifilm.pipeline.compose.graph import ClipSource, build_graph, plan_pieces
from aifilm.pipeline.compose.job import SegmentJob, encode_segment
from aifilm.pipeline.compose.transitions import ClipSpan
folder, keep = Path(sys.argv[1]), sys.argv[2] == "1"
clips = [ClipSource(folder / "still.png", "still", 736, 414, "zoom-in")] * 2
spans = [ClipSpan(0, 240, "fade", 10), ClipSpan(230, 240, None, 0)]
body = plan_pieces(spans)[0]
g = build_graph(clips, spans, fps=24, width=640, height=360, pieces=[body], keep_tail=keep)
job = SegmentJob(tuple(g.inputs), g.text, g.output, tuple(encoder_args("draft", 24, 1,
    audio=False)), body.frames, 24, tail_output=g.tail_output, tail_frames=g.tail_frames)
encode_segment(job, folder / f"body{int(keep)}.ts")
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def test_keeping_a_tail_does_not_hold_the_body_in_memory(tmp_path: Path) -> None:
    # FFmpeg runs a graph for the output that has had no frame yet; a tail output that
    # got its first frame only after the body would hold every body frame (230 here)
    Image.effect_noise((736, 414), 60).convert("RGB").save(tmp_path / "still.png")

    def peak_kb(keep: bool) -> int:
        command = [sys.executable, "-c", _PROBE, str(tmp_path), "1" if keep else "0"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return int(done.stdout.split()[-1])

    frame_kb = 640 * 360 * 3 // 2 // 1024
    assert peak_kb(True) - peak_kb(False) < 60 * frame_kb  # the body alone: 230 frames
    assert (tmp_path / "body1.tail.nut").is_file() and not (tmp_path / "body0.tail.nut").exists()
