"""A fake text-to-speech server on 127.0.0.1 for ElevenLabs, OpenAI and Google.

It speaks each provider's documented request and answer shapes, checks the key
(``xi-api-key``; ``Authorization: Bearer``; ``x-goog-api-key`` or ``?key=``)
and the JSON body, and answers real audio: one speech-like burst per word
(harmonics with a vowel-ish wobble), separated by silences, encoded as asked
(raw PCM, WAV, MP3 through FFmpeg, base64 in JSON). ElevenLabs' answer carries
the character alignment of those bursts, so tests know when each word sounds.

Tests queue answers with `push` (a 429 with Retry-After, a 500, a quota error)
to be sent instead of the next normal ones, and read what was asked from
`requests`. Error bodies follow each provider's shape (see the helpers below).
"""

from __future__ import annotations

import base64
import collections
import io
import json
import re
import tempfile
import threading
import wave
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import numpy.typing as npt

GOOD_KEY = "sk-fake-3b1f9c0e-the-right-key"
LEAD_S, CHAR_S, GAP_S, TAIL_S = 0.10, 0.055, 0.16, 0.12

Samples = npt.NDArray[np.float32]


def speech_like(text: str, rate: int) -> tuple[Samples, list[tuple[float, float]]]:
    """One voiced burst per whitespace-separated word; the audio and each burst's (start, end)."""
    pieces = [np.zeros(round(LEAD_S * rate), np.float32)]
    times = []
    at = LEAD_S
    for n, word in enumerate(text.split()):
        if n:
            pieces.append(np.zeros(round(GAP_S * rate), np.float32))
            at += round(GAP_S * rate) / rate
        length = round((0.06 + CHAR_S * len(word)) * rate)
        t = np.arange(length) / rate
        f0 = 140.0 + 25.0 * np.sin(2 * np.pi * 1.3 * t + n)
        phase = 2 * np.pi * np.cumsum(f0) / rate
        voice = sum(np.sin(h * phase) / h for h in range(1, 6))
        wobble = 0.6 + 0.4 * np.sin(2 * np.pi * 4.0 * t) ** 2  # syllable-like loudness
        edge = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01)  # 10 ms fades
        pieces.append((0.3 * voice * wobble * edge).astype(np.float32))
        times.append((at, at + length / rate))
        at += length / rate
    pieces.append(np.zeros(round(TAIL_S * rate), np.float32))
    return np.concatenate(pieces), times


def pcm_bytes(samples: Samples) -> bytes:
    """Float samples as raw 16-bit little-endian PCM."""
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def wav_file(samples: Samples, rate: int, *, streamed: bool = False) -> bytes:
    """A mono 16-bit WAV; `streamed` writes 0xFFFFFFFF sizes, as streaming services do."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm_bytes(samples))
    data = bytearray(buffer.getvalue())
    if streamed:
        data[4:8] = b"\xff\xff\xff\xff"
        data[40:44] = b"\xff\xff\xff\xff"
    return bytes(data)


def mp3_file(samples: Samples, rate: int, kbps: int) -> bytes:
    """MP3 made by FFmpeg (libmp3lame)."""
    from aifilm.media.ffmpeg import run_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.wav", Path(folder) / "out.mp3"
        source.write_bytes(wav_file(samples, rate))
        run_ffmpeg(["-i", source, "-c:a", "libmp3lame", "-b:a", f"{kbps}k", target])
        return target.read_bytes()


# ---- error bodies, as each provider writes them ----------------------------------


def elevenlabs_error(status: str, message: str) -> dict[str, Any]:
    """ElevenLabs: {"detail": {"status": ..., "message": ...}}."""
    return {"detail": {"status": status, "message": message}}


ELEVENLABS_QUOTA = elevenlabs_error(
    "quota_exceeded",
    "This request exceeds your quota of 10000. You have 0 credits remaining, "
    "while 91 credits are required for this request.",
)
ELEVENLABS_BUSY = elevenlabs_error(
    "too_many_concurrent_requests", "Too many concurrent requests for your subscription."
)


def openai_error(message: str, kind: str, code: str | None) -> dict[str, Any]:
    """OpenAI: {"error": {"message", "type", "param", "code"}}."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


OPENAI_QUOTA = openai_error(
    "You exceeded your current quota, please check your plan and billing details.",
    "insufficient_quota",
    "insufficient_quota",
)
OPENAI_RATE = openai_error(
    "Rate limit reached for tts-1 in organization org-x on requests per min (RPM): Limit 3.",
    "requests",
    "rate_limit_exceeded",
)


def google_error(code: int, status: str, message: str, reason: str | None = None) -> dict[str, Any]:
    """Google: {"error": {"code", "message", "status", "details": [ErrorInfo]}}."""
    details = []
    if reason:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": "texttospeech.googleapis.com"},
            }
        )
    return {"error": {"code": code, "message": message, "status": status, "details": details}}


GOOGLE_QUOTA = google_error(
    429,
    "RESOURCE_EXHAUSTED",
    "Quota exceeded for quota metric 'Characters' and limit 'Characters per day' "
    "of service 'texttospeech.googleapis.com'.",
    "RATE_LIMIT_EXCEEDED",
)
GOOGLE_RATE = google_error(
    429,
    "RESOURCE_EXHAUSTED",
    "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'.",
    "RATE_LIMIT_EXCEEDED",
)


# ---- the server ------------------------------------------------------------------


@dataclass
class Recorded:
    """One request the server received."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any


@dataclass
class Served:
    """The audio last served: its length and when each word sounds."""

    duration: float
    words: list[tuple[float, float]]


@dataclass
class _Canned:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class FakeTTSServer:
    """ElevenLabs, OpenAI and Google text-to-speech on one loopback port."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.served: Served | None = None
        self._queue: collections.deque[_Canned] = collections.deque()
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
            self.served = None

    def push(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Send this answer (JSON body) instead of the next normal one."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._queue.append(_Canned(status, data, dict(headers or {})))

    # ---- handling -------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        raw = h.rfile.read(int(h.headers.get("content-length") or 0))
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self._lock:
            self.requests.append(Recorded(split.path, query, headers, body))
        voice = re.fullmatch(r"/v1/text-to-speech/([^/]+)/with-timestamps", split.path)
        if voice:
            answer = self._elevenlabs(headers, query, body)
        elif split.path == "/v1/audio/speech":
            answer = self._openai(headers, body)
        elif split.path == "/v1/text:synthesize":
            answer = self._google(headers, query, body)
        else:
            answer = _Canned(404, b'{"detail": "Not Found"}')
        h.send_response(answer.status)
        answer.headers.setdefault("content-type", "application/json")
        for name, value in answer.headers.items():
            h.send_header(name, value)
        h.send_header("content-length", str(len(answer.body)))
        h.end_headers()
        h.wfile.write(answer.body)

    def _canned(self) -> _Canned | None:
        with self._lock:
            return self._queue.popleft() if self._queue else None

    @staticmethod
    def _json(status: int, body: Any) -> _Canned:
        return _Canned(status, json.dumps(body).encode())

    def _elevenlabs(self, headers: dict[str, str], query: dict[str, str], body: Any) -> _Canned:
        if headers.get("xi-api-key") != GOOD_KEY:
            return self._json(401, elevenlabs_error("invalid_api_key", "Invalid API key"))
        canned = self._canned()
        if canned:
            return canned
        problems = []
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            problems.append({"loc": ["body", "text"], "msg": "field required", "type": "missing"})
        else:
            settings = body.get("voice_settings", {})
            allowed = {"stability", "similarity_boost", "style", "use_speaker_boost", "speed"}
            if not isinstance(settings, dict) or set(settings) - allowed:
                problems.append({"loc": ["body", "voice_settings"], "msg": "extra fields"})
            elif not 0.7 <= settings.get("speed", 1.0) <= 1.2:
                problems.append({"loc": ["body", "voice_settings", "speed"], "msg": "0.7-1.2"})
            if set(body) - {"text", "model_id", "voice_settings", "language_code"}:
                problems.append({"loc": ["body"], "msg": "unexpected fields"})
        fmt = re.fullmatch(r"(pcm)_(\d+)|(mp3)_(\d+)_(\d+)", query.get("output_format", ""))
        if fmt is None:
            problems.append({"loc": ["query", "output_format"], "msg": "invalid output format"})
        if problems:
            return self._json(422, {"detail": problems})
        assert fmt is not None
        rate = int(fmt.group(2) or fmt.group(4))
        samples, times = speech_like(body["text"], rate)
        self.served = Served(len(samples) / rate, times)
        audio = pcm_bytes(samples) if fmt.group(1) else mp3_file(samples, rate, int(fmt.group(5)))
        chars, starts, ends = _alignment(body["text"], times, len(samples) / rate)
        return self._json(
            200,
            {
                "audio_base64": base64.b64encode(audio).decode(),
                "alignment": {
                    "characters": chars,
                    "character_start_times_seconds": starts,
                    "character_end_times_seconds": ends,
                },
                "normalized_alignment": {
                    "characters": chars,
                    "character_start_times_seconds": starts,
                    "character_end_times_seconds": ends,
                },
            },
        )

    def _openai(self, headers: dict[str, str], body: Any) -> _Canned:
        if headers.get("authorization") != f"Bearer {GOOD_KEY}":
            given = headers.get("authorization", "").removeprefix("Bearer ")
            masked = f"{given[:3]}***{given[-2:]}" if len(given) > 5 else "***"
            return self._json(
                401,
                openai_error(
                    f"Incorrect API key provided: {masked}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_request_error",
                    "invalid_api_key",
                ),
            )
        canned = self._canned()
        if canned:
            return canned
        if not isinstance(body, dict):
            return self._json(
                400,
                openai_error("We could not parse the JSON body.", "invalid_request_error", None),
            )
        for name in ("model", "input", "voice"):
            if not isinstance(body.get(name), str):
                return self._json(
                    400,
                    openai_error(
                        f"Missing required parameter: '{name}'.", "invalid_request_error", None
                    ),
                )
        if body["voice"] not in {
            "alloy",
            "ash",
            "ballad",
            "coral",
            "echo",
            "fable",
            "onyx",
            "nova",
            "sage",
            "shimmer",
            "verse",
        }:
            return self._json(
                400,
                openai_error(
                    f"Invalid value: '{body['voice']}'. Supported values are: 'alloy', 'ash', ...",
                    "invalid_request_error",
                    "invalid_value",
                ),
            )
        if "instructions" in body and body["model"] in ("tts-1", "tts-1-hd"):
            return self._json(
                400,
                openai_error(
                    "instructions are not supported for this model", "invalid_request_error", None
                ),
            )
        if not 0.25 <= body.get("speed", 1.0) <= 4.0:
            return self._json(
                400, openai_error("speed must be 0.25-4.0", "invalid_request_error", None)
            )
        samples, times = speech_like(body["input"], 24000)
        self.served = Served(len(samples) / 24000, times)
        fmt = body.get("response_format", "mp3")
        if fmt == "pcm":
            return _Canned(200, pcm_bytes(samples), {"content-type": "audio/pcm"})
        if fmt == "wav":
            return _Canned(
                200, wav_file(samples, 24000, streamed=True), {"content-type": "audio/wav"}
            )
        return self._json(
            400, openai_error(f"format {fmt} not served by the fake", "invalid_request_error", None)
        )

    def _google(self, headers: dict[str, str], query: dict[str, str], body: Any) -> _Canned:
        if (headers.get("x-goog-api-key") or query.get("key")) != GOOD_KEY:
            return self._json(
                400,
                google_error(
                    400,
                    "INVALID_ARGUMENT",
                    "API key not valid. Please pass a valid API key.",
                    "API_KEY_INVALID",
                ),
            )
        canned = self._canned()
        if canned:
            return canned
        try:
            text = body["input"]["text"]
            voice = body["voice"]
            config = body["audioConfig"]
            locale = voice["languageCode"]
        except (TypeError, KeyError):
            return self._json(400, google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload."))
        name = voice.get("name")
        if name and not name.startswith(locale + "-"):
            return self._json(
                400,
                google_error(
                    400,
                    "INVALID_ARGUMENT",
                    f"Requested language code '{locale}' doesn't match the voice "
                    f"'{name}''s language code.",
                ),
            )
        if config.get("audioEncoding") != "LINEAR16":
            return self._json(
                400, google_error(400, "INVALID_ARGUMENT", "the fake serves LINEAR16 only")
            )
        rate = int(config.get("sampleRateHertz") or 24000)
        samples, times = speech_like(text, rate)
        self.served = Served(len(samples) / rate, times)
        content = base64.b64encode(wav_file(samples, rate)).decode()
        return self._json(200, {"audioContent": content})


def _alignment(
    text: str, times: list[tuple[float, float]], duration: float
) -> tuple[list[str], list[float], list[float]]:
    """Per-character times: a word's letters share its burst, spaces the gaps."""
    chars, starts, ends = [], [], []
    words = iter(times)
    for match in re.finditer(r"\S+|\s+", text):
        piece = match.group()
        if piece.isspace():
            start = ends[-1] if ends else 0.0
            for ch in piece:
                chars.append(ch)
                starts.append(start)
                ends.append(start)
            continue
        a, b = next(words)
        step = (b - a) / len(piece)
        for i, ch in enumerate(piece):
            chars.append(ch)
            starts.append(round(a + i * step, 4))
            ends.append(round(min(duration, a + (i + 1) * step), 4))
    return chars, starts, ends
