"""`aifilm crm status|resync|retry`: the server operator's view of CRM sync, read from the
server's database (the same settings as `aifilm serve`). The work is in server/crm/admin.py."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

import typer

from aifilm.errors import UserError

crm = typer.Typer(
    name="crm",
    help="CRM sync (Salesforce, webhooks) of a hosted server: the outbox, re-sending.",
    no_args_is_help=True,
)
AS_JSON = typer.Option(False, "--json", help="Print JSON.")


def _sessions() -> Any:
    from aifilm.cli.cmd_serve import _server_settings
    from aifilm.server.db import make_engine, make_sessionmaker

    settings = _server_settings()
    return settings, make_sessionmaker(make_engine(settings.db_url))


def _since(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(
            f"--since {value!r} is not a date", hint="give one like 2026-12-01 or 2026-12-01T09:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


@crm.command("status")
def status_command(
    failed: bool = typer.Option(False, "--failed", help="Only dead-lettered events."),
    limit: int = typer.Option(20, min=1, max=500, help="How many events, newest first."),
    as_json: bool = AS_JSON,
) -> None:
    """Events pending, delivered and dead-lettered (with their errors)."""
    from aifilm.server.crm.admin import status

    settings, sessions = _sessions()
    with sessions() as session:
        view = status(session, "failed" if failed else None, limit)
    if as_json:
        typer.echo(json.dumps(view, indent=2))
        return
    sinks = ", ".join(settings.crm_sinks) or "none (CRM sync is off)"
    typer.echo(f"sinks: {sinks}")
    typer.echo("  ".join(f"{name} {count}" for name, count in view["counts"].items()))
    for item in view["items"]:
        line = f"{item['created_at'][:19]}  {item['status']:<9} {item['type']:<18} "
        line += f"{item['object_type']} {item['object_id']}  tries {item['attempts']}"
        typer.echo(line)
        if item["last_error"] and item["status"] != "delivered":
            typer.echo(f"    {item['last_error'][:300]}")


@crm.command("resync")
def resync_command(
    since: str = typer.Option(..., "--since", help="A date (UTC unless given): 2026-12-01."),
    as_json: bool = AS_JSON,
) -> None:
    """Send every account, project and purchase created or changed since a date again, and
    retry the events dead-lettered since then (sinks ignore what they already have)."""
    from aifilm.server.crm.admin import resync

    settings, sessions = _sessions()
    if not settings.crm_sinks:
        raise UserError("CRM sync is off", hint="set AIFILM_SERVER_CRM_SINKS (docs/server.md)")
    with sessions() as session, session.begin():
        done = resync(session, _since(since))
    if as_json:
        typer.echo(json.dumps(done))
        return
    typer.echo(
        f"queued {done['users']} accounts, {done['projects']} projects, {done['purchases']} "
        f"purchases; {done['retried']} dead-lettered events retried"
    )


@crm.command("retry")
def retry_command(event_id: str = typer.Argument(..., help="A dead-lettered event's id.")) -> None:
    """Put one dead-lettered event back in the queue."""
    from aifilm.server.crm.admin import retry

    try:
        key = uuid.UUID(event_id)
    except ValueError:
        raise UserError(
            f"{event_id!r} is not an event id", hint="see `aifilm crm status`"
        ) from None
    _, sessions = _sessions()
    with sessions() as session, session.begin():
        row = retry(session, key)
        if row is None:
            raise UserError(f"no event {event_id}", hint="see `aifilm crm status --failed`")
        typer.echo(f"event {event_id} is {row.status}")


def register(app: typer.Typer) -> None:
    """Add the `crm` group to the app."""
    app.add_typer(crm)
