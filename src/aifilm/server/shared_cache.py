"""The render cache shared by every worker through the server's storage (folder or S3).

Each worker keeps its own local cache (`render_cache_dir`); entries a fanned-out render
needs elsewhere (a voice line, a picture, a lip-synced face) are also put in the storage
under `render-cache/<stage>/<key>/`, and a worker that misses an entry locally fetches it
from there before making it. An entry's `meta.json` goes up last and lists the entry's
files, so a reader never sees half an entry.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aifilm.pipeline.cache import META, Cache, Entry
from aifilm.server.storage import Storage

PREFIX = "render-cache"
FILES = "__files__"  # in the stored meta.json: the entry's files, relative to its folder
# Made once at the end by the worker that holds the job: not worth sharing.
LOCAL_ONLY = frozenset({"film", "thumbnail", "mix"})


class SharedCache(Cache):
    """A local cache whose entries are mirrored to, and fetched from, a `Storage`."""

    def __init__(self, root: Path, storage: Storage) -> None:
        super().__init__(root, enabled=True)
        self.storage = storage

    @staticmethod
    def _key(stage: str, key: str, name: str) -> str:
        return f"{PREFIX}/{stage}/{key[:2]}/{key}/{name}"

    def lookup(self, stage: str, key: str) -> Entry | None:
        """The entry from the local cache, else from the storage (then kept locally)."""
        found = super().lookup(stage, key)
        if found is not None or stage in LOCAL_ONLY:
            return found
        return self._download(stage, key)

    def shared(self, stage: str, key: str) -> bool:
        """Whether the storage holds the entry (a cheap check, nothing downloaded)."""
        local = self.storage.local_path(self._key(stage, key, META))
        if local is not None:
            return local.is_file()
        return self._download(stage, key) is not None

    def prune_shared(self, max_bytes: int) -> None:
        """Keep the shared folder's entries within `max_bytes`, least recently used first.

        Only for storage in a folder; in S3, a lifecycle rule on `render-cache/` expires them
        (docs/server.md, Fan-out).
        """
        folder = self.storage.local_path(PREFIX)
        if folder is not None and folder.is_dir() and max_bytes > 0:
            Cache(folder).prune(max_bytes)

    def fetch(self, stage: str, key: str, make: Callable[[Path], dict[str, Any]]) -> Entry:
        """As `Cache.fetch`; an entry made here is put in the storage for the others."""
        entry = super().fetch(stage, key, make)
        if not entry.hit and stage not in LOCAL_ONLY:
            self._upload(stage, key, entry)
        return entry

    def share(self, stage: str, key: str) -> None:
        """Put a finished local entry in the storage (one made before this cache shared it)."""
        entry = Cache.lookup(self, stage, key)
        if entry is None:
            raise KeyError(f"no local entry {stage}/{key}")
        self._upload(stage, key, entry)

    def _upload(self, stage: str, key: str, entry: Entry) -> None:
        files = sorted(
            p.relative_to(entry.path).as_posix()
            for p in entry.path.rglob("*")
            if p.is_file() and p.name != META
        )
        for name in files:
            self.storage.put_file(
                self._key(stage, key, name), entry.path / name, "application/octet-stream"
            )
        meta = json.dumps({**entry.meta, FILES: files}, ensure_ascii=False, default=str)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
            out.write(meta)
        try:
            self.storage.put_file(self._key(stage, key, META), Path(out.name), "application/json")
        finally:
            os.unlink(out.name)

    def _download(self, stage: str, key: str) -> Entry | None:
        final = self._dir(stage, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{key[:8]}-", dir=final.parent))
        try:
            try:
                self.storage.get_file(self._key(stage, key, META), work / META)
            except Exception:  # not there (FileNotFoundError, S3's 404) or not reachable
                shutil.rmtree(work, ignore_errors=True)
                return None
            meta = json.loads((work / META).read_text())
            shared = self.storage.local_path(self._key(stage, key, META))
            if shared is not None:  # used now: the last the shared folder's pruning removes
                os.utime(shared.parent)
            try:
                for name in meta.get(FILES, []):
                    self.storage.get_file(self._key(stage, key, name), work / name)
            except Exception:  # pruned meanwhile: a miss, made again
                shutil.rmtree(work, ignore_errors=True)
                return None
            if final.exists():  # fetched meanwhile by another thread: keep theirs
                shutil.rmtree(work, ignore_errors=True)
            else:
                os.replace(work, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return super().lookup(stage, key)
