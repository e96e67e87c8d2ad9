"""Finding and running FFmpeg.

The binary comes from the `AIFILM_FFMPEG` setting, else the static build that
ships in the `imageio-ffmpeg` wheel (libx264, libass, full filter set), else
`ffmpeg` on PATH. Nothing probes at import time.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from aifilm.errors import MissingDependencyError, ToolError


@functools.lru_cache(maxsize=4)
def _find(override: str | None) -> str:
    if override:
        if shutil.which(override) or Path(override).is_file():
            return override
        raise MissingDependencyError(f"AIFILM_FFMPEG points at '{override}', which does not exist")
    try:
        import imageio_ffmpeg

        exe: str = imageio_ffmpeg.get_ffmpeg_exe()
        return exe
    except Exception:  # the wheel may be missing for this platform
        found = shutil.which("ffmpeg")
        if found:
            return found
    raise MissingDependencyError(
        "FFmpeg was not found",
        hint="pip install imageio-ffmpeg (ships a static FFmpeg), or put ffmpeg on PATH",
    )


def ffmpeg_exe() -> str:
    """Path of the FFmpeg program to run."""
    return _find(os.environ.get("AIFILM_FFMPEG"))


def run_ffmpeg(
    args: Sequence[str | Path],
    *,
    duration: float | None = None,
    progress: Callable[[float], None] | None = None,
    what: str = "FFmpeg",
) -> None:
    """Run FFmpeg with `args` (no program name); raise `ToolError` with its log on failure.

    With `duration` and `progress`, reports the fraction done from `-progress`.
    """
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error"]
    if progress is not None:
        command += ["-progress", "pipe:1", "-nostats"]
    command += [str(a) for a in args]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace"
    )
    stderr_lines: list[str] = []
    import threading

    def drain() -> None:
        assert proc.stderr is not None
        for err_line in proc.stderr:
            stderr_lines.append(err_line)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    assert proc.stdout is not None
    for line in proc.stdout:
        if progress is not None and duration and line.startswith("out_time_us="):
            value = line.split("=", 1)[1].strip()
            if value.isdigit():
                progress(min(1.0, int(value) / 1e6 / duration))
    code = proc.wait()
    reader.join()
    if code != 0:
        raise ToolError(
            f"{what} failed (exit code {code})", command=command, log="".join(stderr_lines)
        )
    if progress is not None:
        progress(1.0)


@functools.lru_cache(maxsize=1)
def ffmpeg_version() -> str:
    """The FFmpeg version string, e.g. '7.0.2-static'."""
    out = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True).stdout
    match = re.search(r"ffmpeg version (\S+)", out)
    return match.group(1) if match else "unknown"


@functools.lru_cache(maxsize=1)
def ffmpeg_filters() -> frozenset[str]:
    """Names of the filters this FFmpeg build has."""
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-filters"], capture_output=True, text=True
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and re.fullmatch(r"[TSC.]{2,3}", parts[0]):
            names.add(parts[1])
    return frozenset(names)


@functools.lru_cache(maxsize=1)
def ffmpeg_encoders() -> frozenset[str]:
    """Names of the encoders this FFmpeg build has."""
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-encoders"], capture_output=True, text=True
    ).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) > 1 and line.startswith((" V", " A", " S")) and "=" not in parts[1]:
            names.add(parts[1])
    return frozenset(names)
