"""What is installed: aifilm's version (from the package's metadata) and its licence notices."""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path


def version() -> str:
    """The installed distribution's version (what ``pip show aifilm`` says)."""
    return metadata.version("aifilm")


def notices_file() -> Path:
    """THIRD_PARTY_NOTICES.md inside the installed package: what aifilm ships that others wrote."""
    return Path(str(resources.files("aifilm").joinpath("THIRD_PARTY_NOTICES.md")))


__all__ = ["notices_file", "version"]
