"""A fake language-model server on 127.0.0.1 speaking three providers' wire formats.

- OpenAI chat completions: ``POST /v1/chat/completions`` with ``Authorization: Bearer``;
  the answer is ``choices[0].message.content`` (``response_format`` json_schema) or a
  ``tool_calls[0].function.arguments`` string (forced tool), ``usage.prompt_tokens``...
- Anthropic messages: ``POST /v1/messages`` with ``x-api-key`` and ``anthropic-version``;
  the answer is a ``tool_use`` content block whose ``input`` is the JSON object.
- Gemini: ``POST /v1beta/models/{model}:generateContent`` with ``x-goog-api-key``; the
  answer is ``candidates[0].content.parts[0].text`` with ``usageMetadata``.

What the "model" says comes from `responder(provider, request)`, a function of the
request a test sets (by default: a valid film for the word budget asked, or a director's
answer). Tests queue raw replies with `push` (a 429 with Retry-After, a 500, a refusal,
malformed JSON) to be sent before the responder's, and read `requests`. Token counts are
characters / 4, the usual rule of thumb.
"""

from __future__ import annotations

import base64
import collections
import io
import json
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

KEYS = {
    "openai": "sk-fake-openai-key-1234",
    "anthropic": "sk-ant-fake-5678",
    "gemini": "AIza-fake-9012",
}


@dataclass
class Recorded:
    """One request the server received."""

    provider: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    at: float


@dataclass
class Reply:
    """A queued reply: an answer text (wrapped in the provider's format) or a raw status."""

    text: str | None = None
    status: int = 200
    body: Any = None
    headers: dict[str, str] | None = None
    refusal: bool = False


def tokens(text: str) -> int:
    """Tokens by the rule of thumb: four characters each."""
    return max(1, len(text) // 4)


SENTENCES = (
    "Sunlight looks white, but it carries every colour of the rainbow at once.",
    "When it enters the air, it meets tiny molecules of nitrogen and oxygen.",
    "These molecules scatter short blue waves far more than long red ones.",
    "So blue light bounces across the whole sky and reaches our eyes from everywhere.",
    "At sunset the light crosses much more air, and the blue is scattered away.",
    "What is left for us to see is the warm orange and red of the evening.",
)


def film_for(prompt: str, characters: int = 0, change: int = 0) -> dict[str, Any]:
    """A valid draft with about the word budget the prompt asks for (plus `change`)."""
    budget = int(re.search(r"about (\d+) spoken", prompt).group(1)) + change  # type: ignore[union-attr]
    wanted = re.search(r"Characters: exactly (\d+)", prompt)
    n_chars = int(wanted.group(1)) if wanted else characters
    if "Style: podcast" in prompt and n_chars < 2:
        n_chars = 2
    cast = [
        {"name": name, "voice": voice, "look": look}
        for name, voice, look in (
            ("Asha", "adult-female", "a woman with short black hair in a yellow kurta"),
            ("Ravi", "adult-male", "a tall man with round glasses and a green scarf"),
            ("Meena", "child", "a girl of nine with two plaits and a red frock"),
            ("Dadu", "mature", "a grey-bearded grandfather in a white shawl"),
        )[:n_chars]
    ]
    shots, words, k = [], 0, 0
    # Sentences while one more brings the count closer to the budget (a model that counts).
    while not shots or abs(budget - words - len(SENTENCES[k % 6].split())) < budget - words:
        text = SENTENCES[k % len(SENTENCES)]
        shot: dict[str, Any] = {"picture": f"A wide sky, picture {k + 1}."}
        if cast and k % 2:
            shot["lines"] = [{"speaker": cast[(k // 2) % len(cast)]["name"], "text": text}]
        else:
            shot["narration"] = text
        shots.append(shot)
        words += len(text.split())
        k += 1
    half = max(1, len(shots) // 2)
    return {
        "title": "Why the Sky Is Blue",
        "description": "A short film about light and air.",
        "music": "ambient",
        "characters": cast,
        "scenes": [
            {"title": "Daytime sky", "shots": shots[:half]},
            *([{"title": "Sunset", "shots": shots[half:]}] if shots[half:] else []),
        ],
    }


def direction_for(prompt: str) -> dict[str, Any]:
    """A director's answer: a picture and search terms for every shot id asked."""
    brief = json.loads(prompt)
    return {
        "shots": [
            {
                "id": shot["id"],
                "picture": f"LLM picture of shot {shot['id']} in {brief['scene']}",
                "search": ["blue sky", f"shot {shot['id']}"],
                "characters": [
                    w.split(":")[0] for w in shot["words"] if not w.startswith("Narrator")
                ],
            }
            for shot in brief["shots"]
        ]
    }


def default_responder(provider: str, request: dict[str, Any]) -> str:
    """A good answer to whatever was asked (film, summary or direction)."""
    last = request["last_user"]
    if request["schema_name"] == "direct_scene":
        return json.dumps(direction_for(last))
    if request["schema_name"] == "summary":
        part = last.split(".")[0]
        return json.dumps({"summary": f"Summary of {part}: " + " ".join(last.split()[8:60])})
    first = request["first_user"]
    asked = re.search(r"(add|cut) about (\d+) spoken", last)
    previous = spoken_words(request["last_assistant"])
    if asked and previous:  # a repair: the last answer's length, as told
        budget = int(re.search(r"about (\d+) spoken", first).group(1))  # type: ignore[union-attr]
        n = int(asked.group(2))
        change = previous + (n if asked.group(1) == "add" else -n) - budget
        return json.dumps(film_for(first, change=change))
    return json.dumps(film_for(first))


def spoken_words(answer: str | None) -> int:
    """Words spoken in a draft answer (0 if it is not one)."""
    try:
        draft = json.loads(answer or "")
        shots = [shot for scene in draft["scenes"] for shot in scene["shots"]]
    except (ValueError, KeyError, TypeError):
        return 0
    texts = [s.get("narration") or "" for s in shots]
    texts += [ln["text"] for s in shots for ln in s.get("lines") or []]
    return sum(len(t.split()) for t in texts)


class FakeLLMServer:
    """OpenAI, Anthropic and Gemini endpoints on one loopback port."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.queue: collections.deque[Reply] = collections.deque()
        self.responder: Callable[[str, dict[str, Any]], str] = default_responder
        self.images: dict[str, bytes] = {}  # prompt -> the PNG answered
        self.files: dict[str, bytes] = {}  # pictures served by URL
        self.images_as_url = False
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                data = fake.files.get(self.path.removeprefix("/files/"))
                self.send_response(200 if data is not None else 404)
                self.send_header("content-length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, extra = fake.handle(self.path, headers, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        """Forget what earlier tests asked and queued (one server serves a whole module)."""
        self.requests.clear()
        self.queue.clear()
        self.images_as_url = False

    def push(self, *replies: Reply) -> None:
        """Send these before the responder's answers, in order."""
        self.queue.extend(replies)

    def of(self, provider: str) -> list[Recorded]:
        """The requests one provider's endpoint received."""
        return [r for r in self.requests if r.provider == provider]

    # --- one request -------------------------------------------------------------

    def handle(
        self, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str] | None]:
        if path.endswith("/images/generations"):
            return self._image(headers, body)
        if path.endswith("/chat/completions"):
            provider = "openai"
        elif path.endswith("/messages"):
            provider = "anthropic"
        elif ":generateContent" in path:
            provider = "gemini"
        else:
            return 404, {"error": {"message": f"no route {path}"}}, None
        with self._lock:
            self.requests.append(Recorded(provider, path, headers, body, time.monotonic()))
            reply = self.queue.popleft() if self.queue else None
        auth = self._auth_error(provider, headers)
        if auth is not None:
            return auth
        shape = self._shape_error(provider, body)
        if shape is not None:
            return 400, _error(provider, 400, shape), None
        if reply is not None and reply.text is None and not reply.refusal:
            return reply.status, reply.body, reply.headers
        request = self._normalise(provider, path, body)
        text = reply.text if reply is not None and reply.text is not None else ""
        if reply is None:
            text = self.responder(provider, request)
        refusal = reply is not None and reply.refusal
        # The whole request counts (instructions, turns and the schema), as providers bill.
        prompt_chars = len(json.dumps(body, ensure_ascii=False))
        return 200, _answer(provider, body, text, refusal, prompt_chars // 4), None

    def _image(self, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any, Any]:
        """OpenAI Images: a PNG of the asked size, as base64 (or a URL when `images_as_url`)."""
        with self._lock:
            self.requests.append(
                Recorded("images", "/v1/images/generations", headers, body, time.monotonic())
            )
            reply = self.queue.popleft() if self.queue else None
        if headers.get("authorization", "").removeprefix("Bearer ") != KEYS["openai"]:
            return 401, _error("openai", 401, "invalid API key"), None
        if not body.get("model") or not body.get("prompt") or "size" not in body:
            return 400, _error("openai", 400, "model, prompt and size are required"), None
        if reply is not None:
            return reply.status, reply.body, reply.headers
        w, h = (int(v) for v in body["size"].split("x"))
        colour = tuple(zlib.crc32(body["prompt"].encode()).to_bytes(4, "big")[:3])
        buffer = io.BytesIO()
        Image.new("RGB", (w, h), colour).save(buffer, "PNG")
        self.images[body["prompt"]] = buffer.getvalue()
        if self.images_as_url:
            name = f"{len(self.images)}.png"
            self.files[name] = buffer.getvalue()
            item = {"url": f"{self.url}/files/{name}"}
        else:
            item = {"b64_json": base64.b64encode(buffer.getvalue()).decode()}
        return 200, {"created": int(time.time()), "data": [item]}, None

    def _auth_error(self, provider: str, headers: dict[str, str]) -> tuple[int, Any, None] | None:
        given = {
            "openai": headers.get("authorization", "").removeprefix("Bearer "),
            # x-api-key as documented; newer clients send the key as a bearer token
            "anthropic": headers.get("x-api-key")
            or headers.get("authorization", "").removeprefix("Bearer "),
            "gemini": headers.get("x-goog-api-key", ""),
        }[provider]
        if provider == "anthropic" and "anthropic-version" not in headers:
            return 400, _error(provider, 400, "anthropic-version header is required"), None
        if given == KEYS[provider]:
            return None
        status = 403 if provider == "gemini" else 401
        return status, _error(provider, status, "invalid API key"), None

    @staticmethod
    def _shape_error(provider: str, body: dict[str, Any]) -> str | None:
        """What the real API would reject (a missing model or schema, streaming on)."""
        if provider == "openai":
            if not body.get("model") or not body.get("messages"):
                return "model and messages are required"
            if body.get("stream"):
                return "this fake does not stream"
            fmt = body.get("response_format") or {}
            if fmt.get("type") != "json_schema" and not body.get("tools"):
                return "ask for json_schema or a tool"
            if fmt and "schema" not in fmt.get("json_schema", {}):
                return "json_schema.schema is required"
        if provider == "anthropic":
            if not body.get("model") or not body.get("max_tokens") or not body.get("messages"):
                return "model, max_tokens and messages are required"
            if (body.get("tool_choice") or {}).get("type") != "tool":
                return "a forced tool is expected"
            if "input_schema" not in (body.get("tools") or [{}])[0]:
                return "tools[0].input_schema is required"
        if provider == "gemini":
            config = body.get("generationConfig") or {}
            if config.get("responseMimeType") != "application/json":
                return "responseMimeType must be application/json"
            if "responseJsonSchema" not in config:
                return "responseJsonSchema is required"
        return None

    @staticmethod
    def _normalise(provider: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """What was asked, the same for every provider: the user turns and the schema name."""
        if provider == "openai":
            users = [m["content"] for m in body["messages"] if m["role"] == "user"]
            said = [m.get("content") for m in body["messages"] if m["role"] == "assistant"]
            fmt = body.get("response_format") or {}
            name = fmt.get("json_schema", {}).get("name") or body["tools"][0]["function"]["name"]
        elif provider == "anthropic":
            users = [m["content"] for m in body["messages"] if m["role"] == "user"]
            said = [m["content"] for m in body["messages"] if m["role"] == "assistant"]
            name = body["tools"][0]["name"]
        else:
            users = [c["parts"][0]["text"] for c in body["contents"] if c.get("role") == "user"]
            said = [c["parts"][0]["text"] for c in body["contents"] if c.get("role") == "model"]
            name = _gemini_name(body)
        return {
            "first_user": users[0],
            "last_user": users[-1],
            "last_assistant": said[-1] if said else None,
            "schema_name": name,
        }


def _gemini_name(body: dict[str, Any]) -> str:
    schema = body["generationConfig"]["responseJsonSchema"]
    props = schema.get("properties", {})
    if "summary" in props:
        return "summary"
    return "direct_scene" if "shots" in props and "scenes" not in props else "project"


def _error(provider: str, status: int, message: str) -> Any:
    if provider == "anthropic":
        kind = {401: "authentication_error", 429: "rate_limit_error"}.get(status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": message}}
    if provider == "gemini":
        names = {403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED", 400: "INVALID_ARGUMENT"}
        return {
            "error": {"code": status, "message": message, "status": names.get(status, "INTERNAL")}
        }
    return {"error": {"message": message, "type": "invalid_request_error", "code": None}}


def error_reply(provider: str, status: int, message: str, **headers: str) -> Reply:
    """A provider-shaped error reply (headers: retry_after="2" -> Retry-After: 2)."""
    named = {k.replace("_", "-"): v for k, v in headers.items()}
    return Reply(status=status, body=_error(provider, status, message), headers=named)


def _answer(provider: str, body: dict[str, Any], text: str, refusal: bool, prompt: int) -> Any:
    out = tokens(text)
    if provider == "openai":
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if refusal:
            message["refusal"] = "I can't help with that."
        elif body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message["tool_calls"] = [
                {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}
            ]
        else:
            message["content"] = text
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if body.get("tools") else "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": out,
                "total_tokens": prompt + out,
            },
        }
    if provider == "anthropic":
        try:
            block: dict[str, Any] = {
                "type": "tool_use",
                "id": "toolu_fake",
                "name": body["tools"][0]["name"],
                "input": json.loads(text),
            }
        except ValueError:
            block = {"type": "text", "text": text}
        return {
            "id": "msg_fake",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": [] if refusal else [block],
            "stop_reason": "refusal" if refusal else "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": prompt, "output_tokens": out},
        }
    if refusal:
        return {
            "candidates": [
                {"content": {"role": "model", "parts": []}, "finishReason": "SAFETY", "index": 0}
            ],
            "usageMetadata": {"promptTokenCount": prompt, "totalTokenCount": prompt},
        }
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": prompt,
            "candidatesTokenCount": out,
            "totalTokenCount": prompt + out,
        },
        "modelVersion": "gemini-fake",
    }
