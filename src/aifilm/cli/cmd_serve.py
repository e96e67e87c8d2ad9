"""`aifilm serve`, `aifilm worker`, `aifilm db upgrade`: run the hosted server (server extra)."""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
from typing import Any

import typer

from aifilm.errors import MissingDependencyError

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


def configure_logging(level: str = "info") -> None:
    """Structured logs on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("aifilm")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


_LOG_LEVEL_ENV = "AIFILM_SERVER_LOG_LEVEL"


def worker_app() -> Any:
    """The app of one `aifilm serve --workers N` process, logging like the parent."""
    from aifilm.server.app import create_app

    configure_logging(os.environ.get(_LOG_LEVEL_ENV, "info"))
    return _frozen(create_app(_server_settings()))


def _frozen(app: Any) -> Any:
    """`app`, with what start-up built (modules, the app, mappers) moved out of the garbage
    collector's reach: it lives as long as the process, and full collections that walk it
    pause every request in flight (on this project's machine, a fresh server then took
    2.5-2.8 ms of CPU per polled request instead of 3.4-3.7 ms)."""
    gc.collect()
    gc.freeze()
    return app


def _server_settings() -> Any:
    try:
        from aifilm.server.config import ServerSettings
    except ImportError as exc:
        raise MissingDependencyError(
            f"the server needs packages that are not installed ({exc.name})",
            hint="pip install 'aifilm[server]'",
        ) from None
    from pydantic import ValidationError

    try:
        return ServerSettings()
    except ValidationError as exc:
        from aifilm.errors import UserError

        raise UserError("server settings: " + settings_problems(exc)) from None


def settings_problems(exc: Any) -> str:
    """A settings error in a user's words: the variable and what is wrong, never its value
    (it may be a secret)."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        field = "_".join(str(part) for part in error["loc"]).upper()
        lines.append(f"AIFILM_SERVER_{field}: {message}" if field else message)
    return "; ".join(lines)


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""
    db_app = typer.Typer(help="The server's database.", no_args_is_help=True)
    app.add_typer(db_app, name="db")

    @db_app.command("upgrade")
    def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
        """Create or migrate the server's database (AIFILM_SERVER_DATABASE_URL)."""
        settings = _server_settings()
        from aifilm.server.db import upgrade

        upgrade(settings.db_url, revision)
        typer.echo(f"database at {revision}")

    @app.command("serve")
    def serve_command(
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
        migrate: bool = typer.Option(True, help="Run database migrations first."),
        log_level: str = typer.Option("info", help="debug, info, warning, error."),
        workers: int = typer.Option(
            1, min=1, help="Server processes (about one per core; renders run elsewhere)."
        ),
    ) -> None:
        """Run the hosted server (settings: AIFILM_SERVER_* variables or server.toml)."""
        settings = _server_settings()
        import uvicorn

        from aifilm.server.app import create_app
        from aifilm.server.db import upgrade

        configure_logging(log_level)
        if migrate:
            upgrade(settings.db_url)
        if workers == 1:
            uvicorn.run(
                _frozen(create_app(settings)),
                host=host,
                port=port,
                log_level=log_level,
                access_log=False,
            )
            return
        # Each process builds its own app (and connection pool) from the same settings.
        os.environ[_LOG_LEVEL_ENV] = log_level
        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
        )

    @app.command("worker")
    def worker_command(
        celery: bool = typer.Option(
            False, "--celery", help="Take wake-ups from Celery (the Redis broker) as well."
        ),
        queues: str | None = typer.Option(
            None,
            "--queues",
            "-Q",
            help="With --celery: the queues to consume, comma-separated (default: all). "
            "'celery' holds the jobs; aifilm.voice, aifilm.visuals, aifilm.lipsync and "
            "aifilm.compose (segment encodes), or the piece_queues setting's, the pieces. "
            "Without 'celery' the worker makes only pieces.",
        ),
        log_level: str = typer.Option("info", help="debug, info, warning, error."),
    ) -> None:
        """Render queued jobs from the server's database (run as many as you like)."""
        settings = _server_settings()
        from aifilm.server.state import ServerState
        from aifilm.server.worker import run_forever

        configure_logging(log_level)
        from aifilm.server.crm.dispatch import start_dispatcher

        # CRM sync rides along in every worker process (the outbox table is its queue).
        crm_state = ServerState.build(settings) if settings.crm_sinks else None
        crm = start_dispatcher(crm_state.sessions, settings) if crm_state else None
        if celery:
            _celery_worker(settings, queues, log_level)
            if crm is not None and crm_state is not None:
                crm.stop()
                crm_state.close()
            return
        state = ServerState.build(settings)
        try:
            run_forever(state.sessions, state.storage, settings)
        except KeyboardInterrupt:
            pass
        finally:
            if crm is not None and crm_state is not None:
                crm.stop()
                crm_state.close()
            state.close()


def _celery_worker(settings: Any, queues: str | None, log_level: str) -> None:
    """`aifilm worker --celery`: Celery's solo pool makes pieces (and takes wake-ups) in this
    process, while a render thread renders one job at a time (unless `queues` leaves out
    the jobs queue: a worker that only makes pieces, e.g. on a GPU machine)."""
    import os
    import threading

    from aifilm.errors import UserError
    from aifilm.server.celery_app import celery_app, poll_forever
    from aifilm.server.pieces import JOBS_QUEUE, all_queues

    if not settings.broker_url:
        raise UserError("no Celery broker", hint="set AIFILM_SERVER_REDIS_URL=redis://host:6379/0")
    names = [q.strip() for q in (queues or "").split(",") if q.strip()] or all_queues(settings)
    stop = threading.Event()
    if JOBS_QUEUE in names:
        threading.Thread(
            target=poll_forever, args=(settings, stop), daemon=True, name="aifilm-render"
        ).start()
    # The solo pool works in this process, so a worker that dies takes its piece with it
    # (the broker gives the piece to another worker) rather than leaving an orphan.
    try:
        celery_app(settings.broker_url, settings.piece_visibility_seconds).worker_main(
            [
                "worker",
                "--pool=solo",
                "--concurrency=1",
                f"--queues={','.join(names)}",
                f"--hostname=aifilm-{os.getpid()}@%h",
                f"--loglevel={log_level}",
            ]
        )
    finally:
        stop.set()
