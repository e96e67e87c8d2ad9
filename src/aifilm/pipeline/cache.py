"""Content-addressed cache of stage outputs.

Every piece of work (one line of speech, one music bed, one still, one mix, one
film) is stored under a key hashed from everything that decides its output:
the backend's identity and options, the text, the settings and the *content*
of input files. A re-render redoes only pieces whose key changed, and a render
that was interrupted resumes with every piece it had finished. Entries are
written in a temporary folder and renamed into place, so a crash never leaves
half an entry behind.

The cache is kept under a size cap (`Settings.cache_max_size`) by `Cache.prune`,
which removes the least recently used entries first: a lookup marks an entry used.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

META = "meta.json"
STALE_WORK_SECONDS = 3600  # an unfinished entry this old belongs to a crashed process


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


@dataclass
class Tally:
    """Cache hits and misses counted for one scope (a stage: `Cache.counting`)."""

    hits: int = 0
    misses: int = 0

    def add(self, *, hit: bool) -> None:
        if hit:
            self.hits += 1
        else:
            self.misses += 1


# The scope being counted. Stages overlap (the mix is made in a thread while the picture
# is encoded), so a stage counts its own fetches, not the cache's totals over its time.
_TALLY: contextvars.ContextVar[Tally | None] = contextvars.ContextVar("aifilm_tally", default=None)
_tally_lock = threading.Lock()  # fetches run in several threads (segment encodes, pieces)


def in_this_scope(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` to run in another thread, counting its cache use in the caller's scope.

    Threads start without the caller's context; give each submitted call a copy of it
    (a context can be entered by one thread at a time).
    """
    context = contextvars.copy_context()
    return lambda *args: context.copy().run(function, *args)


class Cache:
    """Stage outputs under `root/<stage>/<key>/`; disabled caches still work, in a temp dir."""

    def __init__(self, root: Path | None, *, enabled: bool = True) -> None:
        self.enabled = enabled and root is not None
        self.root = (
            Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="aifilm-nocache-"))
        )
        self.totals = Tally()  # every fetch and `count` of this cache, whatever the scope

    @property
    def hits(self) -> int:
        return self.totals.hits

    @property
    def misses(self) -> int:
        return self.totals.misses

    def count(self, *, hit: bool) -> None:
        """Count a hit or a miss: in the cache's totals and in the scope being counted.

        For pieces found or made outside `fetch` (by other processes or machines).
        """
        tally = _TALLY.get()
        with _tally_lock:
            self.totals.add(hit=hit)
            if tally is not None:
                tally.add(hit=hit)

    @staticmethod
    @contextlib.contextmanager
    def counting() -> Iterator[Tally]:
        """Count the hits and misses of every cache in this context (and the threads given
        it by `in_this_scope`) into a fresh `Tally`, until the block ends."""
        tally = Tally()
        token = _TALLY.set(tally)
        try:
            yield tally
        finally:
            _TALLY.reset(token)

    def _dir(self, stage: str, key: str) -> Path:
        return self.root / stage / key[:2] / key

    def folder(self, stage: str, key: str) -> Path:
        """Where the entry for a key is, or will be once `fetch` has made it."""
        return self._dir(stage, key)

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
        self.count(hit=found is not None)
        if found is not None:
            return found
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
        return _tree_size(self.root)

    def entries(self) -> list[CachedItem]:
        """Every finished entry, least recently used first."""
        found = []
        for meta in self.root.glob(f"*/*/*/{META}"):
            folder = meta.parent
            try:
                used = folder.stat().st_mtime
            except FileNotFoundError:  # removed meanwhile by another process
                continue
            found.append(CachedItem(folder, folder.parts[-3], _tree_size(folder), used))
        return sorted(found, key=lambda e: (e.last_used, str(e.path)))

    def prune(self, max_bytes: int) -> PruneResult:
        """Remove least recently used entries until the entries fit in `max_bytes`.

        Unfinished entries left by crashed processes (over an hour old) go too.
        """
        freed = removed = 0
        now = time.time()
        for work in self.root.glob("*/*/.*"):
            try:
                stale = work.is_dir() and now - work.stat().st_mtime > STALE_WORK_SECONDS
            except FileNotFoundError:
                continue
            if stale:
                size = _tree_size(work)
                shutil.rmtree(work, ignore_errors=True)
                freed += size
        entries = self.entries()
        total = sum(e.size for e in entries)
        for entry in entries:
            if total <= max_bytes:
                break
            shutil.rmtree(entry.path, ignore_errors=True)
            total -= entry.size
            freed += entry.size
            removed += 1
        return PruneResult(
            removed=removed, freed_bytes=freed, kept=len(entries) - removed, kept_bytes=total
        )

    def clear(self) -> int:
        """Remove every entry (and everything else in the folder); return the bytes freed."""
        size = _tree_size(self.root)
        shutil.rmtree(self.root, ignore_errors=True)
        return size


@dataclass(frozen=True)
class CachedItem:
    """One finished cache entry on disk: its folder, stage, size and when it was last used."""

    path: Path
    stage: str
    size: int
    last_used: float


@dataclass(frozen=True)
class PruneResult:
    """What `Cache.prune` removed and what it kept."""

    removed: int
    freed_bytes: int
    kept: int
    kept_bytes: int


def _tree_size(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except FileNotFoundError:
            continue
    return total
