"""Leased rows, for the render queue (`jobs`) and the upload queue (`youtube_uploads`).

A worker claims a job or an upload by leasing its row; if the worker dies, the lease runs
out and another worker takes the row over. Both queues find the next free row and check a
claim on every write the same way (`lock_next_free`, `lock_if_held`); what a claim changes
in the row is each queue's own. While the work runs, a thread renews the lease every third
of its length and notes when the row is no longer ours (`lost`), so the next progress
callback can stop the work.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

T = TypeVar("T", bound="LeaseHeartbeat")
Row = TypeVar("Row")


def lock_next_free(
    session: Session, model: type[Row], free: ColumnElement[bool], order: Sequence[Any]
) -> Row | None:
    """The first row in `order` that is `free`, locked; rows other workers are claiming
    right now are skipped, not waited for (SKIP LOCKED on PostgreSQL)."""
    return session.scalars(
        select(model).where(free).order_by(*order).limit(1).with_for_update(skip_locked=True)
    ).first()


def lock_if_held(
    session: Session,
    model: type[Row],
    row_id: uuid.UUID,
    worker_id: str,
    attempt: int,
    working: Callable[[Row], bool],
) -> Row | None:
    """The row, locked and freshly read, if the claim (`worker_id`, `attempt`) still holds
    it and it is `working`; None when it was cancelled, finished or taken over."""
    row = session.scalars(
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if (
        row is None
        or not working(row)
        or row.worker_id != worker_id  # type: ignore[attr-defined]
        or row.attempts != attempt  # type: ignore[attr-defined]
    ):
        return None
    return row


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
