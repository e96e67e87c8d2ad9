"""Docs that run: the Python examples in the README execute as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.mark.parametrize("doc", ["README.md", "docs/architecture.md", "docs/python-api.md"])
def test_python_examples_run(doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _python_blocks(ROOT / doc)
    assert blocks, f"{doc} has no python examples"
    # Run from a scratch folder that sees the examples, so nothing is written into the repo.
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        if "def synthesize(self, request, out): ..." in block:
            block = block.replace(
                "my_package.aifilm_plugin", "plugin"
            )  # a plug-in sketch: compile only
            compile(block, doc, "exec")
            continue
        exec(compile(block, doc, "exec"), {"__name__": "__docs__"})
    if doc == "README.md":
        assert any(p.suffix == ".mp4" for p in (tmp_path / "renders").iterdir())
    assert os.getcwd() == str(tmp_path)
