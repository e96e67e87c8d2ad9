"""Keeping a claimed row's lease alive from a background thread, for renders and uploads.

A worker claims a job or an upload by leasing its row; if the worker dies, the lease runs
out and another worker takes the row over. While the work runs, a thread renews the
lease every third of its length and notes when the row is no longer ours (`lost`), so the
next progress callback can stop the work.
"""

from __future__ import annotations

import logging
import threading
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T", bound="LeaseHeartbeat")


class LeaseHeartbeat:
    """Renews a lease every `lease_seconds / 3` between `__enter__` and `__exit__`."""

    def __init__(self, lease_seconds: float, name: str) -> None:
        self.lease = lease_seconds
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=name)

    def renew(self) -> bool:
        """Extend the lease; False when the row is no longer ours."""
        raise NotImplementedError

    def __enter__(self: T) -> T:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                if not self.renew():
                    self.lost = True
            except Exception:  # a database hiccup: try again next beat
                log.warning("%s: lease renewal failed", self._thread.name, exc_info=True)
