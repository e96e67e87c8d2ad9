"""Content-addressed cache of stage outputs.

Every piece of work (one line of speech, one music bed, one still, one mix, one
film) is stored under a key hashed from everything that decides its output:
the backend's identity and options, the text, the settings and the *content*
of input files. A re-render redoes only pieces whose key changed, and a render
that was interrupted resumes with every piece it had finished. Entries are
written in a temporary folder and renamed into place, so a crash never leaves
half an entry behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

META = "meta.json"


def file_digest(path: Path, _memo: dict[tuple[str, int, int], str] = {}) -> str:  # noqa: B006
    """SHA-256 of a file's content, memoised by (path, size, mtime) within the process."""
    stat = path.stat()
    memo_key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo_key not in _memo:
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        _memo[memo_key] = digest.hexdigest()
    return _memo[memo_key]


def _canonical(value: Any) -> Any:
    if isinstance(value, Path):
        return {"file-sha256": file_digest(value)} if value.is_file() else {"path": str(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if hasattr(value, "model_dump"):
        return _canonical(value.model_dump(mode="python"))
    if isinstance(value, float):
        return round(value, 6)
    return value


def cache_key(*parts: Any) -> str:
    """A stable hash of JSON-like parts; `Path`s to files count by their content."""
    blob = json.dumps(_canonical(list(parts)), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Entry:
    """A finished cache entry: its folder and the metadata the stage stored with it."""

    path: Path
    meta: dict[str, Any]
    hit: bool

    def file(self, name: str) -> Path:
        """A file of the entry."""
        return self.path / name


class Cache:
    """Stage outputs under `root/<stage>/<key>/`; disabled caches still work, in a temp dir."""

    def __init__(self, root: Path | None, *, enabled: bool = True) -> None:
        self.enabled = enabled and root is not None
        self.root = (
            Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="aifilm-nocache-"))
        )
        self.hits = 0
        self.misses = 0

    def _dir(self, stage: str, key: str) -> Path:
        return self.root / stage / key[:2] / key

    def lookup(self, stage: str, key: str) -> Entry | None:
        """The finished entry for a key, if there is one."""
        if not self.enabled:
            return None
        folder = self._dir(stage, key)
        try:
            meta = json.loads((folder / META).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        os.utime(folder)  # so a size-capped clean-up removes least recently used first
        return Entry(folder, meta, hit=True)

    def fetch(self, stage: str, key: str, make: Callable[[Path], dict[str, Any]]) -> Entry:
        """The entry for a key, made by `make(folder) -> meta` when missing.

        `make` writes its files into the folder it is given and returns JSON-able
        metadata. The folder becomes the entry only if `make` returns.
        """
        found = self.lookup(stage, key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        final = self._dir(stage, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=final.parent))
        try:
            meta = make(work)
            meta = {**meta, "created": time.time()}
            (work / META).write_text(json.dumps(meta, ensure_ascii=False, default=str))
            if final.exists():  # made meanwhile by another process: keep theirs
                shutil.rmtree(work, ignore_errors=True)
            else:
                os.replace(work, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return Entry(final, json.loads((final / META).read_text()), hit=False)

    def size_bytes(self) -> int:
        """Bytes the cache holds."""
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())

    def clear(self) -> None:
        """Remove every entry."""
        shutil.rmtree(self.root, ignore_errors=True)
