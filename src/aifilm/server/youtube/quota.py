"""The YouTube quota ledger of the server: a `youtube_quota` row per OAuth client, Pacific
day and bucket, charged under a row lock (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's
transactions are serialized anyway), so workers on several machines share one count and a
call that would pass the daily quota is refused before it is made. The CLI keeps its file.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from aifilm.publish.youtube import QuotaLedger, YouTubeSettings
from aifilm.server.config import ServerSettings
from aifilm.server.models import YoutubeQuota
from aifilm.server.youtube.tokens import oauth_client, youtube_settings


class DatabaseQuotaLedger(QuotaLedger):
    """`QuotaLedger` with the count in the database; each charge is one short transaction."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        account: str,
        settings: YouTubeSettings,
        *,
        clock: Any = None,
    ) -> None:
        super().__init__(account, settings, clock=clock)
        self.sessions = sessions

    def _row(self, session: Session, day: str, bucket: str) -> YoutubeQuota:
        """Today's row of `bucket`, created if missing, locked until the transaction ends."""
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        session.execute(
            insert(YoutubeQuota)
            .values(account=self.account, day=day, bucket=bucket, used=0)
            .on_conflict_do_nothing()
        )
        row = session.scalars(
            select(YoutubeQuota)
            .where(
                YoutubeQuota.account == self.account,
                YoutubeQuota.day == day,
                YoutubeQuota.bucket == bucket,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        return row

    def used(self) -> dict[str, int]:
        """What was spent today, by bucket."""
        with self.sessions() as session, session.begin():
            rows = session.scalars(
                select(YoutubeQuota).where(
                    YoutubeQuota.account == self.account, YoutubeQuota.day == self.today()
                )
            )
            return {row.bucket: row.used for row in rows}

    def charge(self, method: str, calls: int = 1) -> None:
        """Record `calls` calls to `method`, or raise QuotaError (recording nothing) if over."""
        bucket, cost, limit = self.cost(method)
        with self.sessions() as session, session.begin():
            row = self._row(session, self.today(), bucket)
            if row.used + cost * calls > limit:
                raise self.refusal(method, calls, row.used)
            row.used += cost * calls

    def exhaust(self, method: str) -> None:
        """YouTube said quotaExceeded: no call of that bucket is tried again today."""
        bucket, _cost, limit = self.cost(method)
        with self.sessions() as session, session.begin():
            row = self._row(session, self.today(), bucket)
            row.used = max(row.used, limit)


def server_ledger(sessions: sessionmaker[Session], settings: ServerSettings) -> QuotaLedger:
    """The ledger of the server's OAuth client."""
    client_id, _secret = oauth_client(settings)
    return DatabaseQuotaLedger(sessions, client_id, youtube_settings(settings))
