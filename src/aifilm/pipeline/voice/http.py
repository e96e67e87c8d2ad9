"""What the text-to-speech API backends (ElevenLabs, OpenAI, Google) share.

`ApiVoiceBackend` is their base: it reads the API key from the backend's
environment variable (and refuses to start without it, before any request),
picks the service's address, resolves a request's voice (the request's
`voice_id`, else the user's `voices` option, else the backend's table) and
posts JSON with retries:

* 429 and 5xx answers and connection errors are retried up to `max_retries`
  times, waiting as the answer's ``Retry-After`` (or ``retry-after-ms``) asks,
  else ``backoff_s`` doubling each time with jitter; all the waits together
  stay under `max_wait_s`.
* Answers the backend classifies as a bad key, an exhausted quota or any other
  4xx become `UserError` with the provider's own message and what to do.

The API key never appears in a message or a log record: it travels in a
header, and anything the provider echoes back is scrubbed of it.

The address is the ``AIFILM_<PROVIDER>_API_BASE`` environment variable, else
the ``api_base`` option, else the real service (settings precedence: the
environment wins over the project file). Tests pass an httpx ``transport`` to
the constructor, or point ``api_base`` at a fake server on 127.0.0.1.
"""

from __future__ import annotations

import email.utils
import io
import logging
import os
import random
import tempfile
import time
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import httpx
import numpy as np
import numpy.typing as npt
from pydantic import Field, field_validator

from aifilm.errors import MissingDependencyError, UnsupportedError, UserError
from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.voice.base import SpeechRequest, VoiceBackend
from aifilm.spec.vocabulary import LANGUAGE_CODES, VOICE_PRESETS, choice_error

Samples = npt.NDArray[np.float32]

logger = logging.getLogger("aifilm.voice.api")

# Options that change how we reach the service, not what it says: kept out of cache keys.
CONNECTION_OPTIONS: frozenset[str] = frozenset(
    {"api_base", "timeout_s", "max_retries", "backoff_s", "max_wait_s"}
)
_MAX_BACKOFF_S = 20.0


@dataclass(frozen=True)
class Failure:
    """What an error answer means: its kind decides retrying and the message."""

    kind: Literal["auth", "quota", "rate", "server", "other"]
    message: str


class ApiOptions(BackendOptions):
    """Options every API voice backend has: connection, retries and voice overrides."""

    api_base: str | None = Field(
        None, description="Service address (default: the real service); e.g. a proxy."
    )
    timeout_s: float = Field(60.0, gt=0, le=600, description="Seconds to wait for one answer.")
    max_retries: int = Field(4, ge=0, le=10, description="Retries after 429, 5xx or no answer.")
    backoff_s: float = Field(
        0.5, ge=0, le=30, description="First wait before retrying; doubles each retry, jittered."
    )
    max_wait_s: float = Field(
        60.0, ge=0, le=600, description="Most seconds spent waiting between retries, in all."
    )
    voices: dict[str, str] = Field(
        default_factory=dict,
        description="The provider's voice id per preset ('child') or language/preset "
        "('hi/child'), overriding the built-in table.",
    )

    @field_validator("voices")
    @classmethod
    def _known_presets(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            language, _, preset = key.rpartition("/")
            if preset not in VOICE_PRESETS:
                raise ValueError(choice_error("voice preset", preset, list(VOICE_PRESETS)))
            if language and language not in LANGUAGE_CODES:
                raise ValueError(choice_error("language", language, LANGUAGE_CODES))
        return value


class ApiVoiceBackend(VoiceBackend):
    """Base of voice backends that call a text-to-speech web API."""

    provider: ClassVar[str]  # the service's name in messages: "ElevenLabs"
    api_key_env: ClassVar[str]
    base_env: ClassVar[str]  # environment variable that overrides the address
    default_base: ClassVar[str]
    key_help: ClassVar[str] = ""  # where to get or check a key

    class Options(ApiOptions):
        """Connection and voice options."""

    options: ApiOptions

    def __init__(
        self,
        options: BackendOptions | Mapping[str, Any] | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(options, **kwargs)
        self.transport = transport  # tests inject httpx.MockTransport here

    def identity(self) -> dict[str, Any]:
        """Backend, version and the options that change the audio (not the address)."""
        identity = super().identity()
        identity["options"] = {
            k: v for k, v in identity["options"].items() if k not in CONNECTION_OPTIONS
        }
        return identity

    # ---- settings ----------------------------------------------------------

    def api_key(self) -> str:
        """The key from the environment; `MissingDependencyError` naming the variable if unset."""
        key = os.environ.get(self.api_key_env, "").strip()
        if not key:
            raise MissingDependencyError(
                f"the voice backend '{self.name}' needs a {self.provider} API key in the "
                f"environment variable {self.api_key_env}, which is not set",
                hint=f"export {self.api_key_env}=...  {self.key_help}".rstrip(),
            )
        return key

    def base_url(self) -> str:
        """The service address: environment variable, else option, else the real service."""
        base = os.environ.get(self.base_env) or self.options.api_base or self.default_base
        return base.rstrip("/")

    def voice_for(self, request: SpeechRequest, table_voice: str | None) -> str | None:
        """The voice to use: the request's, else the user's option, else the table's."""
        if request.preset not in VOICE_PRESETS:
            raise UnsupportedError(
                choice_error("voice preset", request.preset, list(VOICE_PRESETS))
            )
        if request.voice_id:
            return request.voice_id
        overrides = self.options.voices
        return (
            overrides.get(f"{request.language}/{request.preset}")
            or overrides.get(request.preset)
            or table_voice
        )

    # ---- HTTP ----------------------------------------------------------------

    def classify(self, response: httpx.Response) -> Failure:
        """What an error answer means; backends read their provider's error body."""
        return default_failure(response)

    def post(
        self,
        path: str,
        *,
        json: Any,
        key: str,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST JSON to the service with retries; the successful answer, or a `UserError`."""
        base = self.base_url()
        opts = self.options
        waited = 0.0
        attempt = 0
        with httpx.Client(
            base_url=base, timeout=opts.timeout_s, transport=self.transport, headers=headers
        ) as client:
            while True:
                attempt += 1
                problem: str
                asked: float | None = None
                try:
                    response = client.post(path, json=json, params=params)
                except httpx.TransportError as exc:
                    failure = None
                    problem = (
                        f"no answer from {base} ({type(exc).__name__}: {_scrub(str(exc), key)})"
                    )
                else:
                    if response.is_success:
                        return response
                    failure = self.classify(response)
                    failure = Failure(failure.kind, _scrub(failure.message, key))
                    if failure.kind not in ("rate", "server"):
                        raise self._error(failure, response.status_code)
                    problem = f"HTTP {response.status_code}: {failure.message}"
                    asked = retry_after(response)
                if attempt > opts.max_retries:
                    raise self._gave_up(problem, failure, attempt)
                delay = asked
                if delay is None:
                    delay = min(_MAX_BACKOFF_S, opts.backoff_s * 2 ** (attempt - 1))
                    delay *= random.uniform(0.5, 1.0)
                if waited + delay > opts.max_wait_s:
                    raise self._gave_up(
                        problem + f"; waiting {delay:.1f} s more would pass max_wait_s "
                        f"({opts.max_wait_s:g} s)",
                        failure,
                        attempt,
                    )
                logger.warning(
                    "%s: %s; retrying in %.2f s (retry %d of %d)",
                    self.provider, problem, delay, attempt, opts.max_retries,
                )  # fmt: skip
                time.sleep(delay)
                waited += delay

    def _error(self, failure: Failure, status: int) -> UserError:
        name = f"{self.provider} (voice backend '{self.name}')"
        if failure.kind == "auth":
            return UserError(
                f"{name} refused the API key from {self.api_key_env} (HTTP {status}): "
                f"{failure.message}",
                hint=f"check the value of the environment variable {self.api_key_env}. "
                f"{self.key_help}".rstrip(),
            )
        if failure.kind == "quota":
            return UserError(
                f"{name}: the account's quota or credits are used up (HTTP {status}): "
                f"{failure.message}",
                hint=f"add credits or upgrade the plan at {self.provider}, wait for the quota "
                "to reset, or use another voice backend (e.g. espeak)",
            )
        return UserError(
            f"{name} rejected the request (HTTP {status}): {failure.message}",
            hint="check the voice backend's options and the line's voice settings",
        )

    def _gave_up(self, problem: str, failure: Failure | None, attempt: int) -> UserError:
        tries = f"{attempt} attempt{'s' if attempt != 1 else ''}"
        if failure is not None and failure.kind == "rate":
            return UserError(
                f"{self.provider} kept answering 'too many requests' after {tries}: {problem}",
                hint="wait and render again (finished lines are cached), raise max_retries or "
                "max_wait_s in the voice backend's options, or check the account's rate limits",
            )
        return UserError(
            f"{self.provider} could not be reached or failed after {tries}: {problem}",
            hint=f"check the network and the service address ({self.base_url()}); "
            "render again later (finished lines are cached)",
        )


def _scrub(text: str, key: str) -> str:
    """`text` with any copy of the API key replaced."""
    return text.replace(key, "[redacted]") if key else text


def default_failure(response: httpx.Response, message: str | None = None) -> Failure:
    """A failure from the status code alone (and a message if the body gave one)."""
    status = response.status_code
    text = message or response.text.strip()[:500] or response.reason_phrase
    if status in (401, 403):
        return Failure("auth", text)
    if status == 429:
        return Failure("rate", text)
    if status >= 500:
        return Failure("server", text)
    return Failure("other", text)


def json_body(response: httpx.Response) -> Any:
    """The answer's JSON, or None if it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the answer asks us to wait (``retry-after-ms`` or ``Retry-After``), if any."""
    ms = response.headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


# ---- audio ---------------------------------------------------------------------


def pcm16_samples(data: bytes) -> Samples:
    """Raw signed 16-bit little-endian mono PCM as float32 in [-1, 1]."""
    usable = len(data) - len(data) % 2
    return np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0


def wav_samples(data: bytes) -> tuple[Samples, int]:
    """A 16-bit PCM WAV file's samples (mixed to mono) and rate.

    Tolerates the size fields of a streamed WAV (0 or 0xFFFFFFFF), which some
    services send: the data runs to the end of the file.
    """
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    pos, channels, rate, width = 12, 0, 0, 0
    while pos + 8 <= len(data):
        chunk, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if chunk == b"fmt ":
            fmt = int.from_bytes(data[body : body + 2], "little")
            channels = int.from_bytes(data[body + 2 : body + 4], "little")
            rate = int.from_bytes(data[body + 4 : body + 8], "little")
            width = int.from_bytes(data[body + 14 : body + 16], "little")
            if fmt not in (1, 0xFFFE) or width != 16:
                raise ValueError(f"only 16-bit PCM WAV is supported (format {fmt}, {width}-bit)")
        elif chunk == b"data":
            if not channels:
                raise ValueError("WAV data before its format chunk")
            end = len(data) if size in (0, 0xFFFFFFFF) else min(len(data), body + size)
            samples = pcm16_samples(data[body:end])
            frames = len(samples) // channels
            mono = samples[: frames * channels].reshape(frames, channels).mean(axis=1)
            return mono.astype(np.float32), rate
        pos = body + size + (size & 1)
    raise ValueError("WAV file without a data chunk")


def wav_bytes(samples: Samples, rate: int) -> bytes:
    """Mono float samples as a 16-bit PCM WAV file in memory."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes(pcm.tobytes())
    return buffer.getvalue()


def decode_audio(data: bytes, rate: int) -> Samples:
    """Compressed audio (MP3, Opus, ...) decoded by FFmpeg to mono float32 at `rate`."""
    from aifilm.media.ffmpeg import run_ffmpeg
    from aifilm.media.wav import read_wav

    with tempfile.TemporaryDirectory(prefix="aifilm-tts-") as folder:
        source, target = Path(folder) / "speech.bin", Path(folder) / "speech.wav"
        source.write_bytes(data)
        run_ffmpeg(
            ["-i", source, "-ac", "1", "-ar", str(rate), "-c:a", "pcm_s16le", target],
            what="decoding the speech audio from the service",
        )
        samples, _ = read_wav(target)
    return samples[:, 0]
