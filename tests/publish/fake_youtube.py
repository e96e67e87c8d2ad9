"""A fake YouTube (Data API v3, resumable uploads) and Google OAuth server on 127.0.0.1.

It speaks the wire protocol the real services document:

* OAuth: `GET /auth` is the consent page of the web flow: with a known `client_id`,
  `response_type=code` and a `redirect_uri`, it "consents" at once and answers 302 to
  `redirect_uri?code=...&state=...` (or `error=access_denied` when `deny_consent` is set),
  remembering the PKCE `code_challenge`. `POST /token` (grant_type refresh_token or
  authorization_code, form-encoded) answers `{"access_token", "expires_in", "token_type",
  "scope"}` or 400 `{"error": "invalid_grant"}`; a code from `/auth` works once, with the same
  `redirect_uri` and a `code_verifier` whose S256 hash is the challenge. `POST /revoke`
  (form `token=`) forgets the token and the access tokens issued with it.
* API calls need `Authorization: Bearer <a token it issued>`, else 401 with Google's JSON
  error body (`reason: authError`).
* `POST /upload/youtube/v3/videos?uploadType=resumable&part=...` with `X-Upload-Content-Length`
  and the JSON resource answers 200 with `Location: <session URI>`. `PUT <session URI>` with
  `Content-Range: bytes A-B/TOTAL` must start exactly at the committed offset (else 400);
  answers 308 + `Range: bytes=0-N` or, at the end, 200 with the video resource. An empty
  `PUT` with `Content-Range: bytes */TOTAL` asks where the upload stands.
* `thumbnails/set` (uploadType=media), `captions` (uploadType=multipart, multipart/related:
  JSON metadata then the file), `channels.list`, `playlists.list/insert`,
  `playlistItems.list/insert`, `videos.list` (by `id`) and `videos.update` (`PUT`, each part
  named in `part` replaced whole: what the body leaves out of it is gone, as on YouTube; a
  snippet needs `title` and `categoryId`).

Tests script failures: `drop_put_after` makes the next chunk PUT read that many bytes of the
body and then close the socket without answering (the committed part of them is rounded
down to `granule`, as Google keeps data in 256 KiB units); `fail(path_part, status,
reason)` queues an error answer; `reject_next_tokens` answers 401 to that many calls however
good the token. Everything received is kept for assertions.
"""

from __future__ import annotations

import base64
import email
import hashlib
import itertools
import json
import re
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

CLIENT_ID = "fake-client.apps.googleusercontent.com"
CLIENT_SECRET = "fake-secret"
REFRESH_TOKEN = "1//fake-refresh-token"
CHANNEL_ID = "UCfakechannel000000000000"
UPLOADS = "UUfakechannel000000000000"
GRANULE = 256 * 1024


def google_error(status: int, reason: str, message: str, domain: str = "youtube") -> bytes:
    """A Google API JSON error body."""
    return json.dumps(
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": domain, "reason": reason}],
            }
        }
    ).encode()


QUOTA_BODY = google_error(
    403,
    "quotaExceeded",
    "The request cannot be completed because you have exceeded your quota.",
    domain="youtube.quota",
)


@dataclass
class Session:
    """One resumable upload session."""

    total: int
    resource: dict[str, Any]
    content_type: str
    data: bytearray = field(default_factory=bytearray)


@dataclass
class FakeState:
    """What the server knows and what it was sent."""

    refresh_tokens: set[str] = field(default_factory=lambda: {REFRESH_TOKEN})
    access_tokens: set[str] = field(default_factory=set)
    token_grants: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    sessions: dict[str, Session] = field(default_factory=dict)
    videos: dict[str, dict[str, Any]] = field(default_factory=dict)
    video_bytes: dict[str, bytes] = field(default_factory=dict)
    thumbnails: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    captions: list[dict[str, Any]] = field(default_factory=list)
    playlists: list[dict[str, Any]] = field(default_factory=list)
    playlist_items: list[dict[str, Any]] = field(default_factory=list)
    video_updates: list[dict[str, Any]] = field(default_factory=list)  # (part, body) received
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path?query)
    puts: list[dict[str, Any]] = field(default_factory=list)  # every upload PUT
    upload_bytes_received: int = 0
    drop_put_after: int | None = None
    granule: int = GRANULE
    failures: deque[tuple[str, int, bytes]] = field(default_factory=deque)
    reject_next_tokens: int = 0
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # consent code -> request
    consents: list[dict[str, str]] = field(default_factory=list)  # every /auth query
    deny_consent: bool = False
    issued_with: dict[str, str] = field(default_factory=dict)  # access token -> refresh token


class FakeYouTube:
    """The server; use as a context manager. `url` is its root, e.g. http://127.0.0.1:PORT."""

    def __init__(self) -> None:
        self.state = FakeState()
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        handler = type("Handler", (_Handler,), {"fake": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeYouTube:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_id(self, prefix: str) -> str:
        """A new resource ID."""
        return f"{prefix}{next(self._ids):04d}"

    def fail(self, path_part: str, status: int, body: bytes) -> None:
        """Answer the next request whose path contains `path_part` with this error."""
        self.state.failures.append((path_part, status, body))

    def api_calls(self, path_part: str) -> list[tuple[str, str]]:
        """The requests whose path contains `path_part`."""
        return [r for r in self.state.requests if path_part in r[1]]


class _Handler(BaseHTTPRequestHandler):
    fake: FakeYouTube
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- plumbing ------------------------------------------------------------------------

    def _send(self, status: int, body: Any = b"", headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        if data:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def _authorized(self) -> bool:
        state = self.fake.state
        with self.fake.lock:
            if state.reject_next_tokens > 0:
                state.reject_next_tokens -= 1
                ok = False
            else:
                auth = self.headers.get("Authorization", "")
                ok = auth.startswith("Bearer ") and auth[7:] in state.access_tokens
        if not ok:
            self._body()
            self._send(
                401,
                google_error(
                    401,
                    "authError",
                    "Request had invalid authentication credentials.",
                    domain="global",
                ),
                {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        return ok

    def _scripted_failure(self) -> bool:
        state = self.fake.state
        with self.fake.lock:
            match = next((f for f in state.failures if f[0] in self.path), None)
            if match is None:
                return False
            state.failures.remove(match)
        self._body()
        self._send(match[1], match[2])
        return True

    def _dispatch(self, method: str) -> None:
        self.fake.state.requests.append((method, self.path))
        path = urlsplit(self.path).path
        if path in ("/token", "/revoke", "/auth"):
            getattr(self, "_" + path[1:])()
            return
        if self._scripted_failure() or not self._authorized():
            return
        routes = {
            ("POST", "/upload/youtube/v3/videos"): self._upload_start,
            ("PUT", "/upload/youtube/v3/videos"): self._upload_put,
            ("POST", "/upload/youtube/v3/thumbnails/set"): self._thumbnail,
            ("POST", "/upload/youtube/v3/captions"): self._caption,
            ("GET", "/youtube/v3/channels"): self._channels,
            ("GET", "/youtube/v3/playlists"): self._playlists_list,
            ("POST", "/youtube/v3/playlists"): self._playlists_insert,
            ("GET", "/youtube/v3/playlistItems"): self._items_list,
            ("POST", "/youtube/v3/playlistItems"): self._items_insert,
            ("GET", "/youtube/v3/videos"): self._videos_list,
            ("PUT", "/youtube/v3/videos"): self._videos_update,
        }
        route = routes.get((method, path))
        if route is None:
            self._body()
            self._send(404, google_error(404, "notFound", f"no route {method} {path}"))
            return
        route()

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    # -- OAuth ---------------------------------------------------------------------------

    def _auth(self) -> None:
        query = self._query()
        state = self.fake.state
        state.consents.append(query)
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            self._send(400, {"error": "invalid_request", "error_description": "bad client"})
            return
        answer = {"state": query.get("state", "")}
        if state.deny_consent:
            answer["error"] = "access_denied"
        else:
            code = self.fake.next_id("4/fake-code-")
            state.codes[code] = query
            answer["code"] = code
        self._send(302, b"", {"Location": f"{query['redirect_uri']}?{urlencode(answer)}"})

    def _code_grant(self, form: dict[str, str]) -> str | None:
        """The refresh token for a good authorization code, else None."""
        code = form.get("code", "")
        if code == "fake-auth-code":  # the installed-app tests' code
            return REFRESH_TOKEN
        asked = self.fake.state.codes.pop(code, None)
        if asked is None or asked.get("redirect_uri") != form.get("redirect_uri"):
            return None
        challenge = asked.get("code_challenge")
        if challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                return None
        token = self.fake.next_id("1//fake-refresh-")
        self.fake.state.refresh_tokens.add(token)
        return token

    def _token(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        state = self.fake.state
        basic = self.headers.get("Authorization", "")
        if basic.startswith("Basic "):  # client_secret_basic, as requests-oauthlib sends it
            user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
            form.update(client_id=unquote(user), client_secret=unquote(password))
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            self._send(401, {"error": "invalid_client", "error_description": "Unauthorized"})
            return
        grant = form.get("grant_type")
        answer: dict[str, Any] = {"expires_in": 3599, "token_type": "Bearer"}
        refresh = None
        if grant == "refresh_token" and form.get("refresh_token") in state.refresh_tokens:
            refresh = form["refresh_token"]
        elif grant == "authorization_code" and (refresh := self._code_grant(form)):
            answer["refresh_token"] = refresh
        else:
            self._send(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            )
            return
        token = self.fake.next_id("ya29.fake-access-")
        state.access_tokens.add(token)
        state.issued_with[token] = str(refresh)
        state.token_grants.append(str(grant))
        answer["access_token"] = token
        answer["scope"] = " ".join(
            "https://www.googleapis.com/auth/" + s
            for s in ("youtube.upload", "youtube", "youtube.force-ssl")
        )
        self._send(200, answer)

    def _revoke(self) -> None:
        form = {k: v[0] for k, v in parse_qs(self._body().decode()).items()}
        token = form.get("token", "")
        state = self.fake.state
        if token in state.refresh_tokens:
            state.refresh_tokens.discard(token)
            state.revoked.append(token)
            for access, refresh in state.issued_with.items():
                if refresh == token:
                    state.access_tokens.discard(access)
            self._send(200, {})
        else:
            self._send(400, {"error": "invalid_token", "error_description": "Bad Request"})

    # -- uploads -------------------------------------------------------------------------

    def _upload_start(self) -> None:
        query = self._query()
        body = json.loads(self._body() or b"{}")
        if query.get("uploadType") != "resumable" or not query.get("part"):
            self._send(400, google_error(400, "badRequest", "uploadType=resumable and part"))
            return
        total = int(self.headers.get("X-Upload-Content-Length") or -1)
        title = body.get("snippet", {}).get("title", "")
        if not title or len(title) > 100 or "<" in title or ">" in title:
            self._send(
                400,
                google_error(
                    400, "invalidTitle", "The request metadata specifies an invalid video title."
                ),
            )
            return
        upload_id = self.fake.next_id("upload-")
        self.fake.state.sessions[upload_id] = Session(
            total=total,
            resource={k: v for k, v in body.items() if k in query["part"].split(",")},
            content_type=self.headers.get("X-Upload-Content-Type", ""),
        )
        location = (
            f"{self.fake.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id={upload_id}"
        )
        self._send(200, b"", {"Location": location, "X-GUploader-UploadID": upload_id})

    def _upload_put(self) -> None:
        state = self.fake.state
        session = state.sessions.get(self._query().get("upload_id", ""))
        if session is None:
            self._body()
            self._send(404, google_error(404, "notFound", "upload session not found"))
            return
        content_range = self.headers.get("Content-Range", "")
        status_query = re.fullmatch(r"bytes \*/(\d+|\*)", content_range)
        chunk = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", content_range)
        length = int(self.headers.get("Content-Length") or 0)
        record: dict[str, Any] = {"range": content_range, "length": length}
        state.puts.append(record)
        if status_query:
            self._body()
            self._position(session)
            return
        if not chunk:
            self._body()
            self._send(
                400, google_error(400, "badContentRange", f"bad Content-Range {content_range!r}")
            )
            return
        first, last, total = map(int, chunk.groups())
        if total != session.total or first != len(session.data) or last - first + 1 != length:
            self._body()
            self._send(
                400,
                google_error(
                    400,
                    "badContentRange",
                    f"range {first}-{last}/{total} does not follow the {len(session.data)} "
                    f"bytes received of {session.total}",
                ),
            )
            return
        drop = state.drop_put_after
        if drop is not None and drop < length:
            state.drop_put_after = None
            got = self.rfile.read(drop)
            state.upload_bytes_received += len(got)
            kept = len(got) // state.granule * state.granule
            session.data += got[:kept]
            record.update(received=len(got), dropped=True)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = self.rfile.read(length)
        state.upload_bytes_received += len(data)
        record["received"] = len(data)
        session.data += data
        self._position(session)

    def _position(self, session: Session) -> None:
        if len(session.data) == session.total:
            self._send(200, self._finish(session))
        elif session.data:
            self._send(308, b"", {"Range": f"bytes=0-{len(session.data) - 1}"})
        else:
            self._send(308, b"")

    def _finish(self, session: Session) -> dict[str, Any]:
        state = self.fake.state
        for video_id, data in state.video_bytes.items():  # a retried final chunk: same video
            if data is session.data:
                return state.videos[video_id]
        video_id = self.fake.next_id("vid")
        resource = {
            "kind": "youtube#video",
            "id": video_id,
            **session.resource,
            "status": {**session.resource.get("status", {}), "uploadStatus": "uploaded"},
        }
        state.videos[video_id] = resource
        state.video_bytes[video_id] = session.data  # type: ignore[assignment]
        state.playlist_items.append(
            {
                "id": self.fake.next_id("UUitem"),
                "snippet": {
                    "playlistId": UPLOADS,
                    "title": resource["snippet"]["title"],
                    "description": resource["snippet"].get("description", ""),
                    "resourceId": {"kind": "youtube#video", "videoId": video_id},
                },
            }
        )
        return resource

    def _thumbnail(self) -> None:
        query = self._query()
        data = self._body()
        if query.get("videoId") not in self.fake.state.videos:
            self._send(404, google_error(404, "videoNotFound", "video not found"))
            return
        if len(data) > 2 * 1024 * 1024:
            self._send(400, google_error(400, "mediaBodyTooBig", "thumbnail over 2 MB"))
            return
        self.fake.state.thumbnails[query["videoId"]] = (self.headers.get("Content-Type", ""), data)
        self._send(
            200, {"kind": "youtube#thumbnailSetResponse", "items": [{"default": {"url": "x"}}]}
        )

    def _caption(self) -> None:
        query = self._query()
        body = self._body()
        content_type = self.headers.get("Content-Type", "")
        if query.get("uploadType") != "multipart" or not content_type.startswith(
            "multipart/related"
        ):
            self._send(400, google_error(400, "badRequest", "expected a multipart upload"))
            return
        message = email.message_from_bytes(
            b"Content-Type: " + content_type.encode() + b"\r\nMIME-Version: 1.0\r\n\r\n" + body
        )
        parts = message.get_payload()
        assert isinstance(parts, list) and len(parts) == 2, "metadata part + media part"
        metadata = json.loads(parts[0].get_payload(decode=True))
        media = parts[1].get_payload(decode=True)
        snippet = metadata.get("snippet", {})
        if snippet.get("videoId") not in self.fake.state.videos:
            self._send(404, google_error(404, "videoNotFound", "video not found"))
            return
        caption = {
            "kind": "youtube#caption",
            "id": self.fake.next_id("cap"),
            "snippet": snippet,
        }
        self.fake.state.captions.append({**caption, "data": media, "part": query.get("part")})
        self._send(200, caption)

    # -- resources -----------------------------------------------------------------------

    def _channels(self) -> None:
        self._send(
            200,
            {
                "kind": "youtube#channelListResponse",
                "items": [
                    {
                        "kind": "youtube#channel",
                        "id": CHANNEL_ID,
                        "snippet": {"title": "Fake Channel"},
                        "contentDetails": {"relatedPlaylists": {"uploads": UPLOADS}},
                    }
                ],
            },
        )

    def _page(self, items: list[dict[str, Any]]) -> None:
        query = self._query()
        size = int(query.get("maxResults", 5))
        start = int(query.get("pageToken") or 0)
        answer: dict[str, Any] = {"items": items[start : start + size]}
        if start + size < len(items):
            answer["nextPageToken"] = str(start + size)
        self._send(200, answer)

    def _playlists_list(self) -> None:
        self._page(self.fake.state.playlists)

    def _playlists_insert(self) -> None:
        body = json.loads(self._body())
        playlist = {"kind": "youtube#playlist", "id": self.fake.next_id("PL"), **body}
        self.fake.state.playlists.append(playlist)
        self._send(200, playlist)

    def _items_list(self) -> None:
        wanted = self._query().get("playlistId")
        items = [i for i in self.fake.state.playlist_items if i["snippet"]["playlistId"] == wanted]
        self._page(list(reversed(items)))  # newest first, as YouTube lists uploads

    def _items_insert(self) -> None:
        body = json.loads(self._body())
        item = {"kind": "youtube#playlistItem", "id": self.fake.next_id("PLI"), **body}
        self.fake.state.playlist_items.append(item)
        self._send(200, item)

    def _videos_list(self) -> None:
        query = self._query()
        wanted = query.get("id", "").split(",")
        parts = query.get("part", "").split(",")
        items = [
            {"kind": "youtube#video", "id": video_id} | {p: v[p] for p in parts if p in v}
            for video_id in wanted
            if (v := self.fake.state.videos.get(video_id)) is not None
        ]
        self._send(200, {"kind": "youtube#videoListResponse", "items": items})

    def _videos_update(self) -> None:
        parts = [p for p in self._query().get("part", "").split(",") if p]
        body = json.loads(self._body() or b"{}")
        state = self.fake.state
        state.video_updates.append({"part": ",".join(parts), "body": body})
        video = state.videos.get(body.get("id", ""))
        if not parts:
            self._send(400, google_error(400, "required", "Required parameter: part"))
            return
        if video is None:
            self._send(404, google_error(404, "videoNotFound", "video not found"))
            return
        snippet = body.get("snippet")
        if "snippet" in parts and (not snippet or not snippet.get("title")):
            self._send(400, google_error(400, "invalidTitle", "The video title is missing"))
            return
        if "snippet" in parts and not snippet.get("categoryId"):
            self._send(400, google_error(400, "invalidCategoryId", "categoryId is missing"))
            return
        status = body.get("status") or {}
        if status.get("publishAt") and status.get("privacyStatus") != "private":
            self._send(400, google_error(400, "invalidPublishAt", "publishAt needs private"))
            return
        if "snippet" in parts:
            video["snippet"] = dict(snippet)
        if "status" in parts:
            video["status"] = {"uploadStatus": video["status"].get("uploadStatus"), **status}
        self._send(200, {"kind": "youtube#video", "id": video["id"]} | {p: video[p] for p in parts})
