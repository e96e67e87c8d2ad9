"""Ends paid plans whose last period is over after a cancellation, for users who do not
come by: their plan is also checked whenever it is read (`credits.renew_if_due`)."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aifilm.server import credits
from aifilm.server.db import transaction
from aifilm.server.models import Subscription, utcnow

log = logging.getLogger("aifilm.server.billing")


def lapse_due(sessions: sessionmaker[Session], now: datetime | None = None) -> int:
    """Move every user whose cancelled plan has run out to Creator; returns how many."""
    now = now or utcnow()
    with sessions() as session:
        due: list[uuid.UUID] = list(
            session.scalars(
                select(Subscription.user_id).where(
                    Subscription.stripe_subscription_id.is_not(None),
                    Subscription.status.in_(credits.LAPSED),
                    Subscription.period_end <= now,
                )
            )
        )
    for user_id in due:
        with transaction(sessions) as session:
            user = credits.lock_user(session, user_id)
            credits.renew_if_due(session, user, now)
    return len(due)


class LapseSweeper:
    """A thread that runs `lapse_due` every `seconds` while the server runs."""

    def __init__(self, sessions: sessionmaker[Session], seconds: float) -> None:
        self.sessions, self.seconds = sessions, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="aifilm-billing", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                ended = lapse_due(self.sessions)
                if ended:
                    log.info("ended %d lapsed plans", ended)
            except Exception:
                log.exception("billing sweep failed")
