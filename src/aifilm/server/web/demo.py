"""The landing page's demo film, rendered by this server from the shipped script.

Neither the repository nor the wheel carries a film: the first request for one of the demo's
files renders `static/demo/project.yaml` with the server's own offline backends into
`data_dir/demo/<script digest>/` (a few seconds), and later requests read it from there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

# the files the landing page asks for, and their types
DEMO_FILES = {"demo.mp4": "video/mp4", "demo.jpg": "image/jpeg", "demo.vtt": "text/vtt"}
_lock = threading.Lock()


def demo_script() -> str:
    """The demo film's project.yaml, as shipped."""
    from aifilm.server.web.site import static_root

    return str(static_root().joinpath("demo", "project.yaml").read_text(encoding="utf-8"))


def demo_file(data_dir: Path, name: str) -> Path:
    """The demo's file `name` (one of DEMO_FILES), rendered first if this server has none."""
    script = demo_script()
    folder = Path(data_dir) / "demo" / hashlib.sha256(script.encode()).hexdigest()[:16]
    with _lock:  # concurrent first visitors wait for one render
        if not all((folder / n).is_file() for n in DEMO_FILES):
            _render(script, folder)
    return folder / name


def _render(script: str, folder: Path) -> None:
    from PIL import Image

    from aifilm import Project, render

    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".demo-", dir=folder.parent) as tmp:
        work = Path(tmp)
        (work / "project.yaml").write_text(script, encoding="utf-8")
        result = render(Project.load(work / "project.yaml"), work / "renders")
        done = work / "done"
        done.mkdir()
        shutil.copyfile(result.video, done / "demo.mp4")
        shutil.copyfile(result.subtitles["vtt"], done / "demo.vtt")
        assert result.thumbnail is not None  # a film with pictures always gets one
        with Image.open(result.thumbnail) as thumb:
            thumb.convert("RGB").save(done / "demo.jpg", quality=85)
        shutil.rmtree(folder, ignore_errors=True)  # a half-made folder from a crash
        os.replace(done, folder)  # whole or not at all
