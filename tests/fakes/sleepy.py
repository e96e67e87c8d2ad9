"""A toy visuals backend whose every shot takes a fixed time: the stills backend after a
sleep. For measuring and testing fan-out (benchmarks/bench_fanout.py, tests of
`--workers` and of Celery pieces); registered only by them, never shipped.

`AIFILM_SLEEPY_LOG` names a file where each piece appends "<pid> start <colour>" when it
starts and "<pid> end <colour>" when it is done, so a test can kill a worker mid-shot.

Run a worker that knows it: `python -m tests.fakes.sleepy worker --celery`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import ClassVar

from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.registry import registry
from aifilm.pipeline.visuals.base import Visual, VisualRequest
from aifilm.pipeline.visuals.stills import Stills


class Sleepy(Stills):
    """Stills, each after `seconds` of sleep (a stand-in for a GPU model's fixed time)."""

    name: ClassVar[str] = "sleepy"
    description: ClassVar[str] = "test only: stills after a fixed sleep"
    version: ClassVar[str] = "1"

    class Options(BackendOptions):
        """How long a shot takes; a colour it refuses (to test errors)."""

        seconds: float = 1.0
        fail_color: str | None = None

    options: Options

    def render(self, request: VisualRequest, out_dir: Path) -> Visual:
        """Sleep, then draw the still."""
        colour = request.spec.color or request.spec.kind
        _note(f"{os.getpid()} start {colour}")
        time.sleep(self.options.seconds)
        if self.options.fail_color and request.spec.color == self.options.fail_color:
            raise RuntimeError(f"the toy backend refuses the colour {colour}")
        visual = super().render(request, out_dir)
        _note(f"{os.getpid()} end {colour}")
        return visual


def _note(line: str) -> None:
    log = os.environ.get("AIFILM_SLEEPY_LOG")
    if log:
        with open(log, "a") as out:  # one short append per line: whole lines, any process
            out.write(line + "\n")


def register() -> None:
    """Make the toy backend available in this process."""
    registry.register(Sleepy)


def unregister() -> None:
    """Remove it again."""
    registry.unregister(Sleepy)


if __name__ == "__main__":  # `python -m tests.fakes.sleepy worker --celery`: a worker with it
    register()
    from aifilm.cli.app import main

    main()
