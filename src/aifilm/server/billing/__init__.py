"""Stripe billing: checkout for plans and credit packs, the customer portal, invoices, and
the webhook that turns Stripe's events into plans and ledger entries (docs/server.md).

    catalog.py   what is sold: plans and packs, their prices and Stripe lookup keys
    stripe_api.py the calls the server makes to Stripe, through the official library
    webhook.py   verifies an event and processes it exactly once
    sync.py      a Stripe subscription's state applied to the user's plan and credits
    sweep.py     ends plans whose paid period is over after a cancellation
"""
