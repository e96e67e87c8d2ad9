"""`aifilm youtube login|logout|playlists|quota`: the channel that `aifilm publish` uses."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from aifilm.cli.console import emit_json, escape, out

youtube = typer.Typer(
    name="youtube",
    help="Connect a YouTube channel (OAuth), list its playlists, see today's quota.",
    no_args_is_help=True,
)


@youtube.command("login")
def login_command(
    client_secrets: Path | None = typer.Option(
        None,
        "--client-secrets",
        help="OAuth client JSON of a 'Desktop app' client (else AIFILM_YOUTUBE_CLIENT_ID/_SECRET).",
    ),
    no_browser: bool = typer.Option(
        False, "--no-browser", help="Print the address instead of opening a browser."
    ),
    port: int = typer.Option(0, "--port", help="Port of the local redirect (0: any free one)."),
) -> None:
    """Let aifilm publish to your channel: browser consent, token stored encrypted (0600)."""
    from aifilm.publish.youtube import login

    _credentials, path = login(
        client_secrets=client_secrets, open_browser=not no_browser, port=port
    )
    out.print(f"[green]✓[/] connected; the refresh token is encrypted in {escape(str(path))}")


@youtube.command("logout")
def logout_command() -> None:
    """Revoke aifilm's access to the channel and delete the stored token."""
    from aifilm.publish.youtube import logout

    revoked, deleted = logout()
    if not deleted:
        out.print("no channel was connected")
        return
    if revoked:
        out.print("[green]✓[/] access revoked and the token deleted")
    else:
        out.print(
            "[yellow]the token was deleted, but Google could not be asked to revoke it[/]: "
            "remove aifilm at https://myaccount.google.com/permissions"
        )


@youtube.command("playlists")
def playlists_command(
    as_json: bool = typer.Option(False, "--json", help="One JSON object per playlist."),
) -> None:
    """The channel's playlists: ID, title, privacy, number of videos (1 quota unit a page)."""
    from aifilm.publish.youtube import YouTubeClient, YouTubeCredentials

    with YouTubeClient(YouTubeCredentials.from_settings()) as client:
        lists = client.playlists()
    rows = [
        {
            "id": p.get("id"),
            "title": p.get("snippet", {}).get("title"),
            "privacy": p.get("status", {}).get("privacyStatus"),
            "videos": p.get("contentDetails", {}).get("itemCount"),
        }
        for p in lists
    ]
    if as_json:
        for row in rows:
            emit_json(row)
        return
    table = Table("id", "title", "privacy", "videos")
    for row in rows:
        table.add_row(*(escape(str(row[k] if row[k] is not None else "")) for k in row))
    out.print(table if rows else "the channel has no playlists")


@youtube.command("quota")
def quota_command(
    as_json: bool = typer.Option(False, "--json", help="One JSON object per quota bucket."),
) -> None:
    """Today's YouTube quota as counted by aifilm (resets at midnight Pacific time)."""
    from aifilm.publish.youtube import QuotaLedger, YouTubeCredentials

    ledger = QuotaLedger(YouTubeCredentials.from_settings().client_id)
    buckets = ledger.describe()
    if as_json:
        for bucket in buckets:
            emit_json(bucket)
        return
    table = Table("bucket", "used", "limit", "left")
    for b in buckets:
        table.add_row(escape(str(b["bucket"])), str(b["used"]), str(b["limit"]), str(b["left"]))
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the command group to the app."""
    app.add_typer(youtube, name="youtube")
