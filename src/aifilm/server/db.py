"""Engine, sessions and migrations.

On SQLite every transaction starts with ``BEGIN IMMEDIATE``: writers queue one at a time
instead of failing on a lock upgrade, which is what lets credit spends there be as safe as
``SELECT ... FOR UPDATE`` on PostgreSQL. Inside one process they queue on a lock (first come,
first served); SQLite's own busy wait, which polls and can starve a waiter under load, only
arbitrates between processes.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

ALEMBIC_DIR = Path(__file__).parent / "alembic"


class WriteBusy(Exception):
    """A no-wait write transaction found the database busy (SQLite only)."""


READONLY = "aifilm_readonly"  # execution option: a read-only transaction (no write lock)
NOWAIT = "aifilm_nowait"  # execution option: give up at once when another write is running


class _SerializedConnection(sqlite3.Connection):
    """A SQLite connection whose transactions hold a lock shared by its database file."""

    gate: threading.Lock
    holds = False

    def begin_immediate(self, wait: bool = True) -> None:
        if not self.gate.acquire(blocking=wait):
            raise WriteBusy("another transaction is writing")
        self.holds = True
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self.holds:
            self.holds = False
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()


_GATES: dict[str, threading.Lock] = {}


def make_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite set up for a multi-threaded server."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A request may hold a read connection and a write one, in each of up to 40 threads
        # (plus worker threads); 20 stay open, more are opened only under bursts.
        return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=80)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    gate = _GATES.setdefault(str(parsed.database), threading.Lock())
    connection_class = type("SerializedConnection", (_SerializedConnection,), {"gate": gate})
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30, "factory": connection_class},
        pool_size=20,  # threads waiting for the write lock each hold a connection
        max_overflow=60,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        dbapi_conn = conn.connection.dbapi_connection
        if options.get(READONLY):
            dbapi_conn.execute("BEGIN")  # WAL: reads a snapshot beside a running writer
        else:
            dbapi_conn.begin_immediate(wait=not options.get(NOWAIT))

    return engine


def make_sessionmaker(engine: Engine, *, readonly: bool = False) -> sessionmaker[Session]:
    """Sessions that keep loaded objects readable after commit.

    `readonly` ones never wait for (or take) SQLite's write lock; on other databases they
    read in autocommit mode, which spares a BEGIN and a ROLLBACK round trip per session.
    """
    bind = engine
    if readonly:
        if engine.dialect.name == "sqlite":
            bind = engine.execution_options(**{READONLY: True})
        else:
            bind = engine.execution_options(isolation_level="AUTOCOMMIT")
    return sessionmaker(bind, expire_on_commit=False)


def async_url(url: str) -> URL:
    """`url` with the asyncio driver of its database: psycopg's async mode, or aiosqlite."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_async_reader_engine(url: str) -> AsyncEngine:
    """An asyncio engine for reads on the event loop: the auth check and the routes clients
    poll (server/reads.py).

    Reads there skip the hand-offs to the thread pool, which under load cost more CPU than
    the queries. Connections are in autocommit mode: no BEGIN or ROLLBACK round trips, and
    on SQLite never the write lock (WAL lets them read beside a writer).
    """
    parsed = async_url(url)
    driver = {"sqlite": "aiosqlite", "postgresql": "psycopg"}.get(parsed.get_backend_name())
    if driver is not None and importlib.util.find_spec(driver) is None:
        from aifilm.errors import MissingDependencyError

        raise MissingDependencyError(
            f"the server reads {parsed.get_backend_name()} through {driver}, which is not "
            "installed",
            hint="pip install 'aifilm[server]' (it includes it)",
        )
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(
            parsed, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=20,
            connect_args={"timeout": 30},
        )  # fmt: skip

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    else:
        engine = create_async_engine(
            parsed, isolation_level="AUTOCOMMIT", pool_pre_ping=True, pool_size=10,
            max_overflow=40, pool_use_lifo=True,
        )  # fmt: skip
    return engine


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    with factory() as session, session.begin():
        yield session


def alembic_config(url: str) -> Any:
    """Alembic's config for this package's migrations, pointed at `url`."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the newest)."""
    from alembic import command

    if make_url(url).get_backend_name() == "sqlite":
        make_engine(url).dispose()  # creates the folder
    command.upgrade(alembic_config(url), revision)


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at (None: not migrated)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision this package ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
