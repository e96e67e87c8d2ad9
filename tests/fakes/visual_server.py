"""Fake generation APIs on 127.0.0.1, speaking each provider's documented wire format.

- Stability AI: ``POST /v2beta/stable-image/generate/{ultra,core,sd3}`` (multipart/form-data,
  ``Authorization: Bearer``, ``Accept: application/json``) answers ``{"image": <base64 PNG>,
  "finish_reason": "SUCCESS", "seed"}``; a bad key is 401 ``{"id", "name": "unauthorized",
  "errors": [...]}``; a prompt with "forbidden" is 403 ``content_moderation``.
- Replicate: ``POST /v1/models/{owner}/{name}/predictions`` or ``POST /v1/predictions``
  (``{"version", "input"}``) answers 201 with a prediction (``id``, ``status: starting``,
  ``urls.get``/``urls.cancel``); ``GET /v1/predictions/{id}`` moves it through
  ``processing`` to ``succeeded`` (``output``: a file URL) or ``failed`` (``error``: NSFW
  content detected) for a "forbidden" prompt; ``POST .../cancel`` cancels. A bad token is
  401 ``{"title": "Unauthenticated", "detail", "status"}``.
- Runway: ``POST /v1/image_to_video`` (``X-Runway-Version: 2024-11-06`` required) answers
  ``{"id"}``; ``GET /v1/tasks/{id}`` goes PENDING, RUNNING, then SUCCEEDED (``output``:
  [url]) or FAILED with ``failureCode: SAFETY.INPUT.TEXT``; ``DELETE`` cancels.
- ComfyUI: ``POST /prompt`` (``{"prompt": workflow, "client_id"}``; 400 with ``error`` and
  ``node_errors`` for a node without ``class_type``) answers ``{"prompt_id", "number",
  "node_errors": {}}``; ``GET /history/{id}`` is ``{}`` once, then the outputs;
  ``GET /view?filename&subfolder&type`` the PNG, at the workflow's latent size.
- ``GET /files/<name>``: the pictures (PNG) and clips (MP4) the jobs made.

`push(provider, status, body, **headers)` queues a raw answer for that provider's next API
call (a 429 with Retry-After, a 500, a malformed body); `requests` records every call.
`polls_before_done` sets how many status checks a job stays running.
"""

from __future__ import annotations

import base64
import collections
import email.parser
import email.policy
import io
import json
import subprocess
import threading
import time
import uuid
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from PIL import Image

STABILITY_KEY = "sk-stability-fake-1"
REPLICATE_TOKEN = "r8_fake_token_2"
RUNWAY_KEY = "key_runway_fake_3"
NSFW = "NSFW content detected. Try running it again, or try a different prompt."
ASPECTS = {"16:9": (1344, 768), "9:16": (768, 1344), "1:1": (1024, 1024), "21:9": (1536, 640)}


@dataclass
class Seen:
    """One request: method, path, query, headers (lower-case), JSON or form body."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    files: dict[str, bytes] = field(default_factory=dict)
    at: float = 0.0


def png(width: int, height: int, seed: str) -> bytes:
    """A PNG of one colour from `seed`."""
    colour = tuple(zlib.crc32(seed.encode()).to_bytes(4, "big")[:3])
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def mp4(width: int, height: int, seconds: float = 2.0) -> bytes:
    """A short H.264 test pattern (made once per size by FFmpeg)."""
    from aifilm.media.ffmpeg import ffmpeg_exe

    out = Path(f"/tmp/aifilm-fake-{width}x{height}-{seconds:g}.mp4")
    if not out.exists():
        tmp = out.with_suffix(f".{uuid.uuid4().hex}.mp4")
        subprocess.run(
            [ffmpeg_exe(), "-y", "-v", "error", "-f", "lavfi", "-i",
             f"testsrc2=size={width}x{height}:rate=24:duration={seconds}",
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(tmp)],
            check=True,
        )  # fmt: skip
        tmp.replace(out)
    return out.read_bytes()


def multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """Form fields and files of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename():
            files[str(name)] = data
        else:
            fields[str(name)] = data.decode()
    return fields, files


class FakeVisualServer:
    """Stability, Replicate, Runway and ComfyUI on one loopback port."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.queues: dict[str, collections.deque[tuple[int, bytes, dict[str, str]]]] = (
            collections.defaultdict(collections.deque)
        )
        self.polls_before_done = 1
        self.jobs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle_any(self, method: str) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                raw = self.rfile.read(int(headers.get("content-length") or 0))
                body: Any = None
                files: dict[str, bytes] = {}
                kind = headers.get("content-type", "")
                if kind.startswith("multipart/form-data"):
                    body, files = multipart(kind, raw)
                elif raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = raw
                seen = Seen(method, url.path, query, headers, body, files, time.monotonic())
                with fake.lock:
                    fake.requests.append(seen)
                status, data, extra = fake.route(seen)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self.handle_any("GET")

            def do_POST(self) -> None:
                self.handle_any("POST")

            def do_DELETE(self) -> None:
                self.handle_any("DELETE")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        self.requests.clear()
        self.queues.clear()
        self.jobs.clear()
        self.polls_before_done = 1

    def push(self, provider: str, status: int, body: Any = None, **headers: str) -> None:
        """Answer `provider`'s next API call with this (bytes are sent as they are)."""
        data = body if isinstance(body, bytes) else json.dumps(body or {"error": "queued"}).encode()
        named = {k.replace("_", "-"): v for k, v in headers.items()}
        self.queues[provider].append((status, data, {"content-type": "application/json", **named}))

    def calls(self, provider: str) -> list[Seen]:
        """API calls (not file downloads) that went to a provider's paths."""
        return [r for r in self.requests if _provider(r.path) == provider]

    # --- routing ------------------------------------------------------------------

    def route(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        provider = _provider(seen.path)
        if provider == "files":
            data, kind = self.files.get(seen.path.removeprefix("/files/"), (b"", ""))
            return (200, data, {"content-type": kind}) if data else (404, b"", {})
        if provider and self.queues[provider]:
            return self.queues[provider].popleft()
        handler = getattr(self, f"_{provider}", None)
        if handler is None:
            return _json(404, {"error": "not found"})
        answer: tuple[int, bytes, dict[str, str]] = handler(seen)
        return answer

    def _file(self, data: bytes, suffix: str, kind: str) -> str:
        name = f"{uuid.uuid4().hex}{suffix}"
        self.files[name] = (data, kind)
        return f"{self.url}/files/{name}"

    def _stability(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        if seen.headers.get("authorization") != f"Bearer {STABILITY_KEY}":
            return _json(401, {"id": "x", "name": "unauthorized", "errors": ["bad API key"]})
        if not isinstance(seen.body, dict) or "prompt" not in seen.body:
            return _json(400, {"id": "x", "name": "bad_request", "errors": ["prompt: required"]})
        form = seen.body
        if "forbidden" in form["prompt"].lower():
            return _json(
                403,
                {"id": "x", "name": "content_moderation", "errors": ["Your request was flagged"]},
            )
        w, h = ASPECTS.get(form.get("aspect_ratio", "1:1"), (1024, 1024))
        image = base64.b64encode(png(w, h, form["prompt"] + form.get("seed", ""))).decode()
        return _json(200, {"image": image, "finish_reason": "SUCCESS", "seed": form.get("seed")})

    def _replicate(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        if seen.headers.get("authorization") != f"Bearer {REPLICATE_TOKEN}":
            detail = "You did not pass a valid authentication token"
            return _json(401, {"title": "Unauthenticated", "detail": detail, "status": 401})
        parts = seen.path.strip("/").split("/")
        if seen.method == "POST" and parts[-1] == "predictions":
            body = seen.body if isinstance(seen.body, dict) else {}
            inputs = body.get("input")
            if not isinstance(inputs, dict) or "prompt" not in inputs:
                return _json(422, {"title": "Input validation failed", "detail": "prompt"})
            model = "/".join(parts[2:4]) if parts[1] == "models" else body.get("version", "")
            ident = uuid.uuid4().hex[:12]
            job = {
                "id": ident,
                "model": model,
                "version": body.get("version", "hidden"),
                "input": inputs,
                "status": "starting",
                "output": None,
                "error": None,
                "logs": "",
                "polls": 0,
                "urls": {
                    "get": f"{self.url}/v1/predictions/{ident}",
                    "cancel": f"{self.url}/v1/predictions/{ident}/cancel",
                },
            }
            self.jobs[ident] = job
            return _json(201, _public(job))
        ident = parts[2] if len(parts) > 2 else ""
        job = self.jobs.get(ident)
        if job is None:
            return _json(404, {"title": "Not found", "detail": "no such prediction"})
        if seen.method == "POST" and parts[-1] == "cancel":
            job["status"] = "canceled"
            return _json(200, _public(job))
        job["polls"] += 1
        if job["status"] in ("starting", "processing"):
            if job["polls"] <= self.polls_before_done:
                job["status"] = "processing"
            elif "forbidden" in str(job["input"].get("prompt", "")).lower():
                job["status"] = "failed"
                job["error"] = (
                    "NSFW content detected. Try running it again, or try a different prompt."
                )
            else:
                job["status"] = "succeeded"
                video = "video" in job["model"] or "wan" in job["model"]
                ratio = str(job["input"].get("aspect_ratio", "1:1"))
                w, h = ASPECTS.get(ratio, (1024, 1024))
                if video:
                    w, h = (640, 360) if h < w else (360, 640)
                    job["output"] = self._file(mp4(w, h), ".mp4", "video/mp4")
                else:
                    seed = str(job["input"].get("seed"))
                    data = png(w, h, job["input"]["prompt"] + seed)
                    job["output"] = [self._file(data, ".png", "image/png")]
        return _json(200, _public(job))

    def _runway(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        if seen.headers.get("authorization") != f"Bearer {RUNWAY_KEY}":
            return _json(401, {"error": "Invalid API key"})
        if seen.headers.get("x-runway-version") != "2024-11-06":
            return _json(400, {"error": "X-Runway-Version header is required"})
        if seen.method == "POST" and seen.path == "/v1/image_to_video":
            body = seen.body if isinstance(seen.body, dict) else {}
            image = str(body.get("promptImage", ""))
            if not image.startswith(("https://", "data:image/")) or body.get("duration") not in (
                5,
                10,
            ):
                return _json(400, {"error": "Validation of body failed", "issues": []})
            ident = str(uuid.uuid4())
            self.jobs[ident] = {"id": ident, "status": "PENDING", "body": body, "polls": 0}
            return _json(200, {"id": ident})
        ident = seen.path.rsplit("/", 1)[-1]
        job = self.jobs.get(ident)
        if job is None:
            return _json(404, {"error": "Task not found"})
        if seen.method == "DELETE":
            job["status"] = "CANCELLED"
            return 204, b"", {}
        job["polls"] += 1
        if job["status"] in ("PENDING", "RUNNING"):
            if job["polls"] <= self.polls_before_done:
                job["status"] = "RUNNING"
            elif "forbidden" in str(job["body"].get("promptText", "")).lower():
                job["status"] = "FAILED"
                job["failure"] = "Your prompt was flagged by our content moderation."
                job["failureCode"] = "SAFETY.INPUT.TEXT"
            else:
                job["status"] = "SUCCEEDED"
                w, h = (
                    (640, 360) if job["body"]["ratio"] in ("1280:720", "1584:672") else (360, 640)
                )
                job["output"] = [self._file(mp4(w, h), ".mp4", "video/mp4")]
        public = {k: v for k, v in job.items() if k not in ("body", "polls")}
        public["createdAt"] = "2026-12-05T18:00:00.000Z"
        return _json(200, public)

    def _comfyui(self, seen: Seen) -> tuple[int, bytes, dict[str, str]]:
        if seen.method == "POST" and seen.path == "/prompt":
            graph = seen.body.get("prompt") if isinstance(seen.body, dict) else None
            bad = [k for k, n in (graph or {}).items() if "class_type" not in n]
            if not isinstance(graph, dict) or bad or not graph:
                return _json(
                    400,
                    {
                        "error": {
                            "type": "invalid_prompt",
                            "message": "Cannot execute because a node is missing the "
                            "class_type property.",
                            "details": f"Node ID '#{bad[0] if bad else '?'}'",
                            "extra_info": {},
                        },
                        "node_errors": {},
                    },
                )
            ident = str(uuid.uuid4())
            self.jobs[ident] = {"graph": graph, "polls": 0}
            return _json(200, {"prompt_id": ident, "number": len(self.jobs), "node_errors": {}})
        if seen.path.startswith("/history/"):
            ident = seen.path.rsplit("/", 1)[-1]
            job = self.jobs.get(ident)
            if job is None:
                return _json(200, {})
            job["polls"] += 1
            if job["polls"] <= self.polls_before_done:
                return _json(200, {})
            graph = job["graph"]
            latent = next(n for n in graph.values() if n["class_type"].startswith("Empty"))
            w, h = latent["inputs"]["width"], latent["inputs"]["height"]
            texts = [n["inputs"].get("text", "") for n in graph.values()]
            if any("broken" in str(t).lower() for t in texts):
                status = {
                    "status_str": "error",
                    "completed": False,
                    "messages": [
                        ["execution_start", {"prompt_id": ident}],
                        [
                            "execution_error",
                            {"node_type": "KSampler", "exception_message": "CUDA out of memory"},
                        ],
                    ],
                }
                return _json(200, {ident: {"prompt": [], "outputs": {}, "status": status}})
            name = f"aifilm_{ident[:8]}_.png"
            seeds = [
                v for n in graph.values() for k, v in n["inputs"].items() if k.endswith("seed")
            ]
            seed = str(seeds[0] if seeds else 0)
            self.files[f"comfy/{name}"] = (png(w, h, "".join(map(str, texts)) + seed), "image/png")
            outputs = {"9": {"images": [{"filename": name, "subfolder": "", "type": "output"}]}}
            status = {"status_str": "success", "completed": True, "messages": []}
            return _json(200, {ident: {"prompt": [], "outputs": outputs, "status": status}})
        if seen.path == "/view":
            data, kind = self.files.get(f"comfy/{seen.query.get('filename')}", (b"", ""))
            if not data or seen.query.get("type") != "output":
                return 404, b"", {}
            return 200, data, {"content-type": kind}
        return _json(404, {"error": "not found"})


def _provider(path: str) -> str:
    if path.startswith("/v2beta/"):
        return "stability"
    if path.startswith(("/v1/predictions", "/v1/models/")):
        return "replicate"
    if path.startswith(("/v1/image_to_video", "/v1/tasks")):
        return "runway"
    if path.startswith(("/prompt", "/history", "/view")):
        return "comfyui"
    if path.startswith("/files/"):
        return "files"
    return ""


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if k != "polls"}


def _json(status: int, body: Any) -> tuple[int, bytes, dict[str, str]]:
    return status, json.dumps(body).encode(), {"content-type": "application/json"}
