"""`aifilm login`, `aifilm jobs`, `aifilm credits`: use a hosted aifilm server.

Credentials live in `credentials.json` in the user config dir (mode 0600); `AIFILM_API_KEY`
and `AIFILM_SERVER_URL` win over it.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import platformdirs
import typer

from aifilm.client import Client
from aifilm.errors import UserError


def credentials_file() -> Path:
    """Where `aifilm login` keeps the server URL and API key."""
    override = os.environ.get("AIFILM_CREDENTIALS")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("aifilm")) / "credentials.json"


def save_credentials(url: str, api_key: str) -> Path:
    """Write the credentials readable by the owner only."""
    path = credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"url": url, "api_key": api_key}, f)
    os.chmod(path, 0o600)
    return path


def remote_client(url: str | None = None) -> Client:
    """A client from the arguments, the environment or the saved credentials."""
    saved: dict[str, Any] = {}
    path = credentials_file()
    if path.is_file():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(
                f"cannot read the saved credentials in {path}: {exc}",
                hint="sign in again with 'aifilm login URL' (it rewrites the file)",
            ) from None
        if not isinstance(saved, dict):
            raise UserError(
                f"{path} does not hold saved credentials",
                hint="sign in again with 'aifilm login URL' (it rewrites the file)",
            )
    base = url or os.environ.get("AIFILM_SERVER_URL") or saved.get("url")
    key = os.environ.get("AIFILM_API_KEY") or saved.get("api_key")
    if not base:
        raise UserError("which server?", hint="aifilm login URL, or set AIFILM_SERVER_URL")
    if not key:
        raise UserError("not signed in", hint=f"aifilm login {base}, or set AIFILM_API_KEY")
    return Client(base, api_key=key)


def register(app: typer.Typer) -> None:
    """Add the commands to the app."""

    @app.command("login")
    def login_command(
        url: str = typer.Argument(..., help="The server, e.g. https://films.example.com"),
        email: str = typer.Option(..., prompt=True),
        password: str = typer.Option(..., prompt=True, hide_input=True),
        register_account: bool = typer.Option(
            False, "--register", help="Create the account first."
        ),
    ) -> None:
        """Sign in to a server and keep an API key for the other commands."""
        with Client(url) as client:
            if register_account:
                client.register(email, password)
            client.login(email, password)
            key = client.create_api_key(f"cli-{socket.gethostname()}")
        path = save_credentials(url, key)
        typer.echo(f"signed in to {url} as {email}; API key saved in {path}")

    @app.command("jobs")
    def jobs_command(
        url: str | None = typer.Option(None, "--remote", help="Server URL."),
        limit: int = typer.Option(20, help="How many, newest first."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Your render jobs on the server."""
        with remote_client(url) as client:
            page = client.jobs(limit=limit)
        if as_json:
            typer.echo(json.dumps(page, indent=2))
            return
        for job in page["items"]:
            typer.echo(
                f"{job['id']}  {job['status']:<9} {job['progress']:5.1f}%  "
                f"{job['length_seconds']:g} s  {job['credits_charged']} credit(s)  "
                f"{job['created_at'][:19]}"
            )
        typer.echo(f"{page['total']} job(s)")

    @app.command("credits")
    def credits_command(
        url: str | None = typer.Option(None, "--remote", help="Server URL."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Your credit balance and plan on the server."""
        with remote_client(url) as client:
            balance = client.balance()
        if as_json:
            typer.echo(json.dumps(balance, indent=2))
            return
        left = "unlimited" if balance["unlimited"] else f"{balance['balance']} credit(s)"
        when = "renews" if balance.get("renews", True) else "ends"
        line = f"{left} on the {balance['plan']} plan; {when} {balance['period_end'][:10]}"
        if balance.get("payment_status") == "past_due":
            line += " (payment failed: update your card with `aifilm billing portal`)"
        typer.echo(line)


def render_remote(url: str, path: Path, out_dir: Path | None, preview: bool) -> None:
    """`aifilm render --remote URL PATH`: render on the server, print progress, download."""
    with remote_client(url) as client:

        def show(state: dict[str, Any]) -> None:
            typer.echo(
                f"  {state['status']:<9} {state['progress']:5.1f}%  {state['current_step'] or ''}"
            )

        result = client.render(path, out_dir, preview=preview, on_progress=show)
    for kind, file in sorted(result.files.items()):
        typer.echo(f"{kind}: {file}")
