"""A webhook receiver on 127.0.0.1 that does what the docs tell operators to do: verify the
signature over the raw body, ignore an event id it has already processed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aifilm.server.crm.sinks.webhook import BadSignature, verify


class Receiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.events: list[dict[str, Any]] = []  # processed, once each, in arrival order
        self.deliveries = 0  # every POST that verified, duplicates included
        self.rejected = 0  # bad signatures
        self.status = 200  # what to answer (503: "down")
        self.refuse: Callable[[dict[str, Any]], int | None] = lambda event: None
        self.lock = threading.Lock()
        self.url = ""
        # Set `hold` to keep the first delivery's request open until it is set (a sender
        # that dies while waiting for the answer); `arrived` is set when that request came.
        self.hold: threading.Event | None = None
        self.arrived = threading.Event()

    def handle(self, body: bytes, headers: Any) -> int:
        try:
            event = verify(body, headers.get("Aifilm-Signature"), self.secret)
        except BadSignature:
            self.rejected += 1
            return 400
        if headers.get("Aifilm-Event-Id") != event["id"]:
            return 400
        if self.hold is not None and not self.arrived.is_set():
            self.arrived.set()
            self.hold.wait(30)
        with self.lock:
            if self.status != 200:
                return self.status
            refused = self.refuse(event)
            if refused is not None:
                return refused
            self.deliveries += 1
            if all(seen["id"] != event["id"] for seen in self.events):
                self.events.append(event)
        return 200

    def types_for(self, user_id: str) -> list[str]:
        return [e["type"] for e in self.events if e["data"].get("user_id") == user_id]


@contextmanager
def receiver(secret: str) -> Iterator[Receiver]:
    state = Receiver(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = state.handle(body, self.headers)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"status": status}).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/aifilm"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
