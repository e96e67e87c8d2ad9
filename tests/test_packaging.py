"""What a user gets from the package: the version, the licence files, type information.

The wheel is built here with hatchling (no network), as `pip install` would build it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest

import aifilm
from aifilm.about import notices_file

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "aifilm"


def test_version_option_prints_the_installed_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "aifilm", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"aifilm {metadata.version('aifilm')}"
    assert metadata.version("aifilm") == aifilm.__version__


def test_every_bundled_file_that_is_not_code_has_a_notice() -> None:
    """A data file (template, document, picture, sound) added to the package is named here."""
    text = notices_file().read_text(encoding="utf-8")
    own = {"py.typed", "THIRD_PARTY_NOTICES.md"}
    bundled = [
        p
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and p.name not in own
    ]
    assert bundled, "the package has data files (the YouTube discovery document at least)"
    for path in bundled:
        # A file is covered by its own name, or by its folder's path (649 pictures share one).
        folder = path.parent.relative_to(PACKAGE).as_posix() + "/"
        named = path.name in text or f"aifilm/{folder}" in text
        assert named, f"{path.relative_to(PACKAGE)} is not in THIRD_PARTY_NOTICES.md"
    for ported in ("sadtalker_nets", "wav2lip_net.py"):
        assert ported in text


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("aifilm-*.whl")
    return built


def test_wheel_carries_types_licences_and_notices(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(f"{dist_info}/METADATA").decode())
        licence = zf.read(f"{dist_info}/licenses/LICENSE").decode()
    assert "aifilm/py.typed" in names  # mypy users type-check against aifilm
    assert "aifilm/THIRD_PARTY_NOTICES.md" in names
    assert "aifilm/publish/youtube/youtube.v3.json" in names
    assert licence.startswith("MIT License")
    assert meta["Version"] == aifilm.__version__
    assert meta["License-Expression"] == "MIT"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Repository", "Issues", "Changelog"} <= set(urls)
    requires = " ".join(meta.get_all("Requires-Dist")).lower()
    assert "tinysoundfont" not in requires and "pyaudio" not in requires
