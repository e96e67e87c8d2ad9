"""What the translation API backends (Google Cloud Translation, DeepL) share.

`ApiTranslateBackend` reads the API key from the backend's environment
variable (refusing to start without it, before any request), picks the
service's address (``AIFILM_<PROVIDER>_API_BASE`` > the ``api_base`` option >
the real service), cuts the texts into batches the service accepts
(`max_batch_texts`, `max_batch_chars`) and posts each with retries, as the
voice API backends do (`aifilm.pipeline.voice.http`): 429 and 5xx answers and
connection errors are retried, waiting as ``Retry-After`` asks or backing off
exponentially with jitter, within `max_wait_s`; a bad key, a used-up quota or
any other 4xx becomes a `UserError` with the provider's message.

The key travels in a header and is scrubbed from anything echoed back, so it
never appears in a message or a log record. Tests pass an httpx ``transport``
or point the address at a fake server on 127.0.0.1.
"""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import httpx
from pydantic import Field

from aifilm.errors import MissingDependencyError, UserError
from aifilm.pipeline.backend import BackendOptions
from aifilm.pipeline.translate.base import TranslateBackend
from aifilm.pipeline.voice.http import CONNECTION_OPTIONS, Failure, default_failure, retry_after

logger = logging.getLogger("aifilm.translate.api")
_MAX_BACKOFF_S = 20.0


class ApiTranslateOptions(BackendOptions):
    """Connection and retry options every translation API backend has."""

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


def batches(texts: list[str], max_texts: int, max_chars: int) -> Iterator[list[str]]:
    """`texts` in order, cut into runs of at most `max_texts` texts and about `max_chars`."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (len(batch) >= max_texts or size + len(text) > max_chars):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


class ApiTranslateBackend(TranslateBackend):
    """Base of translate backends that call a web API."""

    provider: ClassVar[str]  # the service's name in messages
    api_key_env: ClassVar[str]
    base_env: ClassVar[str]
    default_base: ClassVar[str]
    key_help: ClassVar[str] = ""
    max_batch_texts: ClassVar[int] = 50
    max_batch_chars: ClassVar[int] = 5000

    class Options(ApiTranslateOptions):
        """Connection options."""

    options: ApiTranslateOptions

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
        """Backend, version and the options that change the text (not the address)."""
        identity = super().identity()
        identity["options"] = {
            k: v for k, v in identity["options"].items() if k not in CONNECTION_OPTIONS
        }
        return identity

    def api_key(self) -> str:
        """The key from the environment; `MissingDependencyError` naming the variable if unset."""
        key = os.environ.get(self.api_key_env, "").strip()
        if not key:
            raise MissingDependencyError(
                f"the translate backend '{self.name}' needs a {self.provider} API key in the "
                f"environment variable {self.api_key_env}, which is not set",
                hint=f"export {self.api_key_env}=...  {self.key_help}".rstrip(),
            )
        return key

    def base_url(self, key: str) -> str:
        """The service address: environment variable, else option, else the real service."""
        base = os.environ.get(self.base_env) or self.options.api_base or self.default_base
        return base.rstrip("/")

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        """Translate in batches the service accepts; one answer per text, in order."""
        if not texts:
            return []
        key = self.api_key()
        out: list[str] = []
        for batch in batches(texts, self.max_batch_texts, self.max_batch_chars):
            got = self.translate_batch(batch, source, target, key)
            if len(got) != len(batch):
                raise UserError(
                    f"{self.provider} answered {len(got)} translations for {len(batch)} texts",
                    hint="render again; if it persists, try another translate backend",
                )
            out.extend(got)
        return out

    def translate_batch(self, texts: list[str], source: str, target: str, key: str) -> list[str]:
        """One request's worth of texts; implemented by each backend."""
        raise NotImplementedError

    def classify(self, response: httpx.Response) -> Failure:
        """What an error answer means; backends read their provider's error body."""
        return default_failure(response)

    def post(self, path: str, *, json: Any, key: str, headers: Mapping[str, str]) -> httpx.Response:
        """POST JSON to the service with retries; the successful answer, or a `UserError`."""
        base = self.base_url(key)
        opts = self.options
        waited = 0.0
        attempt = 0
        with httpx.Client(
            base_url=base, timeout=opts.timeout_s, transport=self.transport, headers=headers
        ) as client:
            while True:
                attempt += 1
                failure: Failure | None = None
                asked: float | None = None
                try:
                    response = client.post(path, json=json)
                except httpx.TransportError as exc:
                    problem = f"no answer from {base} ({type(exc).__name__}: {_scrub(exc, key)})"
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
                    raise self._gave_up(problem, failure, attempt, base)
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
                        base,
                    )
                logger.warning(
                    "%s: %s; retrying in %.2f s (retry %d of %d)",
                    self.provider, problem, delay, attempt, opts.max_retries,
                )  # fmt: skip
                time.sleep(delay)
                waited += delay

    def _error(self, failure: Failure, status: int) -> UserError:
        name = f"{self.provider} (translate backend '{self.name}')"
        if failure.kind == "auth":
            return UserError(
                f"{name} refused the API key from {self.api_key_env} (HTTP {status}): "
                f"{failure.message}",
                hint=f"check the value of the environment variable {self.api_key_env}. "
                f"{self.key_help}".rstrip(),
            )
        if failure.kind == "quota":
            return UserError(
                f"{name}: the account's quota is used up (HTTP {status}): {failure.message}",
                hint=f"raise the quota or wait for it to reset at {self.provider}, or write the "
                "translations in the project file (translate backend 'spec')",
            )
        return UserError(
            f"{name} rejected the request (HTTP {status}): {failure.message}",
            hint="check output.subtitles.languages (the service may not offer a language) "
            "and the backend's options",
        )

    def _gave_up(self, problem: str, failure: Failure | None, attempt: int, base: str) -> UserError:
        tries = f"{attempt} attempt{'s' if attempt != 1 else ''}"
        if failure is not None and failure.kind == "rate":
            return UserError(
                f"{self.provider} kept answering 'too many requests' after {tries}: {problem}",
                hint="wait and render again (finished translations are cached), or raise "
                "max_retries or max_wait_s in the translate backend's options",
            )
        return UserError(
            f"{self.provider} could not be reached or failed after {tries}: {problem}",
            hint=f"check the network and the service address ({base}); render again later",
        )


def _scrub(text: object, key: str) -> str:
    """`text` with any copy of the API key replaced."""
    return str(text).replace(key, "[redacted]") if key else str(text)
