"""A downloaded video fitted to its shot: the shot's size and frame rate, exactly its frames.

Providers send clips of their own size, rate, codec and length (a stock clip of 4K HEVC,
a generated clip of 5 s for a 7 s shot). One FFmpeg pass makes every clip what the
composer expects of a `video` visual: H.264 at the shot's size, cover-cropped, at the
film's rate, with exactly ``round(duration * fps)`` frames, looped from the start when the
source is shorter, and no sound (the film's own audio is mixed separately).
"""

from __future__ import annotations

from pathlib import Path

from aifilm.pipeline.visuals.base import VisualRequest

CLIP_FILE = "clip.mp4"


def fit_clip(data: bytes, request: VisualRequest, out_dir: Path, what: str) -> Path:
    """Write the shot's clip from a video's bytes; `ToolError` when FFmpeg cannot read it."""
    from aifilm.media.ffmpeg import run_ffmpeg

    source = out_dir / "source.video"
    source.write_bytes(data)
    out = out_dir / CLIP_FILE
    frames = max(1, round(request.duration * request.fps))
    w, h = request.width - request.width % 2, request.height - request.height % 2
    # fmt: off
    args: list[str | Path] = [
        "-y", "-v", "error", "-stream_loop", "-1", "-i", source,
        "-vf", f"fps={request.fps},scale={w}:{h}:force_original_aspect_ratio=increase,"
        f"crop={w}:{h},setsar=1,format=yuv420p",
        "-frames:v", str(frames), "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
        out,
    ]
    # fmt: on
    try:
        run_ffmpeg(args, what=what)
    finally:
        source.unlink(missing_ok=True)
    return out
