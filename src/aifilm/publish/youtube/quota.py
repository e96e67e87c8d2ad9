"""A ledger of the YouTube Data API quota spent today, to refuse a call before it would fail.

Costs come from Google's quota table
(https://developers.google.com/youtube/v3/determine_quota_cost): a project gets 10,000 units a
day for most methods; `videos.insert` and `search.list` now have buckets of their own (100 calls
a day each, 1 per call). Projects on the older allocation count `videos.insert` as 1,600 units
and `search.list` as 100 units of the 10,000 (`AIFILM_YOUTUBE_LEGACY_QUOTA=1`). Days end at
midnight Pacific time, when Google resets the quota.

Google meters quota per Cloud project, that is per OAuth client, so the ledger is kept per
client ID: two channels published through one client share one budget.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aifilm.publish.youtube.errors import QuotaError
from aifilm.publish.youtube.settings import YouTubeSettings

PACIFIC = ZoneInfo("America/Los_Angeles")
LEDGER_FILE = "youtube-quota.json"
UNITS = "units"

# Units per call, from the quota table.
COSTS: dict[str, int] = {
    "videos.insert": 1600,
    "videos.list": 1,
    "videos.update": 50,
    "thumbnails.set": 50,
    "captions.insert": 400,
    "captions.list": 50,
    "playlists.list": 1,
    "playlists.insert": 50,
    "playlistItems.list": 1,
    "playlistItems.insert": 50,
    "channels.list": 1,
    "search.list": 100,
}
# Methods with a bucket of their own in the current allocation: (calls a day, cost per call).
OWN_BUCKETS: dict[str, tuple[int, int]] = {"videos.insert": (100, 1), "search.list": (100, 1)}

_lock = threading.Lock()


def pacific_day(now: datetime | None = None) -> str:
    """Today's date in Pacific time (the quota day)."""
    return (now or datetime.now(PACIFIC)).astimezone(PACIFIC).date().isoformat()


def until_reset(now: datetime | None = None) -> timedelta:
    """Time left until midnight Pacific time."""
    now = (now or datetime.now(PACIFIC)).astimezone(PACIFIC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), PACIFIC)
    return midnight - now


def _hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`.lock across processes (POSIX) and threads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock, open(path.with_suffix(".lock"), "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: the thread lock is all we have
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class QuotaLedger:
    """Units and calls spent today, per OAuth client, in a small JSON file in the data dir.

    Subclasses keep the count elsewhere (the server: a database table) by overriding
    `used`, `charge` and `exhaust`."""

    def __init__(
        self,
        account: str,
        settings: YouTubeSettings | None = None,
        *,
        path: Path | None = None,
        clock: Any = None,
    ) -> None:
        self.settings = settings or YouTubeSettings()
        self.account = account
        self.path = path or self.settings.data_dir / LEDGER_FILE
        self._clock = clock or (lambda: datetime.now(PACIFIC))

    def cost(self, method: str) -> tuple[str, int, int]:
        """(bucket, cost, daily limit) of one call to `method`."""
        if method in OWN_BUCKETS and not self.settings.youtube_legacy_quota:
            limit, per_call = OWN_BUCKETS[method]
            return method, per_call, limit
        return UNITS, COSTS.get(method, 1), self.settings.youtube_daily_quota

    def today(self) -> str:
        """The quota day now (a Pacific date)."""
        return pacific_day(self._clock())

    def refusal(self, method: str, calls: int, spent: int) -> QuotaError:
        """The error for `calls` calls to `method` when `spent` of its bucket is used."""
        bucket, cost, limit = self.cost(method)
        what = "units" if bucket == UNITS else f"{method} calls"
        return QuotaError(
            f"{method} costs {cost * calls} of today's {limit} {what}; "
            f"{spent} are spent, {max(limit - spent, 0)} left",
            hint=f"the quota resets at midnight Pacific time, in "
            f"{_hours(until_reset(self._clock()))}; or ask Google for more quota "
            "(docs/publishing.md#quota)",
        )

    def _read(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data

    def _write(self, data: dict[str, Any]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

    def _today(self, data: dict[str, Any]) -> dict[str, int]:
        day = self.today()
        entry = data.get(self.account)
        if not isinstance(entry, dict) or entry.get("day") != day:
            entry = data[self.account] = {"day": day, "used": {}}
        used: dict[str, int] = entry["used"]
        return used

    def used(self) -> dict[str, int]:
        """What was spent today, by bucket."""
        with _file_lock(self.path):
            return dict(self._today(self._read()))

    def charge(self, method: str, calls: int = 1) -> None:
        """Record `calls` calls to `method`, or raise QuotaError (recording nothing) if over."""
        bucket, cost, limit = self.cost(method)
        with _file_lock(self.path):
            data = self._read()
            used = self._today(data)
            spent = used.get(bucket, 0)
            if spent + cost * calls > limit:
                raise self.refusal(method, calls, spent)
            used[bucket] = spent + cost * calls
            self._write(data)

    def exhaust(self, method: str) -> None:
        """YouTube said quotaExceeded: mark the bucket spent so no call is tried until tomorrow."""
        bucket, _cost, limit = self.cost(method)
        with _file_lock(self.path):
            data = self._read()
            self._today(data)[bucket] = limit
            self._write(data)

    def describe(self) -> list[dict[str, Any]]:
        """Each bucket: name, used, limit, left (for `aifilm youtube quota`)."""
        used = self.used()
        buckets = [(UNITS, self.settings.youtube_daily_quota)]
        if not self.settings.youtube_legacy_quota:
            buckets += [(name, limit) for name, (limit, _c) in OWN_BUCKETS.items()]
        return [
            {
                "bucket": name,
                "used": used.get(name, 0),
                "limit": limit,
                "left": max(limit - used.get(name, 0), 0),
            }
            for name, limit in buckets
        ]
