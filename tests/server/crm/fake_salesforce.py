"""A fake Salesforce org on 127.0.0.1 speaking the REST API the sink uses: the OAuth 2.0
token endpoint (client credentials), sObject upsert and delete by external id, Salesforce's
error bodies (a JSON list of {message, errorCode}), 401 INVALID_SESSION_ID for a revoked
token, and 503 while "down"."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

CLIENT_ID = "3MVG9-test-client"
CLIENT_SECRET = "test-client-secret-value"
EXTERNAL_ID = "Aifilm_Id__c"
OBJECTS = {"Account", "Contact", "Projects__c", "Subscriptions__c"}
PATH = re.compile(r"^/services/data/v(\d+\.\d)/sobjects/(\w+)/(\w+)/([^/?]+)$")


def error(status: int, code: str, message: str) -> tuple[int, Any]:
    """Salesforce's REST error body: a list of {message, errorCode}."""
    return status, [{"message": message, "errorCode": code}]


NO_FIELD = "Provided external ID field does not exist or is not accessible: "


class Org:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.writes: list[tuple[str, str, str]] = []  # (method, object, key)
        self.down = False
        self.jwt_public_key: str | None = None  # PEM; accepts the JWT bearer flow when set
        self.jwt_username = "integration@example.com"
        self.lock = threading.Lock()
        self.url = ""

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def record(self, sobject: str, key: str) -> dict[str, Any] | None:
        return self.records.get((sobject, key))

    def token(self, form: dict[str, list[str]]) -> tuple[int, Any]:
        self.token_requests += 1
        if form.get("grant_type") == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return self.jwt_token(form.get("assertion", [""])[0])
        if form.get("grant_type") != ["client_credentials"]:
            return 400, {"error": "unsupported_grant_type", "error_description": "grant type"}
        if form.get("client_id") != [CLIENT_ID] or form.get("client_secret") != [CLIENT_SECRET]:
            return 400, {
                "error": "invalid_client",
                "error_description": "invalid client credentials",
            }
        return self.issue()

    def jwt_token(self, assertion: str) -> tuple[int, Any]:
        """The JWT bearer flow: an RS256 assertion from the connected app, for a user."""
        import jwt

        if self.jwt_public_key is None:
            return 400, {"error": "invalid_grant", "error_description": "no certificate"}
        try:
            claims = jwt.decode(
                assertion, self.jwt_public_key, algorithms=["RS256"], audience=self.url
            )
        except jwt.PyJWTError as error:
            return 400, {"error": "invalid_grant", "error_description": str(error)}
        if claims.get("iss") != CLIENT_ID or claims.get("sub") != self.jwt_username:
            return 400, {"error": "invalid_grant", "error_description": "user hasn't approved"}
        return self.issue()

    def issue(self) -> tuple[int, Any]:
        token = "00D!" + uuid.uuid4().hex
        self.tokens.add(token)
        return 200, {
            "access_token": token,
            "instance_url": self.url,
            "id": f"{self.url}/id/00D/005",
            "token_type": "Bearer",
            "issued_at": "1733400000000",
            "signature": "c2lnbmF0dXJl",
        }

    def sobject(self, method: str, path: str, auth: str | None, body: bytes) -> tuple[int, Any]:
        if self.down:
            return error(503, "SERVER_UNAVAILABLE", "Service Unavailable")
        if not auth or auth.removeprefix("Bearer ") not in self.tokens:
            return error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        match = PATH.match(path)
        if match is None or match[2] not in OBJECTS:
            return error(404, "NOT_FOUND", "The requested resource does not exist")
        _, sobject, field, key = match.groups()
        key = unquote(key)
        if field != EXTERNAL_ID:
            return error(404, "NOT_FOUND", NO_FIELD + field)
        with self.lock:
            self.writes.append((method, sobject, key))
            if method == "DELETE":
                if self.records.pop((sobject, key), None) is None:
                    return error(404, "NOT_FOUND", NO_FIELD + key)
                return 204, None
            fields = json.loads(body)
            for name, value in fields.items():
                if isinstance(value, dict):  # a lookup by external id must find its record
                    target = "Account" if name in ("Account", "Account__r") else name
                    if (target, value.get(EXTERNAL_ID)) not in self.records:
                        return error(
                            400,
                            "INVALID_FIELD",
                            f"Foreign key external ID: {value.get(EXTERNAL_ID)} not found "
                            f"for field {EXTERNAL_ID} in entity {target}",
                        )
            existing = self.records.get((sobject, key))
            if sobject == "Contact" and "LastName" not in fields and existing is None:
                return error(
                    400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]"
                )
            if existing is None:
                record = {"Id": uuid.uuid4().hex[:18], EXTERNAL_ID: key, **fields}
                self.records[(sobject, key)] = record
                return 201, {"id": record["Id"], "success": True, "errors": [], "created": True}
            existing.update(fields)
            return 200, {"id": existing["Id"], "success": True, "errors": [], "created": False}


@contextmanager
def fake_salesforce() -> Iterator[Org]:
    org = Org()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))

        def do_POST(self) -> None:
            if self.path != "/services/oauth2/token":
                self._answer(404, [{"errorCode": "NOT_FOUND", "message": "no such path"}])
                return
            self._answer(*org.token(parse_qs(self._body().decode())))

        def do_PATCH(self) -> None:
            self._answer(
                *org.sobject("PATCH", self.path, self.headers.get("Authorization"), self._body())
            )

        def do_DELETE(self) -> None:
            self._answer(*org.sobject("DELETE", self.path, self.headers.get("Authorization"), b""))

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    org.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield org
    finally:
        server.shutdown()
        server.server_close()
