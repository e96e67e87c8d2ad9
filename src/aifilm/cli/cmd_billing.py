"""`aifilm billing buy|subscribe|portal|invoices`: pay for a hosted aifilm server's plans
and credit packs. Each prints the Stripe page to open; the server applies the payment when
Stripe tells it (the webhook), so `aifilm credits` shows it a moment later."""

from __future__ import annotations

import json

import typer

from aifilm.cli.cmd_remote import remote_client
from aifilm.errors import UserError

billing = typer.Typer(
    name="billing",
    help="Buy credit packs, subscribe to a plan, manage payment (hosted server).",
    no_args_is_help=True,
)
REMOTE = typer.Option(None, "--remote", help="Server URL (default: from `aifilm login`).")
AS_JSON = typer.Option(False, "--json", help="Print JSON.")


def _open(url: str, as_json: bool, payload: dict[str, object]) -> None:
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
    else:
        typer.echo(f"open this page to continue:\n{url}")


@billing.command("buy")
def buy_command(
    pack: str = typer.Argument(..., help="pack-10 ($5), pack-25 ($10) or pack-60 ($20)."),
    url: str | None = REMOTE,
    as_json: bool = AS_JSON,
) -> None:
    """Buy a credit pack (purchased credits never expire)."""
    with remote_client(url) as client:
        session = client.checkout(pack=pack)
    _open(session["url"], as_json, session)


@billing.command("subscribe")
def subscribe_command(
    plan: str = typer.Argument(..., help="standard ($39), pro ($49) or enterprise ($99) a month."),
    url: str | None = REMOTE,
    as_json: bool = AS_JSON,
) -> None:
    """Subscribe to a paid plan; to change or cancel one, use `aifilm billing portal`."""
    with remote_client(url) as client:
        session = client.checkout(plan=plan)
    _open(session["url"], as_json, session)


@billing.command("portal")
def portal_command(url: str | None = REMOTE, as_json: bool = AS_JSON) -> None:
    """Stripe's billing portal: card, plan changes, cancellation, invoices."""
    with remote_client(url) as client:
        portal = client.billing_portal()
    _open(portal["url"], as_json, portal)


@billing.command("invoices")
def invoices_command(
    url: str | None = REMOTE,
    limit: int = typer.Option(10, min=1, max=100, help="How many, newest first."),
    as_json: bool = AS_JSON,
) -> None:
    """Your invoices."""
    with remote_client(url) as client:
        page = client.invoices(limit=limit)
    if as_json:
        typer.echo(json.dumps(page, indent=2))
        return
    for invoice in page["items"]:
        amount = invoice["amount_paid"] or invoice["amount_due"]
        typer.echo(
            f"{invoice['created'][:10]}  {invoice['number'] or invoice['id']:<12} "
            f"{amount / 100:8.2f} {invoice['currency'].upper()}  {invoice['status'] or '':<6} "
            f"{invoice['hosted_invoice_url'] or ''}"
        )
    if not page["items"]:
        typer.echo("no invoices yet")


@billing.command("setup")
def setup_command() -> None:
    """Server side: create aifilm's products and prices in your Stripe account (once; safe
    to repeat). Uses AIFILM_STRIPE_SECRET_KEY and AIFILM_STRIPE_API_BASE."""
    from aifilm.server.billing.stripe_api import StripeGateway
    from aifilm.server.config import ServerSettings
    from aifilm.server.errors import Problem

    try:
        gateway = StripeGateway(ServerSettings())
        done = gateway.ensure_prices()
    except Problem as problem:
        raise UserError(problem.detail) from None
    for product, price_id, created in done:
        typer.echo(f"{product.key:<11} {price_id}  {'created' if created else 'already there'}")


def register(app: typer.Typer) -> None:
    """Add the `billing` group to the app."""
    app.add_typer(billing)
