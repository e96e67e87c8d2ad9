"""How a render shows its progress to a person: bars where they can redraw, lines where not.

`aifilm render` and `aifilm.render(...)` both use `progress_display`: in a terminal or a
notebook, one rich progress bar per stage; in a log (CI, a pipe, a file), one line per
stage when it ends, with its time, so a log shows where a render is while it runs.
Warnings appear as they happen in both. Message text is never read as rich markup.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from aifilm.pipeline.context import ProgressCallback, ProgressEvent


def _warning(console: Console, event: ProgressEvent) -> None:
    console.print(
        f"[yellow]warning[/] ({escape(event.stage)}): {escape(event.message)}",
        highlight=False,
        soft_wrap=True,  # a log keeps the whole warning on one line, greppable
    )


class StageBars:
    """One rich progress bar per stage, fed by progress events (for terminals and notebooks)."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description:<10}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("[dim]{task.fields[note]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if event.event == "warning":
            _warning(self.progress.console, event)
            return
        task = self.tasks.get(event.stage)
        if task is None:
            task = self.tasks[event.stage] = self.progress.add_task(
                escape(event.stage), total=1.0, note=""
            )
        if event.event == "finish":
            self.progress.update(task, completed=1.0, total=1.0, note="done")
        elif event.total:
            self.progress.update(
                task, completed=event.done / event.total, note=escape(event.message[:40])
            )


class StageLines:
    """One line per finished stage with its time, and each warning (for logs without a TTY)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started: dict[str, float] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if event.event == "warning":
            _warning(self.console, event)
        elif event.event == "start":
            self.started[event.stage] = time.perf_counter()
        elif event.event == "finish":
            began = self.started.pop(event.stage, None)
            took = f"{time.perf_counter() - began:7.1f} s" if began is not None else ""
            self.console.print(
                f"{escape(event.stage):<10} done {took}", highlight=False, soft_wrap=True
            )


@contextmanager
def progress_display(console: Console | None = None) -> Iterator[ProgressCallback]:
    """A progress callback suited to where the output goes; bars are closed on exit."""
    console = console or Console(stderr=True)
    if console.is_terminal or console.is_jupyter:
        bars = StageBars(console)
        with bars.progress:
            yield bars
    else:
        yield StageLines(console)
