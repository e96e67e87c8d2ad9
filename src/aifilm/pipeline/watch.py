"""Re-render on every save (`aifilm render --watch`), and say what each render redid.

The loop renders, then polls the watched files' size and modification time; when one
changes and has stayed unchanged for a moment (an editor's save can take two writes),
it renders again. Each render goes through the content cache, so an edited line redoes
that line's voice, the mix and the film segments its shot touches, and reuses the
rest; the process stays alive, so voice models stay loaded (loaded after the first
render even when it spoke no line: `voice.base.keep_models_warm`). A render that fails (the
file is half-typed YAML) is reported and the loop waits for the next save.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from aifilm.errors import AifilmError

Snapshot = dict[Path, tuple[int, int] | None]


def snapshot(files: Iterable[Path]) -> Snapshot:
    """(modification time in ns, size) of each file; None for a missing one."""
    found: Snapshot = {}
    for path in files:
        try:
            stat = path.stat()
            found[path] = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            found[path] = None
    return found


def redone_summary(report: Mapping[str, Any]) -> str:
    """One line saying what a render redid and what it took from the cache.

    e.g. "redone: voice 1/6, mix, film segments 3/11 · reused: music, visuals 6/6 · 3.1 s"
    """
    composer = report.get("composer") or {}
    redone, reused = [], []
    for stage in report.get("stages", []):
        name, new, old = stage["name"], stage["cache_misses"], stage["cache_hits"]
        if name == "compose" and "segments" in composer:
            encoded, total = composer.get("segments_encoded", 0), composer["segments"]
            if encoded:
                redone.append(f"film segments {encoded}/{total}")
            if total - encoded:
                reused.append(f"film segments {total - encoded}/{total}")
            continue
        if new + old == 0:
            continue
        part = name if new + old == 1 else f"{name} {new if new else old}/{new + old}"
        (redone if new else reused).append(part)
        if new and old:
            reused.append(f"{name} {old}/{new + old}")
    text = "redone: " + (", ".join(redone) or "nothing")
    if reused:
        text += " · reused: " + ", ".join(reused)
    return text + f" · {report.get('wall_seconds', 0):.1f} s"


def watch_renders(
    render_once: Callable[[], Any],
    watched: Callable[[], Iterable[Path]],
    *,
    on_result: Callable[[Any], None],
    on_error: Callable[[AifilmError], None],
    on_wait: Callable[[list[Path]], None] | None = None,
    interval: float = 0.3,
    stop: threading.Event | None = None,
    max_renders: int | None = None,
) -> int:
    """Render, then render again each time a file of `watched()` changes; the renders done.

    Runs until `stop` is set, `max_renders` renders were made, or KeyboardInterrupt.
    `watched` is asked again after every render (a project may name a new script).
    """
    from aifilm.pipeline.voice.base import keep_models_warm

    keep_models_warm()  # the first edited line then starts at once (trade-off: its doc)
    try:
        stop = stop or threading.Event()
        renders = 0
        files: list[Path] = []
        while not stop.is_set():
            # taken before the render, so a save made while it runs starts the next one
            before = snapshot(files)
            try:
                on_result(render_once())
            except AifilmError as error:
                on_error(error)
            renders += 1
            if max_renders is not None and renders >= max_renders:
                break
            files = list(dict.fromkeys(watched()))
            before = {path: before.get(path, snapshot([path])[path]) for path in files}
            if on_wait is not None:
                on_wait(files)
            while not stop.wait(interval):
                now = snapshot(files)
                if now == before:
                    continue
                # settle: an editor may write a file in more than one step
                while not stop.wait(interval):
                    settled = snapshot(files)
                    if settled == now:
                        break
                    now = settled
                break
    finally:
        keep_models_warm(False)
    return renders
