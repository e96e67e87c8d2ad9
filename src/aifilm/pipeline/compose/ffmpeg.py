"""The default composer: FFmpeg filter graphs, no Python per frame, in cached segments.

Stills are decoded once and repeated with `loop`; camera motion is sub-pixel
(whole-pixel keyframes blended by `framerate`, see `motion.py`); transitions are
`xfade` centred on shot boundaries (`transitions.py`), joined with the shots' bodies
by `concat`; subtitles are burned with libass. The film is a segment per shot body
and per transition (`segments.py`), each described by a picklable `job.SegmentJob`
and cached under its content key, so a re-render encodes only the segments whose
picture changed; the missing ones are encoded concurrently (a transition after the
body whose kept tail it reads), then all are joined by stream copy while the audio is
encoded and muxed in.

The output follows YouTube's recommended upload settings: H.264 High, yuv420p, CFR,
closed GOP of half the frame rate with 2 B-frames, AAC-LC 48 kHz stereo, faststart,
BT.709 tags.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from aifilm.errors import AifilmError, AssetError, StageError, UnsupportedError
from aifilm.media.ffmpeg import ffmpeg_version, run_ffmpeg
from aifilm.media.fonts import font_file, plain_name
from aifilm.pipeline.cache import Cache, Entry, in_this_scope
from aifilm.pipeline.compose import motion
from aifilm.pipeline.compose.ass_cut import cut_ass
from aifilm.pipeline.compose.audio import AUDIO_ARGS
from aifilm.pipeline.compose.base import (
    ComposeBackend,
    Composition,
    CompositionRequest,
    Progress,
)
from aifilm.pipeline.compose.graph import (
    ClipSource,
    Graph,
    ass_filter,
    build_graph,
    plan_pieces,
    watermark_filter,
)
from aifilm.pipeline.compose.job import SegmentJob, encode_segment, tail_path
from aifilm.pipeline.compose.segments import (
    MEMORY_BUDGET,
    concurrency,
    segment_cost,
    split_segments,
)
from aifilm.pipeline.compose.transitions import XFADE, plan_spans

# quality -> (x264 preset, crf)
QUALITY: dict[str, tuple[str, int]] = {
    "draft": ("ultrafast", 28),
    "standard": ("veryfast", 21),
    "high": ("medium", 18),
}


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


@dataclass
class SegmentPlan:
    """A film cut into segment jobs: what `FFmpegComposer.plan_segments` returns."""

    jobs: list[SegmentJob]
    graphs: list[Graph]
    costs: list[int]  # estimated bytes of each segment's pictures
    notes: list[str]  # what the viewer will see differently from the request
    watermark: bool
    moving_shots: int = 0  # stills under a moving camera (a segment's graph also holds
    # the next shot's head for its transition, so the graphs' own counts overlap)


class FFmpegComposer(ComposeBackend):
    """Timeline, stills or clips, the audio mix and subtitles into an MP4, in cached segments."""

    name: ClassVar[str] = "ffmpeg"
    description: ClassVar[str] = "FFmpeg filter graphs: sub-pixel Ken Burns, xfade, libass"
    license: ClassVar[str] = "LGPL/GPL FFmpeg run as a separate program"
    weights_license: ClassVar[str | None] = "none: no model weights"
    programs: ClassVar[tuple[str, ...]] = ()  # found through aifilm.media.ffmpeg
    version: ClassVar[str] = "4"  # 4: transitions are segments of their own
    # bytes the FFmpeg runs of one composition may hold together (encoders and pictures)
    memory_budget: int = MEMORY_BUDGET

    def waits_for_audio(self) -> bool:
        """Yes: the picture's segments need no sound; only the join waits for the mix."""
        return True

    def source_size(self, width: int, height: int, camera: str) -> tuple[int, int]:
        """Stills for zooms and pans are `motion.MARGIN` larger; static ones frame-sized."""
        return motion.source_size(width, height, camera)

    def compose(
        self, request: CompositionRequest, out: Path, progress: Progress | None = None
    ) -> Composition:
        """Render the film to `out`; nothing is left at `out` if anything fails."""
        timeline = request.timeline
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        cores = _cores()
        with tempfile.TemporaryDirectory(prefix="aifilm-compose-") as work_dir:
            work = Path(work_dir)
            plan = self.plan_segments(request, work)
            jobs, graphs, notes = plan.jobs, plan.graphs, plan.notes
            width, height = timeline.width, timeline.height
            cache = request.segment_cache or Cache(work / "segments", enabled=False)
            partial = out.with_name(f".{out.stem}.{os.getpid()}.partial.mp4")
            started = time.perf_counter()
            try:
                encode = request.segment_encoder or encode_segments
                files, run = encode(
                    jobs, plan.costs, cache, width=width, height=height, cores=cores,
                    budget=self.memory_budget, progress=progress,
                )  # fmt: skip
                audio, aac = _audio_of(request)
                join_segments(files, audio, timeline.duration, partial, work, aac=aac)
                os.replace(partial, out)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()
            if progress is not None:
                progress(1.0)
            seconds = time.perf_counter() - started
        preset, crf = QUALITY[request.quality]
        facts: dict[str, Any] = {
            "ffmpeg_version": ffmpeg_version(),
            "graph_filters": sum(g.filter_count for g in graphs),
            "graph_chars": sum(len(g.text) for g in graphs),
            "inputs": sum(g.input_count for g in graphs) + 1,
            "segments": len(graphs),
            "segments_encoded": run["encoded"],
            "segments_reused": run["reused"],
            "frames_encoded": run["frames_encoded"],
            "concurrent_encodes": run["jobs"],
            "moving_shots": plan.moving_shots,
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
            "threads": run["threads"],
            "seconds": round(seconds, 3),
            "subtitles": request.subtitles_ass is not None,
            "watermark": plan.watermark,
        }
        if "tasks" in run:  # encoded elsewhere (the server's segment tasks): by whom
            facts["segment_tasks"] = run["tasks"]
        if notes:
            facts["notes"] = notes
        return Composition(out, timeline.duration, facts)

    def plan_segments(self, request: CompositionRequest, work: Path) -> SegmentPlan:
        """The film's segments as `SegmentJob`s, checked against the request; no encoding.

        Files the jobs read besides the request's (each segment's cut of the subtitles,
        the watermark's text) are written to `work`, which must outlive the encodes (a
        shared folder, when segments are encoded on other machines).
        """
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
        if request.audio_ready is None:  # else the mix is still being made: checked at the join
            _audio_of(request)
        if request.subtitles_ass is not None and not request.subtitles_ass.is_file():
            raise AssetError(
                f"subtitles {request.subtitles_ass} do not exist", path=request.subtitles_ass
            )

        ass_text = None
        if request.subtitles_ass is not None:
            ass_text = request.subtitles_ass.read_text(encoding="utf-8")
        watermark = None
        marks: list[str] = []
        if request.watermark:
            font = _font_for_watermark(request.fonts_dir)
            if font is None:
                notes.append("watermark skipped: no fonts_dir with a font to draw it")
            else:
                textfile = work / "watermark.txt"
                textfile.write_text(request.watermark, encoding="utf-8")
                watermark = watermark_filter(textfile, font, timeline.height)
                marks = [str(textfile), str(font)]
        spans = plan_spans(timeline)
        width, height, fps = timeline.width, timeline.height, timeline.fps
        segments = split_segments(plan_pieces(spans))
        jobs: list[SegmentJob] = []
        graphs: list[Graph] = []
        costs: list[int] = []
        encoder = tuple(encoder_args(request.quality, fps, 1, audio=False))
        for n, pieces in enumerate(segments):
            frames = sum(p.frames for p in pieces)
            reads = list(marks)
            subtitles = None
            if ass_text is not None:
                cut = cut_ass(ass_text, pieces[0].first, frames, fps)
                if "\nDialogue:" in cut:  # a segment with no cue burns nothing
                    local = work / f"segment{n:04d}.ass"
                    local.write_text(cut, encoding="utf-8")
                    subtitles = ass_filter(local, request.fonts_dir)
                    reads.append(str(local))
                    if request.fonts_dir is not None:
                        reads.append(str(request.fonts_dir))
            # a transition reads the tail that the body before it kept (`segments.py`)
            before = segments[n - 1][-1] if n else None
            tails: dict[int, str] = {}
            needs: tuple[tuple[str, str], ...] = ()
            if (
                pieces[0].transition is not None
                and before is not None
                and before.transition is None
                and before.clip == pieces[0].clip - 1
            ):
                tails = {before.clip: str(work / f"tail{n - 1:04d}.nut")}
                needs = ((tails[before.clip], jobs[-1].key()),)
            after = segments[n + 1][0] if n + 1 < len(segments) else None
            keep = (
                pieces[-1].transition is None
                and after is not None
                and after.transition is not None
                and after.clip == pieces[-1].clip + 1
            )
            graph = build_graph(
                clips,
                spans,
                fps=fps,
                width=width,
                height=height,
                subtitles=subtitles,
                watermark=watermark,
                pieces=pieces,
                film_times=False,
                keep_tail=keep,
                tails=tails,
            )
            graphs.append(graph)
            jobs.append(
                SegmentJob(
                    inputs=tuple(graph.inputs),
                    graph=graph.text,
                    output=graph.output,
                    encoder=encoder,
                    frames=frames,
                    fps=fps,
                    reads=tuple(reads),
                    tail_output=graph.tail_output,
                    tail_frames=graph.tail_frames,
                    needs=needs,
                )
            )
            costs.append(segment_cost(pieces, clips, width, height, tails, keep))
        moving = sum(1 for c in clips if c.kind != "video" and c.camera in motion.MOVING)
        return SegmentPlan(jobs, graphs, costs, notes, watermark is not None, moving)


def _audio_of(request: CompositionRequest) -> tuple[Path, Path | None]:
    """The mix (waiting for it, if it is still being made) and its AAC encoding, if any."""
    if request.audio_ready is not None:
        request.audio_ready()
    if not request.audio.is_file():
        raise AssetError(f"audio mix {request.audio} does not exist", path=request.audio)
    aac = request.audio_aac
    return request.audio, aac if aac is not None and aac.is_file() else None


def encode_segments(
    jobs: Sequence[SegmentJob],
    costs: Sequence[int],
    cache: Cache,
    *,
    width: int,
    height: int,
    cores: int,
    budget: int = MEMORY_BUDGET,
    progress: Progress | None = None,
) -> tuple[list[Path], dict[str, int]]:
    """Each job's segment file, from `cache` or encoded (several at once); and counts.

    Only the segments missing from the cache are encoded, as many at once as
    `segments.concurrency` allows for the cores and `budget` bytes: the longest
    first, so the last to finish is a short one, and a transition once the tail it
    reads (`SegmentJob.needs`) is in the cache.
    """
    keys = [job.key() for job in jobs]
    first = {k: n for n, k in reversed(list(enumerate(keys)))}  # one encode per key
    entries: dict[str, Entry] = {}
    for k in first:
        entry = cache.lookup("segment", k)
        if entry is not None and segment_complete(entry, jobs[first[k]]):
            entries[k] = entry
    todo = [n for k, n in first.items() if k not in entries]
    for k in {keys[n] for n in todo}:
        _drop_incomplete(cache, k)
    n_jobs, threads = concurrency(
        [costs[n] for n in todo], width, height, cores, budget, [jobs[n].frames for n in todo]
    )
    total = sum(jobs[n].frames for n in todo) or 1
    done: dict[int, float] = {}
    lock = threading.Lock()

    def encode(n: int) -> Entry:
        job = jobs[n]

        def report(fraction: float) -> None:
            if progress is not None:
                with lock:
                    done[n] = fraction * job.frames
                    progress(0.98 * sum(done.values()) / total)

        def make(folder: Path) -> dict[str, Any]:
            out = encode_segment(job, folder / "segment.ts", threads=threads, progress=report)
            meta: dict[str, Any] = {"file": out.name, "frames": job.frames, "fps": job.fps}
            if job.tail_output is not None:
                meta["tail"] = tail_path(out).name
            return meta

        for path, key in job.needs:
            place_tail(entries[key], Path(path))
        return cache.fetch("segment", keys[n], make)

    waiting = {n: {k for _, k in jobs[n].needs if k not in entries} for n in todo}
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        running: dict[Future[Entry], int] = {}
        while waiting or running:
            ready = sorted(
                (n for n, deps in waiting.items() if not deps), key=lambda n: -jobs[n].frames
            )
            for n in ready[: n_jobs - len(running)]:
                del waiting[n]
                running[pool.submit(in_this_scope(encode), n)] = n
            if not running:
                raise StageError("segments wait for tails no job makes", stage="compose")
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                n = running.pop(future)
                entries[keys[n]] = future.result()
                for deps in waiting.values():
                    deps.discard(keys[n])
    paths = [entries[k].file(entries[k].meta["file"]) for k in keys]
    run = {
        "encoded": len(todo),
        "reused": len(jobs) - len(todo),
        "frames_encoded": sum(jobs[n].frames for n in todo),
        "jobs": n_jobs if todo else 0,
        "threads": threads,
    }
    return paths, run


def segment_complete(entry: Entry, job: SegmentJob) -> bool:
    """Whether a cached segment has every file its job makes (the kept tail too)."""
    names = [entry.meta.get("file")] + ([entry.meta.get("tail")] if job.tail_output else [])
    return all(isinstance(name, str) and entry.file(name).is_file() for name in names)


def _drop_incomplete(cache: Cache, key: str) -> None:
    """Remove an entry that lacks a file (a tail deleted by hand), so it is made again."""
    entry = cache.lookup("segment", key)
    if entry is not None:
        shutil.rmtree(entry.path, ignore_errors=True)


def place_tail(body: Entry, path: Path) -> Path:
    """Put the tail kept in a body's cache entry at `path`, where a transition reads it.

    A hard link where the file system allows (no copy), else a copy.
    """
    source = body.file(body.meta["tail"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    try:
        os.link(source, path)
    except OSError:
        shutil.copyfile(source, path)
    return path


def join_segments(
    segments: Sequence[Path],
    audio: Path,
    duration: float,
    out: Path,
    work: Path,
    *,
    aac: Path | None = None,
) -> None:
    """The segments joined by stream copy, with `audio` encoded to AAC: an MP4, faststart.

    With `aac` (the same audio, already encoded by `audio.encode_aac`) its track is copied
    instead: the same samples, without encoding the film's whole sound again.
    """
    concat = work / "segments.ffconcat"
    listing = ["file '" + str(p.resolve()).replace("'", "'\\''") + "'" for p in segments]
    concat.write_text("ffconcat version 1.0\n" + "\n".join(listing) + "\n", encoding="utf-8")
    args: list[str | Path] = [
        "-f", "concat", "-safe", "0", "-i", str(concat),
        "-i", str(aac or audio),
        "-map", "0:v:0", "-map", "1:a:0",
        "-c:v", "copy", *(["-c:a", "copy"] if aac else AUDIO_ARGS),
        "-t", f"{duration:.6f}",
        "-movflags", "+faststart",
        "-f", "mp4", str(out),
    ]  # fmt: skip
    run_ffmpeg(args, what="compose (joining segments)")
