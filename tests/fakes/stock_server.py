"""A fake Pexels and Pixabay on 127.0.0.1: photo search and the photos themselves.

- Pexels: ``GET /v1/search?query&orientation&per_page`` with the key in ``Authorization``;
  ``{"photos": [{"id", "width", "height", "url", "photographer", "photographer_url",
  "src": {"original", "large2x", ...}}], "page", "per_page", "total_results"}``.
- Pixabay: ``GET /api/?key&q&image_type&orientation&per_page``; ``{"total", "totalHits",
  "hits": [{"id", "pageURL", "largeImageURL", "imageWidth", "imageHeight", "user",
  "user_id", ...}]}``; a bad key is a 400 with a plain-text message, as Pixabay answers.
- Pexels videos: ``GET /videos/search?query&orientation&per_page``; ``{"videos": [{"id",
  "width", "height", "url", "duration", "user": {"id", "name", "url"}, "video_files":
  [{"id", "quality", "file_type", "width", "height", "fps", "link"}]}], ...}``.
- Pixabay videos: ``GET /api/videos/?key&q&video_type&per_page``; ``{"hits": [{"id",
  "pageURL", "duration", "videos": {"large", "medium", "small", "tiny": {"url", "width",
  "height", "size"}}, "user", "user_id"}]}`` (``large`` empty for some; no orientation
  parameter, so results come in both shapes).
- ``GET /photos/<id>.jpg``: a JPEG of the photo's size (a colour from its id);
  ``GET /clips/<id>.mp4``: a short H.264 clip.

Clips last 3, 12, 8 and 20 s (as the search answers say) in that order per query.

Results depend on the query (4 per query, landscape or portrait as asked). Tests queue
raw replies with `push` (a 429 with Retry-After, a 500) and read `requests`.
"""

from __future__ import annotations

import collections
import io
import json
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from PIL import Image

PEXELS_KEY = "pexels-fake-key-123"
PIXABAY_KEY = "pixabay-fake-key-456"


@dataclass
class Seen:
    """One request: path, query parameters, headers (lower-case names), when."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float


class FakeStockServer:
    """Pexels and Pixabay search, and the photos, on one loopback port."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.queue: collections.deque[tuple[int, bytes, dict[str, str]]] = collections.deque()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append(Seen(url.path, query, headers, time.monotonic()))
                if fake.queue and not url.path.startswith(("/photos/", "/clips/")):
                    status, body, extra = fake.queue.popleft()
                else:
                    status, body, extra = fake.answer(url.path, query, headers)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def push(self, status: int, body: Any = None, **headers: str) -> None:
        """Answer the next search with this instead (headers: retry_after="1")."""
        data = json.dumps(body or {"error": "queued"}).encode()
        named = {k.replace("_", "-"): v for k, v in headers.items()}
        self.queue.append((status, data, {"content-type": "application/json", **named}))

    def searches(self) -> list[Seen]:
        return [r for r in self.requests if not r.path.startswith(("/photos/", "/clips/"))]

    def downloads(self) -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(("/photos/", "/clips/"))]

    def answer(
        self, path: str, query: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, bytes, dict[str, str]]:
        js = {"content-type": "application/json"}
        if path.startswith("/photos/"):
            ident, size = path.removeprefix("/photos/").removesuffix(".jpg").split("-")
            w, h = (int(v) for v in size.split("x"))
            colour = zlib.crc32(ident.encode()).to_bytes(4, "big")[:3]
            buffer = io.BytesIO()
            Image.new("RGB", (w, h), tuple(colour)).save(buffer, "JPEG")
            return 200, buffer.getvalue(), {"content-type": "image/jpeg"}
        if path.startswith("/clips/"):
            from tests.fakes.visual_server import mp4

            portrait = path.endswith("-p.mp4")
            return 200, mp4(180, 320) if portrait else mp4(320, 180), {"content-type": "video/mp4"}
        if path == "/videos/search":
            if headers.get("authorization") != PEXELS_KEY:
                return 401, json.dumps({"error": "Unauthorized"}).encode(), js
            portrait = query.get("orientation") == "portrait"
            videos = [self._pexels_video(query["query"], n, portrait) for n in range(4)]
            body = {"page": 1, "per_page": 4, "videos": videos, "total_results": 4}
            return 200, json.dumps(body).encode(), js
        if path == "/api/videos/":
            if query.get("key") != PIXABAY_KEY:
                return (
                    400,
                    b"[ERROR 400] Invalid or missing API key.",
                    {"content-type": "text/plain"},
                )
            hits = [self._pixabay_video(query["q"], n) for n in range(4)]
            return 200, json.dumps({"total": 4, "totalHits": 4, "hits": hits}).encode(), js
        if path == "/v1/search":
            if headers.get("authorization") != PEXELS_KEY:
                return 401, json.dumps({"error": "Unauthorized"}).encode(), js
            portrait = query.get("orientation") == "portrait"
            photos = [self._pexels(query["query"], n, portrait) for n in range(4)]
            body = {"page": 1, "per_page": len(photos), "photos": photos, "total_results": 4}
            return 200, json.dumps(body).encode(), js
        if path == "/api/":
            if query.get("key") != PIXABAY_KEY:
                return (
                    400,
                    b"[ERROR 400] Invalid or missing API key.",
                    {"content-type": "text/plain"},
                )
            portrait = query.get("orientation") == "vertical"
            hits = [self._pixabay(query["q"], n, portrait) for n in range(4)]
            return 200, json.dumps({"total": 4, "totalHits": 4, "hits": hits}).encode(), js
        return 404, b"{}", js

    def _size(self, portrait: bool) -> tuple[int, int]:
        return (1080, 1920) if portrait else (1920, 1080)

    def _pexels(self, terms: str, n: int, portrait: bool) -> dict[str, Any]:
        ident = zlib.crc32(f"{terms}/{n}".encode()) % 10**7
        w, h = self._size(portrait)
        photo = f"{self.url}/photos/{ident}-{w}x{h}.jpg"
        return {
            "id": ident,
            "width": w,
            "height": h,
            "url": f"https://www.pexels.com/photo/{ident}/",
            "photographer": f"Photographer {n}",
            "photographer_url": f"https://www.pexels.com/@p{n}",
            "avg_color": "#778899",
            "src": {"original": photo, "large2x": photo, "large": photo},
            "alt": terms,
        }

    def _pixabay(self, terms: str, n: int, portrait: bool) -> dict[str, Any]:
        ident = zlib.crc32(f"px/{terms}/{n}".encode()) % 10**7
        w, h = self._size(portrait)
        return {
            "id": ident,
            "pageURL": f"https://pixabay.com/photos/{ident}/",
            "type": "photo",
            "tags": terms,
            "largeImageURL": f"{self.url}/photos/{ident}-{w}x{h}.jpg",
            "webformatURL": f"{self.url}/photos/{ident}-640x360.jpg",
            "imageWidth": w,
            "imageHeight": h,
            "user_id": 100 + n,
            "user": f"user{n}",
        }

    def _pexels_video(self, terms: str, n: int, portrait: bool) -> dict[str, Any]:
        ident = zlib.crc32(f"v/{terms}/{n}".encode()) % 10**7
        sizes = [(3840, 2160), (1920, 1080), (1280, 720), (640, 360)]
        if portrait:
            sizes = [(h, w) for w, h in sizes]
        tag = "p" if portrait else "l"
        files = [
            {
                "id": ident * 10 + k,
                "quality": "uhd" if k == 0 else "hd" if k < 3 else "sd",
                "file_type": "video/mp4",
                "width": w,
                "height": h,
                "fps": 25,
                "link": f"{self.url}/clips/{ident}-{w}x{h}-{tag}.mp4",
            }
            for k, (w, h) in enumerate(sizes)
        ]
        return {
            "id": ident,
            "width": sizes[0][0],
            "height": sizes[0][1],
            "url": f"https://www.pexels.com/video/{ident}/",
            "image": f"{self.url}/photos/{ident}-640x360.jpg",
            "duration": [3, 12, 8, 20][n],
            "user": {
                "id": 500 + n,
                "name": f"Filmmaker {n}",
                "url": f"https://www.pexels.com/@f{n}",
            },
            "video_files": files,
            "video_pictures": [],
        }

    def _pixabay_video(self, terms: str, n: int) -> dict[str, Any]:
        ident = zlib.crc32(f"pv/{terms}/{n}".encode()) % 10**7
        portrait = n % 2 == 1
        tag = "p" if portrait else "l"

        def rendition(w: int, h: int) -> dict[str, Any]:
            if portrait:
                w, h = h, w
            url = f"{self.url}/clips/{ident}-{w}x{h}-{tag}.mp4"
            return {"url": url, "width": w, "height": h, "size": w * h, "thumbnail": ""}

        return {
            "id": ident,
            "pageURL": f"https://pixabay.com/videos/{ident}/",
            "type": "film",
            "tags": terms,
            "duration": [3, 12, 8, 20][n],
            "videos": {
                "large": {"url": "", "width": 0, "height": 0, "size": 0, "thumbnail": ""},
                "medium": rendition(1920, 1080),
                "small": rendition(1280, 720),
                "tiny": rendition(960, 540),
            },
            "user_id": 200 + n,
            "user": f"videographer{n}",
        }
