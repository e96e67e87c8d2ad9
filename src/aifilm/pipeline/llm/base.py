"""What every language-model backend does: one chat request, answered as JSON text.

A backend's `chat` sends the request with its provider's official client and retries
what a provider says is temporary (429 and 5xx, waiting as long as `Retry-After` asks,
else backing off); the rest becomes a `UserError` that names what to fix. The API key
is an option or an environment variable; it is never part of a cache key, a message or
a log line.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from abc import abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import Field, SecretStr

from aifilm.errors import UserError
from aifilm.pipeline.backend import Backend, BackendOptions


@dataclass(frozen=True)
class ChatRequest:
    """One question: instructions, the conversation so far, and the shape of the answer."""

    system: str
    messages: tuple[tuple[str, str], ...]  # (role, text), role "user" or "assistant"
    schema: dict[str, Any]  # JSON Schema the answer must follow (no $ref)
    schema_name: str = "answer"
    max_tokens: int = 8192


@dataclass(frozen=True)
class ChatAnswer:
    """The model's answer as JSON text, and what it cost in tokens."""

    text: str
    input_tokens: int = 0
    output_tokens: int = 0


@dataclass
class Usage:
    """Requests and tokens a backend has used so far (for the writer's report)."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, answer: ChatAnswer) -> None:
        """Count one answered request."""
        with self._lock:
            self.requests += 1
            self.input_tokens += answer.input_tokens
            self.output_tokens += answer.output_tokens

    def to_dict(self) -> dict[str, int]:
        """JSON-able counts."""
        return {
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
        }


class ProviderError(Exception):
    """A provider's HTTP failure, as a backend maps its client's exception."""

    def __init__(self, status: int | None, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class Refusal(Exception):
    """The model declined to answer (safety or policy); retrying will not help."""


def provider_message(body: object, fallback: str) -> str:
    """The provider's own error message from an error body (OpenAI's and Anthropic's
    ``{"error": {"message"}}``), without the request echoed back."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    if isinstance(body, str):
        return body[:300]
    return json.dumps(body)[:300] if body is not None else fallback


def retry_after_seconds(headers: Any) -> float | None:
    """Seconds from a `Retry-After` (or `retry-after-ms`) header, if the response has one."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
        if value is not None:
            return max(0.0, float(value))
    except (TypeError, ValueError):  # an HTTP date: back off instead
        return None
    return None


def schema_of(answer: str) -> Any:
    """The answer parsed as JSON, tolerating a Markdown code fence around it."""
    text = answer.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return json.loads(text)


class LLMBackend(Backend):
    """A chat model that answers in JSON following a schema."""

    stage = "llm"
    extra = "llm"
    default_model: ClassVar[str] = ""
    base_url_env: ClassVar[str | None] = None

    class Options(BackendOptions):
        """Model, server and behaviour; the key defaults to the provider's variable."""

        model: str | None = Field(None, description="Model name (default: the backend's).")
        base_url: str | None = Field(None, description="Server URL (default: the provider's).")
        api_key: SecretStr | None = Field(None, description="API key (default: its variable).")
        temperature: float = Field(0.7, ge=0.0, le=2.0)
        timeout: float = Field(120.0, gt=0, description="Seconds to wait for one answer.")
        retries: int = Field(4, ge=0, le=10, description="Tries again on 429 and 5xx.")
        max_wait: float = Field(
            60.0, ge=0, description="Longest wait between tries, whatever Retry-After says."
        )

    options: Options

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.usage = Usage()

    @property
    def model(self) -> str:
        """The model asked."""
        return self.options.model or self.default_model

    @property
    def base_url(self) -> str | None:
        """The server asked, if not the provider's own."""
        if self.options.base_url:
            return self.options.base_url
        return os.environ.get(self.base_url_env) if self.base_url_env else None

    def api_key(self) -> str | None:
        """The key: the option, else the provider's environment variable."""
        if self.options.api_key is not None:
            return self.options.api_key.get_secret_value()
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def identity(self) -> dict[str, Any]:
        """Model, server and temperature make an answer what it is; key and timeouts do not."""
        return {
            "backend": self.name,
            "version": self.version,
            "model": self.model,
            "base_url": self.base_url,
            "temperature": self.options.temperature,
        }

    def require_key(self) -> str:
        """The key, or a `UserError` naming the variable to set."""
        key = self.api_key()
        if not key:
            raise UserError(
                f"the llm backend '{self.name}' needs an API key",
                hint=f"export {self.api_key_env}=... (or set the backend's api_key option)",
            )
        return key

    def out_of_room(self, request: ChatRequest) -> UserError:
        """The answer stopped at `max_tokens`: what every backend says about it."""
        return UserError(
            f"the model {self.model} ran out of room ({request.max_tokens} tokens) mid-answer",
            hint="ask for fewer minutes, or use a model with a larger output limit",
        )

    def chat(self, request: ChatRequest) -> ChatAnswer:
        """Ask once, trying again on 429 and 5xx; a clear `UserError` on anything else."""
        for attempt in range(self.options.retries + 1):
            try:
                answer = self.send(request)
            except Refusal as refused:
                raise UserError(
                    f"the model {self.model} ({self.name}) refused to answer: {refused}",
                    hint="reword the topic or source, or choose another model",
                ) from None
            except ProviderError as exc:
                temporary = exc.status is None or exc.status == 429 or exc.status >= 500
                if not temporary or attempt == self.options.retries:
                    raise self._failure(exc, attempt + 1) from None
                wait = exc.retry_after
                if wait is None:
                    wait = min(30.0, 0.5 * 2**attempt) * (0.5 + random.random() / 2)
                time.sleep(min(wait, self.options.max_wait))
                continue
            self.usage.add(answer)
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _failure(self, exc: ProviderError, tries: int) -> UserError:
        where = f"{self.name} ({self.base_url or 'the provider'}, model {self.model})"
        if exc.status in (401, 403):
            return UserError(
                f"{where} refused the API key (HTTP {exc.status}): {exc.message}",
                hint=f"check {self.api_key_env} (or the api_key option) and its permissions",
            )
        if exc.status == 429:
            return UserError(
                f"{where} still limits requests after {tries} tries (HTTP 429): {exc.message}",
                hint="wait and run again, raise the plan's quota, or use another model",
            )
        if exc.status is None or exc.status >= 500:
            status = f"HTTP {exc.status}" if exc.status else "no answer"
            return UserError(
                f"{where} failed after {tries} tries ({status}): {exc.message}",
                hint="try again later, or check base_url and timeout",
            )
        return UserError(
            f"{where} rejected the request (HTTP {exc.status}): {exc.message}",
            hint="check the model name and base_url",
        )

    @abstractmethod
    def send(self, request: ChatRequest) -> ChatAnswer:
        """One HTTP request; raise `ProviderError` or `Refusal` on failure."""
