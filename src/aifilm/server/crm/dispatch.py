"""Delivering the outbox: claim the next due event with a lease, hand it to every sink that
has not had it yet, record the outcome.

- Order per account: an event waits while an earlier one of the same user (or, without a
  user, the same object) is still pending, so a contact exists before its purchases and a
  deletion comes last. Dead-lettered events block nothing.
- Retries back off exponentially (`crm_backoff_seconds`, doubling, capped); after
  `crm_max_attempts` tries, or at once when a sink refuses the event (`Permanent`), the event
  is dead-lettered (`failed`, with the error) for an admin to look at and re-queue.
- A worker that dies mid-delivery leaves its lease to run out; the event is then delivered
  again, and the sinks dedupe (an upsert by external id, the webhook's event id).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from aifilm.server.config import ServerSettings
from aifilm.server.crm.sinks import Event, Permanent, Sink, Transient, build_sinks
from aifilm.server.lease import lock_if_held, lock_next_free
from aifilm.server.models import OutboxEvent, utcnow

log = logging.getLogger("aifilm.server.crm")


def _free(now: datetime):  # type: ignore[no-untyped-def]
    earlier = aliased(OutboxEvent)
    same_owner = or_(
        and_(OutboxEvent.user_id.is_not(None), earlier.user_id == OutboxEvent.user_id),
        and_(
            OutboxEvent.user_id.is_(None),
            earlier.object_type == OutboxEvent.object_type,
            earlier.object_id == OutboxEvent.object_id,
        ),
    )
    blocked = exists().where(earlier.status == "pending", earlier.id < OutboxEvent.id, same_owner)
    return and_(
        OutboxEvent.status == "pending",
        OutboxEvent.next_attempt_at <= now,
        or_(OutboxEvent.lease_expires_at.is_(None), OutboxEvent.lease_expires_at < now),
        ~blocked,
    )


def claim(session: Session, worker_id: str, settings: ServerSettings) -> Event | None:
    """Lease the next deliverable event (in a transaction the caller commits)."""
    now = utcnow()
    while True:
        row = lock_next_free(session, OutboxEvent, _free(now), [OutboxEvent.id])
        if row is None:
            return None
        if row.attempts < settings.crm_max_attempts:
            break
        # Its last worker died mid-delivery: out of tries all the same.
        _dead_letter(row, row.last_error or "the worker delivering it stopped")
        session.flush()
    row.attempts += 1
    row.worker_id = worker_id
    row.lease_expires_at = now + timedelta(seconds=settings.crm_lease_seconds)
    return Event(
        event_id=row.event_id,
        type=row.type,
        object_type=row.object_type,
        object_id=row.object_id,
        user_id=row.user_id,
        payload=dict(row.payload),
        created_at=row.created_at,
        attempt=row.attempts,
    )


def _dead_letter(row: OutboxEvent, error: str) -> None:
    row.status, row.last_error, row.lease_expires_at = "failed", error[:4000], None
    log.warning("crm event dead-lettered", extra={"event_id": str(row.event_id)})


def _held(session: Session, event: Event, worker_id: str) -> OutboxEvent | None:
    row_id = session.scalars(
        select(OutboxEvent.id).where(OutboxEvent.event_id == event.event_id)
    ).first()
    if row_id is None:
        return None
    return lock_if_held(
        session,
        OutboxEvent,
        row_id,  # type: ignore[arg-type]
        worker_id,
        event.attempt,
        lambda row: row.status == "pending",
    )


def deliver(
    sessions: sessionmaker[Session],
    sinks: list[Sink],
    event: Event,
    worker_id: str,
    settings: ServerSettings,
    done: list[str],
) -> str:
    """Send a claimed event to each sink not in `done`; its status afterwards."""
    error: Exception | None = None
    done = list(done)
    todo = [sink for sink in sinks if sink.name not in done]
    for index, sink in enumerate(todo):
        try:
            sink.deliver(event)
        except (Transient, Permanent) as failure:
            error = failure
        except Exception as failure:  # a bug in a sink: retried, and visible to admins
            log.exception("crm sink %s crashed", sink.name)
            error = Transient(f"internal error: {type(failure).__name__}: {failure}")
        if error is not None:
            error = type(error)(f"{sink.name}: {error}")
            break
        done.append(sink.name)
        if index < len(todo) - 1:  # others follow: remember this one should they fail
            with sessions() as session, session.begin():
                row = _held(session, event, worker_id)
                if row is None:
                    return "lost"
                row.sinks_done = list(done)
    with sessions() as session, session.begin():
        row = _held(session, event, worker_id)
        if row is None:
            return "lost"
        row.worker_id, row.sinks_done = None, list(done)
        if error is None:
            row.status, row.delivered_at, row.lease_expires_at = "delivered", utcnow(), None
            row.last_error = None
        elif isinstance(error, Permanent) or row.attempts >= settings.crm_max_attempts:
            _dead_letter(row, str(error))
        else:
            delay = min(
                settings.crm_backoff_seconds * 2 ** (row.attempts - 1),
                settings.crm_backoff_max_seconds,
            )
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
            row.lease_expires_at, row.last_error = None, str(error)[:4000]
        return row.status


def deliver_once(
    sessions: sessionmaker[Session], sinks: list[Sink], settings: ServerSettings, worker_id: str
) -> str | None:
    """Claim and deliver one event; its status afterwards, or None when none was due."""
    with sessions() as session, session.begin():
        event = claim(session, worker_id, settings)
        if event is None:
            return None
        done = list(
            session.scalars(
                select(OutboxEvent.sinks_done).where(OutboxEvent.event_id == event.event_id)
            ).one()
        )
    return deliver(sessions, sinks, event, worker_id, settings, done)


def drain(
    sessions: sessionmaker[Session], sinks: list[Sink], settings: ServerSettings, worker_id: str
) -> int:
    """Deliver every event due now; how many were tried."""
    tried = 0
    while deliver_once(sessions, sinks, settings, worker_id) is not None:
        tried += 1
    return tried


class Dispatcher:
    """A thread that delivers due events, in the server (`worker = "thread"`) or beside
    each `aifilm worker` process (Celery in production): the table is the queue, so any
    number of them can run."""

    def __init__(self, sessions: sessionmaker[Session], settings: ServerSettings) -> None:
        from aifilm.server.worker import new_worker_id

        self.sessions = sessions
        self.settings = settings
        self.sinks = build_sinks(settings)
        self.worker_id = new_worker_id("crm")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="aifilm-crm", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                drain(self.sessions, self.sinks, self.settings, self.worker_id)
            except Exception:
                log.exception("crm dispatcher error")
            self._stop.wait(self.settings.crm_poll_seconds)


def start_dispatcher(
    sessions: sessionmaker[Session], settings: ServerSettings
) -> Dispatcher | None:
    """A running dispatcher when CRM sinks are configured, else None."""
    if not settings.crm_sinks:
        return None
    dispatcher = Dispatcher(sessions, settings)
    dispatcher.start()
    return dispatcher
