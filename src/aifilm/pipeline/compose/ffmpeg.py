"""The default composer: the film as one FFmpeg filter graph, no Python per frame.

Stills are decoded once and repeated with `loop`; camera motion is sub-pixel
(whole-pixel keyframes blended by `framerate`, see `motion.py`); transitions are
`xfade` centred on shot boundaries (`transitions.py`), joined with the shots' bodies
by one `concat`; subtitles are burned with libass. A film whose pictures would not fit
in `memory_budget` is composed in segments joined without re-encoding (`segments.py`).

The output follows YouTube's recommended upload settings: H.264 High, yuv420p, CFR,
closed GOP of half the frame rate with 2 B-frames, AAC-LC 48 kHz stereo, faststart,
BT.709 tags.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any, ClassVar

from aifilm.errors import AifilmError, AssetError, StageError, UnsupportedError
from aifilm.media.ffmpeg import ffmpeg_version, run_ffmpeg
from aifilm.media.fonts import font_file, plain_name
from aifilm.pipeline.compose import motion
from aifilm.pipeline.compose.base import (
    ComposeBackend,
    Composition,
    CompositionRequest,
    Progress,
)
from aifilm.pipeline.compose.graph import (
    ClipSource,
    Graph,
    Piece,
    ass_filter,
    build_graph,
    plan_pieces,
    watermark_filter,
)
from aifilm.pipeline.compose.segments import MEMORY_BUDGET, picture_budget, split_segments
from aifilm.pipeline.compose.transitions import XFADE, plan_spans

# quality -> (x264 preset, crf)
QUALITY: dict[str, tuple[str, int]] = {
    "draft": ("ultrafast", 28),
    "standard": ("veryfast", 21),
    "high": ("medium", 18),
}

AUDIO_ARGS = ["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2"]

# a longer graph goes through a file: one argument may hold at most 128 KiB on Linux
_INLINE_GRAPH_LIMIT = 100_000


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _font_for_watermark(fonts_dir: Path | None) -> Path | None:
    if fonts_dir is None or not fonts_dir.is_dir():
        return None
    fonts = sorted(p for p in fonts_dir.iterdir() if p.suffix.lower() in (".ttf", ".otf"))
    # The Latin face aifilm.media.fonts picks for English (its plain name in fonts_dir()),
    # not the first file by name: that is NotoEmoji, which draws the text as empty boxes.
    try:
        latin = plain_name(font_file("en")).lower()
    except AifilmError:
        latin = ""
    plain = [p for p in fonts if p.name.lower() == latin or p.stem.lower() == "notosans"]
    chosen = plain or fonts
    return chosen[0] if chosen else None


def encoder_args(quality: str, fps: int, threads: int, *, audio: bool = True) -> list[str]:
    """libx264 (+ AAC) arguments for a quality preset (YouTube's recommended settings)."""
    if quality not in QUALITY:
        raise UnsupportedError(
            f"unknown quality '{quality}'", hint=f"use one of: {', '.join(QUALITY)}"
        )
    preset, crf = QUALITY[quality]
    gop = max(1, round(fps / 2))
    x264 = "8x8dct=1" if preset == "ultrafast" else ""  # keeps ultrafast in High profile
    args = [
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-g", str(gop), "-bf", "2", "-flags", "+cgop",
        "-r", str(fps), "-fps_mode", "cfr",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
        "-color_range", "tv",
        "-threads", str(threads),
    ]  # fmt: skip
    if x264:
        args += ["-x264-params", x264]
    if audio:
        args += AUDIO_ARGS
    return args


class FFmpegComposer(ComposeBackend):
    """Timeline, stills or clips, the audio mix and subtitles into an MP4, in one FFmpeg run."""

    name: ClassVar[str] = "ffmpeg"
    description: ClassVar[str] = "one FFmpeg filter graph: sub-pixel Ken Burns, xfade, libass"
    license: ClassVar[str] = "LGPL/GPL FFmpeg run as a separate program"
    weights_license: ClassVar[str | None] = "none: no model weights"
    programs: ClassVar[tuple[str, ...]] = ()  # found through aifilm.media.ffmpeg
    version: ClassVar[str] = "2"  # 2: bodies + transitions in one concat; segments
    # bytes one FFmpeg run may hold (encoder and pictures); longer films go in segments
    memory_budget: int = MEMORY_BUDGET

    def source_size(self, width: int, height: int, camera: str) -> tuple[int, int]:
        """Stills for zooms and pans are `motion.MARGIN` larger; static ones frame-sized."""
        return motion.source_size(width, height, camera)

    def compose(
        self, request: CompositionRequest, out: Path, progress: Progress | None = None
    ) -> Composition:
        """Render the film to `out`; nothing is left at `out` if anything fails."""
        timeline = request.timeline
        shots = timeline.shots
        if len(request.visuals) != len(shots):
            raise StageError(
                f"{len(request.visuals)} pictures for {len(shots)} shots", stage="compose"
            )
        clips = []
        notes: list[str] = []
        overlays = request.overlays or [()] * len(shots)
        if len(overlays) != len(shots):
            raise StageError(f"overlays for {len(overlays)} of {len(shots)} shots", stage="compose")
        for shot, visual, laid in zip(shots, request.visuals, overlays, strict=True):
            if not visual.path.is_file():
                raise AssetError(
                    f"shot {shot.id}: picture {visual.path} does not exist", path=visual.path
                )
            if shot.transition not in XFADE:
                raise UnsupportedError(
                    f"shot {shot.id}: unknown transition '{shot.transition}'",
                    hint=f"use one of: {', '.join(XFADE)}",
                )
            if shot.camera not in motion.MOVING and shot.camera != "static":
                notes.append(f"shot {shot.id}: camera '{shot.camera}' shown static")
            if visual.kind == "video" and shot.camera in motion.MOVING:
                notes.append(f"shot {shot.id}: video clip, camera '{shot.camera}' not applied")
            for overlay in laid:
                if not overlay.path.is_file():
                    raise AssetError(
                        f"shot {shot.id}: overlay {overlay.path} does not exist", path=overlay.path
                    )
            if laid and visual.kind == "video":
                notes.append(f"shot {shot.id}: video clip, its overlays not applied")
                laid = ()
            size = motion.source_size(timeline.width, timeline.height, shot.camera)
            if laid and (visual.width, visual.height) != size:
                # overlays are placed in the still's pixels; a rescaled still would misplace them
                notes.append(
                    f"shot {shot.id}: picture not at its source size, overlays not applied"
                )
                laid = ()
            clips.append(
                ClipSource(
                    visual.path,
                    visual.kind,
                    visual.width,
                    visual.height,
                    shot.camera,
                    laid,
                    visual.layers if visual.kind == "still" else (),
                )
            )
        if not request.audio.is_file():
            raise AssetError(f"audio mix {request.audio} does not exist", path=request.audio)
        if request.subtitles_ass is not None and not request.subtitles_ass.is_file():
            raise AssetError(
                f"subtitles {request.subtitles_ass} do not exist", path=request.subtitles_ass
            )

        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        threads = _cores()
        with tempfile.TemporaryDirectory(prefix="aifilm-compose-") as work_dir:
            work = Path(work_dir)
            subtitles = None
            if request.subtitles_ass is not None:
                subtitles = ass_filter(request.subtitles_ass, request.fonts_dir)
            watermark = None
            if request.watermark:
                font = _font_for_watermark(request.fonts_dir)
                if font is None:
                    notes.append("watermark skipped: no fonts_dir with a font to draw it")
                else:
                    textfile = work / "watermark.txt"
                    textfile.write_text(request.watermark, encoding="utf-8")
                    watermark = watermark_filter(textfile, font, timeline.height)
            spans = plan_spans(timeline)
            width, height = timeline.width, timeline.height
            budget = picture_budget(self.memory_budget, width, height)
            segments = split_segments(plan_pieces(spans), clips, width, height, budget)
            graphs = [
                build_graph(
                    clips,
                    spans,
                    fps=timeline.fps,
                    width=timeline.width,
                    height=timeline.height,
                    subtitles=subtitles,
                    watermark=watermark,
                    pieces=pieces,
                )
                for pieces in segments
            ]
            partial = out.with_name(f".{out.stem}.{os.getpid()}.partial.mp4")
            started = time.perf_counter()
            try:
                if len(graphs) == 1:
                    self._run_whole(graphs[0], request, partial, work, threads, progress)
                else:
                    self._run_segments(graphs, segments, request, partial, work, threads, progress)
                os.replace(partial, out)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()
            seconds = time.perf_counter() - started
        preset, crf = QUALITY[request.quality]
        facts: dict[str, Any] = {
            "ffmpeg_version": ffmpeg_version(),
            "graph_filters": sum(g.filter_count for g in graphs),
            "graph_chars": sum(len(g.text) for g in graphs),
            "inputs": sum(g.input_count for g in graphs) + 1,
            "segments": len(graphs),
            "moving_shots": sum(g.moving_shots for g in graphs),
            "overlays": sum(g.overlays for g in graphs),
            "transitions": sum(g.transitions for g in graphs),
            "motion": "sub-pixel keyframes blended by framerate (pans: crop at 1:1 in 4:4:4; "
            "zooms: perspective when the edge has moved ~1 px), stills at "
            f"{motion.MARGIN}x for zooms and pans",
            "video": {
                "codec": "libx264",
                "profile": "high",
                "preset": preset,
                "crf": crf,
                "gop": max(1, round(timeline.fps / 2)),
                "bframes": 2,
                "fps": timeline.fps,
                "size": f"{timeline.width}x{timeline.height}",
            },
            "audio": {"codec": "aac", "bitrate": "192k", "sample_rate": 48000, "channels": 2},
            "threads": threads,
            "seconds": round(seconds, 3),
            "subtitles": request.subtitles_ass is not None,
            "watermark": watermark is not None,
        }
        if notes:
            facts["notes"] = notes
        return Composition(out, timeline.duration, facts)

    def _run_whole(
        self,
        graph: Graph,
        request: CompositionRequest,
        partial: Path,
        work: Path,
        threads: int,
        progress: Progress | None,
    ) -> None:
        """The film in one FFmpeg run: the graph, the audio, the encode, the MP4."""
        timeline = request.timeline
        args: list[str | Path] = [
            *graph.inputs,
            "-i", str(request.audio),
            *_graph_args(graph, work / "graph.txt"),
            "-filter_complex_threads", str(threads),
            "-map", f"[{graph.output}]", "-map", f"{graph.input_count}:a:0",
            *encoder_args(request.quality, timeline.fps, threads),
            "-t", f"{timeline.duration:.6f}",
            "-movflags", "+faststart",
            "-f", "mp4", str(partial),
        ]  # fmt: skip
        run_ffmpeg(args, duration=timeline.duration, progress=progress, what="compose")

    def _run_segments(
        self,
        graphs: list[Graph],
        segments: list[list[Piece]],
        request: CompositionRequest,
        partial: Path,
        work: Path,
        threads: int,
        progress: Progress | None,
    ) -> None:
        """Each segment encoded to MPEG-TS, then joined by stream copy with the audio."""
        timeline = request.timeline
        fps = timeline.fps
        total = sum(p.frames for seg in segments for p in seg)
        video_args = encoder_args(request.quality, fps, threads, audio=False)
        listing = []
        done = 0
        for n, (graph, pieces) in enumerate(zip(graphs, segments, strict=True)):
            frames = sum(p.frames for p in pieces)
            segment = work / f"segment{n:04d}.ts"

            def report(fraction: float, done: int = done, frames: int = frames) -> None:
                if progress is not None:  # the join takes about 2% of the time
                    progress(0.98 * (done + fraction * frames) / total)

            args: list[str | Path] = [
                *graph.inputs,
                *_graph_args(graph, work / f"graph{n:04d}.txt"),
                "-filter_complex_threads", str(threads),
                "-map", f"[{graph.output}]",
                *video_args,
                "-frames:v", str(frames),
                "-f", "mpegts", str(segment),
            ]  # fmt: skip
            run_ffmpeg(
                args,
                duration=frames / fps,
                progress=report if progress is not None else None,
                what=f"compose (segment {n + 1} of {len(graphs)})",
            )
            listing.append(f"file '{segment.name}'")
            done += frames
        concat = work / "segments.ffconcat"
        concat.write_text("ffconcat version 1.0\n" + "\n".join(listing) + "\n", encoding="utf-8")
        args = [
            "-f", "concat", "-safe", "0", "-i", str(concat),
            "-i", str(request.audio),
            "-map", "0:v:0", "-map", "1:a:0",
            "-c:v", "copy", *AUDIO_ARGS,
            "-t", f"{timeline.duration:.6f}",
            "-movflags", "+faststart",
            "-f", "mp4", str(partial),
        ]  # fmt: skip
        run_ffmpeg(args, what="compose (joining segments)")
        if progress is not None:
            progress(1.0)


def _graph_args(graph: Graph, script: Path) -> list[str]:
    """`-filter_complex` inline, or through a file when longer than one argument may be."""
    if len(graph.text) > _INLINE_GRAPH_LIMIT:
        script.write_text(graph.text, encoding="utf-8")
        return ["-/filter_complex", str(script)]
    return ["-filter_complex", graph.text]
