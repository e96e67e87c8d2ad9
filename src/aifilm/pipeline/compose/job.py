"""One segment's encode as plain data: what it runs, the key it is cached under, the run.

A `SegmentJob` holds only strings and numbers, so it pickles: a segment can be encoded
in this process, in a process pool or as a Celery task on another machine, given the
files it names. Its `key()` hashes the complete FFmpeg filter description with every
file it reads replaced by the SHA-256 of its content (pictures, overlays and the files
an `.ffconcat` list names, the segment's subtitles, fonts, watermark text), plus the
encoder settings and FFmpeg's version. Whatever changes a segment's picture changes its
filter graph or one of those files, so it changes the key; a filter a later change
adds to a shot's chain (parallax layers, say) is covered without touching this module.

A body followed by a transition also writes its clip's tail losslessly (`tail_output`,
beside the segment: `tail_path`), and that transition's job names the file in `needs`
with the body's key: its own key then hashes that key, since the file does not exist
before the body is encoded. Whoever runs a transition places the tail first
(`ffmpeg.encode_segments` links it from the body's cache entry).
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from aifilm.media.ffmpeg import ffmpeg_version, run_ffmpeg
from aifilm.pipeline.cache import cache_key, file_digest
from aifilm.pipeline.compose.base import Progress
from aifilm.pipeline.compose.graph import escape_value

SEGMENT_VERSION = "2"  # bump when how a job becomes a file changes (2: transitions)
# Lossless and cheap: Ut Video costs ~0.1 s of CPU each way for a 1 s 720p tail; FFV1 (a
# third smaller) cost 0.5 s to encode and 0.75 s to decode, per transition
TAIL_CODEC = ("-c:v", "utvideo", "-threads", "1")
# a longer graph goes through a file: one argument may hold at most 128 KiB on Linux
INLINE_GRAPH_LIMIT = 100_000
_ENCODER_ONLY = ("-threads",)  # encoder options that do not change the picture's content


@dataclass(frozen=True)
class SegmentJob:
    """Everything one segment's encode needs; plain data, picklable.

    `inputs` are FFmpeg's input arguments (`-i PATH` ...), `graph` the filter graph whose
    `output` label is the picture, `encoder` the video encoder's arguments. `reads` names
    files the graph reads that are not inputs (subtitles, a fonts folder, a watermark's
    text). The segment is `frames` frames at `fps`, timestamps from 0.

    `tail_output` (with `tail_frames`) is a second output label: the clip's tail, kept
    losslessly at `tail_path(out)`. `needs` pairs each input file that another job
    makes (a kept tail) with that job's key.
    """

    inputs: tuple[str, ...]
    graph: str
    output: str
    encoder: tuple[str, ...]
    frames: int
    fps: int
    reads: tuple[str, ...] = ()
    tail_output: str | None = None
    tail_frames: int = 0
    needs: tuple[tuple[str, str], ...] = ()

    def files(self) -> list[str]:
        """Every file or folder the job reads: its inputs, then `reads`."""
        found = [self.inputs[i + 1] for i, a in enumerate(self.inputs[:-1]) if a == "-i"]
        return list(dict.fromkeys([*found, *self.reads]))

    def description(self) -> dict[str, object]:
        """The job with each file it reads replaced by its content's digest (what `key` hashes)."""
        made = dict(self.needs)
        digests = {
            path: f"@tail:{made[path]}" if path in made else "@sha256:" + content_digest(Path(path))
            for path in self.files()
        }
        graph = self.graph
        # longest first, so a path that contains another is replaced whole
        for path in sorted(digests, key=len, reverse=True):
            graph = graph.replace(escape_value(path), digests[path]).replace(path, digests[path])
        encoder = list(self.encoder)
        for option in _ENCODER_ONLY:
            while option in encoder:
                at = encoder.index(option)
                del encoder[at : at + 2]
        described: dict[str, object] = {
            "inputs": [digests.get(a, a) for a in self.inputs],
            "graph": graph,
            "output": self.output,
            "encoder": encoder,
            "frames": self.frames,
            "fps": self.fps,
        }
        if self.tail_output is not None:
            described["tail"] = [self.tail_output, self.tail_frames, list(TAIL_CODEC)]
        return described

    def key(self) -> str:
        """The segment's cache key: its description, FFmpeg's version and `SEGMENT_VERSION`."""
        return cache_key("segment", SEGMENT_VERSION, ffmpeg_version(), self.description())


def content_digest(path: Path) -> str:
    """SHA-256 of what FFmpeg reads at `path`: a file, an `.ffconcat` list with the files
    it names, or a folder's files (a fonts folder)."""
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(path.iterdir()):
            if child.is_file():
                digest.update(f"{child.name}\0{file_digest(child)}\n".encode())
        return digest.hexdigest()
    if path.suffix == ".ffconcat" and path.is_file():
        digest = hashlib.sha256(file_digest(path).encode())
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip().startswith("file "):
                name = line.strip()[5:].strip().strip("'\"")
                listed = (path.parent / name) if not Path(name).is_absolute() else Path(name)
                if listed.is_file():
                    digest.update(file_digest(listed).encode())
        return digest.hexdigest()
    return file_digest(path)


def tail_path(out: Path) -> Path:
    """Where `encode_segment` keeps a body's tail beside its segment `out`."""
    return Path(out).with_name(Path(out).stem + ".tail.nut")


def encode_segment(
    job: SegmentJob, out: Path, *, threads: int = 1, progress: Progress | None = None
) -> Path:
    """Encode `job` to `out` (MPEG-TS, video only) with `threads` encoder threads.

    A job with a `tail_output` also writes the clip's tail to `tail_path(out)` (Ut Video, lossless).
    """
    out = Path(out)
    script = out.with_name(out.name + ".graph.txt")
    if len(job.graph) > INLINE_GRAPH_LIMIT:
        script.write_text(job.graph, encoding="utf-8")
        graph_args = ["-/filter_complex", str(script)]
    else:
        graph_args = ["-filter_complex", job.graph]
    encoder = list(job.encoder)
    for option in _ENCODER_ONLY:
        while option in encoder:
            at = encoder.index(option)
            del encoder[at : at + 2]
    args: list[str | Path] = [
        *job.inputs,
        *graph_args,
        "-filter_complex_threads", "1",
        "-map", f"[{job.output}]",
        *encoder, "-threads", str(threads),
        "-frames:v", str(job.frames),
        "-f", "mpegts", str(out),
    ]  # fmt: skip
    if job.tail_output is not None:
        args += [
            "-map", f"[{job.tail_output}]", *TAIL_CODEC, "-fps_mode", "passthrough",
            "-frames:v", str(job.tail_frames), "-f", "nut", str(tail_path(out)),
        ]  # fmt: skip
    try:
        run_ffmpeg(
            args,
            duration=job.frames / job.fps,
            progress=progress,
            what=f"compose (a segment of {job.frames} frames)",
        )
    finally:
        with contextlib.suppress(FileNotFoundError):
            script.unlink()
    return out
