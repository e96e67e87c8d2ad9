"""A fake translation server on 127.0.0.1 for Google Cloud Translation v2 and DeepL.

It speaks each provider's documented request and answer shapes and checks the
key (``X-Goog-Api-Key``; ``Authorization: DeepL-Auth-Key``) and the body.
A "translation" is ``"<target>: <text>"``, so tests can tell which text went
where. Google takes at most 128 texts per request and DeepL 50, as the real
services do; more is a 400. Tests queue answers with `push` (a 429 with
Retry-After, a 503) to be sent instead of the next normal ones, and read what
was asked from `requests`.
"""

from __future__ import annotations

import collections
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD_KEY = "AIzaFake-9c1e-the-right-translate-key"
DEEPL_KEY = "5a1f0b6e-fake-deepl-key:fx"
GOOGLE_MAX_TEXTS = 128
DEEPL_MAX_TEXTS = 50


def translated(text: str, target: str) -> str:
    """What the fake answers for `text` into `target` (a code as the service got it)."""
    return f"{target.lower()}: {text}"


def google_error(code: int, status: str, message: str, reason: str | None = None) -> dict[str, Any]:
    """Google's error body: {"error": {"code", "message", "status", "details"}}."""
    details = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}]
    return {"error": {"code": code, "message": message, "status": status, "details": details}}


@dataclass
class Recorded:
    """One request the server received."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: Any


class FakeTranslateServer:
    """Google Cloud Translation v2 and DeepL on one loopback port."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._queue: collections.deque[tuple[int, bytes, dict[str, str]]] = collections.deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                fake._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget requests and queued answers."""
        with self._lock:
            self.requests.clear()
            self._queue.clear()

    def push(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Send this answer (JSON body) instead of the next normal one."""
        self._queue.append((status, json.dumps(body).encode(), dict(headers or {})))

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        raw = h.rfile.read(int(h.headers.get("content-length") or 0))
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self._lock:
            self.requests.append(Recorded(h.path, headers, body))
        if h.path == "/language/translate/v2":
            status, data, extra = self._google(headers, body)
        elif h.path == "/v2/translate":
            status, data, extra = self._deepl(headers, body)
        else:
            status, data, extra = 404, b'{"message": "Not Found"}', {}
        h.send_response(status)
        h.send_header("content-type", "application/json")
        for name, value in extra.items():
            h.send_header(name, value)
        h.send_header("content-length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _canned(self) -> tuple[int, bytes, dict[str, str]] | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    @staticmethod
    def _json(status: int, body: Any) -> tuple[int, bytes, dict[str, str]]:
        return status, json.dumps(body).encode(), {}

    def _google(self, headers: dict[str, str], body: Any) -> tuple[int, bytes, dict[str, str]]:
        key = headers.get("x-goog-api-key")
        if key != GOOD_KEY:
            # Google does not echo keys, but a proxy might: the client must scrub it.
            return self._json(
                400,
                google_error(
                    400,
                    "INVALID_ARGUMENT",
                    f"API key not valid. Please pass a valid API key. (got {key})",
                    "API_KEY_INVALID",
                ),
            )
        canned = self._canned()
        if canned:
            return canned
        if not isinstance(body, dict) or not isinstance(body.get("q"), list):
            return self._json(400, google_error(400, "INVALID_ARGUMENT", "Missing 'q'"))
        if len(body["q"]) > GOOGLE_MAX_TEXTS:
            return self._json(
                400, google_error(400, "INVALID_ARGUMENT", "Too many text segments", "tooMany")
            )
        if not body.get("target") or body.get("format") not in (None, "text", "html"):
            return self._json(400, google_error(400, "INVALID_ARGUMENT", "Invalid Value"))
        target = body["target"]
        return self._json(
            200,
            {
                "data": {
                    "translations": [{"translatedText": translated(q, target)} for q in body["q"]]
                }
            },
        )

    def _deepl(self, headers: dict[str, str], body: Any) -> tuple[int, bytes, dict[str, str]]:
        if headers.get("authorization") != f"DeepL-Auth-Key {DEEPL_KEY}":
            return self._json(403, {"message": "Authorization failure, check auth_key"})
        canned = self._canned()
        if canned:
            return canned
        if not isinstance(body, dict) or not isinstance(body.get("text"), list):
            return self._json(400, {"message": "Parameter 'text' not specified."})
        if len(body["text"]) > DEEPL_MAX_TEXTS:
            return self._json(413, {"message": "Request Entity Too Large"})
        target = body.get("target_lang")
        if not isinstance(target, str) or target in ("EN", "PT"):
            return self._json(400, {"message": "Value for 'target_lang' not supported."})
        return self._json(
            200,
            {
                "translations": [
                    {
                        "detected_source_language": body.get("source_lang") or "EN",
                        "text": translated(t, target),
                    }
                    for t in body["text"]
                ]
            },
        )
