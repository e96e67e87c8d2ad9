"""What was published where: so the same film is never uploaded twice to one channel.

`youtube-published.json` in the data dir, keyed by channel ID and the film's SHA-256. A record
is written as soon as the upload session opens (its URI lets a later run continue the same
upload) and again after each step (video, thumbnail, captions, playlist), so a run that stops
half-way is finished by the next one instead of repeated.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

from aifilm.publish.youtube.quota import _file_lock
from aifilm.publish.youtube.settings import YouTubeSettings

STATE_FILE = "youtube-published.json"


class PublishRecords(Protocol):
    """Where `publish()` keeps what it did: the record file here, a database in the server."""

    def get(self, key: str) -> dict[str, Any]:
        """The record for `key` (empty if none)."""
        ...

    def update(self, key: str, **changes: Any) -> dict[str, Any]:
        """Merge `changes` into the record, keep it, and return it."""
        ...


class PublishState:
    """The record file; every update is read-modify-write under a lock."""

    def __init__(self, settings: YouTubeSettings | None = None, *, path: Path | None = None):
        self.path = path or (settings or YouTubeSettings()).data_dir / STATE_FILE

    @staticmethod
    def key(channel_id: str, sha256: str) -> str:
        """The record's key."""
        return f"{channel_id}:{sha256}"

    def _read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data

    def get(self, key: str) -> dict[str, Any]:
        """The record (empty if none)."""
        with _file_lock(self.path):
            record: dict[str, Any] = dict(self._read().get(key) or {})
            return record

    def update(self, key: str, **changes: Any) -> dict[str, Any]:
        """Merge `changes` into the record and save; return the record."""
        with _file_lock(self.path):
            data = self._read()
            record = dict(data.get(key) or {})
            record.update(changes)
            data[key] = record
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)
            return record
