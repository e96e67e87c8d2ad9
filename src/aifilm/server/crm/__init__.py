"""CRM sync (docs/server.md, "CRM sync"): business events go to an outbox table in the
transaction that made the change (`capture`), and a dispatcher (`dispatch`) delivers them to
the configured sinks (`sinks/`: Salesforce, a signed webhook) with retries, backoff, a dead
letter state and ordering per object."""
