"""What every backend that calls a web API shares (voices, translation, ...).

`WebApiBackend` is a mixin placed before a stage's base class. It reads the API key
from the backend's environment variable (refusing to start without it, before any
request), picks the service's address (``AIFILM_<PROVIDER>_API_BASE`` > the
``api_base`` option > the real service: the environment wins over the project file)
and posts JSON with retries:

* 429 and 5xx answers and connection errors are retried up to `max_retries` times,
  waiting as the answer's ``Retry-After`` (or ``retry-after-ms``) asks, else
  ``backoff_s`` doubling each time with jitter; all waits together stay under
  `max_wait_s`.
* Answers the backend classifies as a bad key, an exhausted quota or any other 4xx
  become a `UserError` with the provider's own message and what to do.

The key never appears in a message or a log record: it travels in a header, and
anything the provider echoes back is scrubbed of it. Tests pass an httpx
``transport`` to the constructor, or point the address at a fake server on 127.0.0.1.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import httpx
from pydantic import Field

from aifilm.errors import MissingDependencyError, UserError
from aifilm.pipeline.backend import BackendOptions

logger = logging.getLogger("aifilm.web_api")

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


class ConnectionOptions(BackendOptions):
    """Connection and retry options every web API backend has."""

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


class WebApiBackend:
    """Mixin for backends that call a web API; put it before the stage's base class."""

    provider: ClassVar[str]  # the service's name in messages: "ElevenLabs"
    api_key_env: ClassVar[str | None]  # set by every concrete backend
    base_env: ClassVar[str]  # environment variable that overrides the address
    default_base: ClassVar[str]
    key_help: ClassVar[str] = ""  # where to get or check a key
    quota_hint: ClassVar[str] = "add credits or upgrade the plan, or wait for the quota to reset"
    rejected_hint: ClassVar[str] = "check the backend's options"
    cached_what: ClassVar[str] = "finished pieces"  # what a re-render will not redo
    # Provided by the Backend base class:
    name: ClassVar[str]
    stage: ClassVar[str]
    options: ConnectionOptions

    def __init__(
        self,
        options: BackendOptions | Mapping[str, Any] | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(options, **kwargs)  # type: ignore[call-arg]
        self.transport = transport  # tests inject httpx.MockTransport here

    def identity(self) -> dict[str, Any]:
        """Backend, version and the options that change the output (not the address)."""
        identity: dict[str, Any] = super().identity()  # type: ignore[misc]
        identity["options"] = {
            k: v for k, v in identity["options"].items() if k not in CONNECTION_OPTIONS
        }
        return identity

    def api_key(self) -> str:
        """The key from the environment; `MissingDependencyError` naming the variable if unset."""
        key = os.environ.get(self.api_key_env or "", "").strip()
        if not key:
            raise MissingDependencyError(
                f"the {self.stage} backend '{self.name}' needs a {self.provider} API key in the "
                f"environment variable {self.api_key_env}, which is not set",
                hint=f"export {self.api_key_env}=...  {self.key_help}".rstrip(),
            )
        return key

    def base_url(self) -> str:
        """The service address: environment variable, else option, else the real service."""
        base = os.environ.get(self.base_env) or self.options.api_base or self.default_base
        return base.rstrip("/")

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
        return self.call("POST", path, json=json, key=key, headers=headers, params=params)

    def call(
        self,
        method: str,
        path: str,
        *,
        key: str,
        headers: Mapping[str, str],
        json: Any = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Any request (a GET that polls a job, a multipart POST) with the same retries and
        error handling as `post`; `path` may be a full URL the service gave (a job's)."""
        base = self.base_url()
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
                    response = client.request(
                        method, path, json=json, params=params, data=data, files=files
                    )
                except httpx.TransportError as exc:
                    problem = f"no answer from {base} ({type(exc).__name__}: {scrub(exc, key)})"
                else:
                    if response.is_success:
                        return response
                    found = self.classify(response)
                    failure = Failure(found.kind, scrub(found.message, key))
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
        name = f"{self.provider} ({self.stage} backend '{self.name}')"
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
                hint=self.quota_hint,
            )
        return UserError(
            f"{name} rejected the request (HTTP {status}): {failure.message}",
            hint=self.rejected_hint,
        )

    def _gave_up(self, problem: str, failure: Failure | None, attempt: int) -> UserError:
        tries = f"{attempt} attempt{'s' if attempt != 1 else ''}"
        if failure is not None and failure.kind == "rate":
            return UserError(
                f"{self.provider} kept answering 'too many requests' after {tries}: {problem}",
                hint=f"wait and render again ({self.cached_what} are cached), raise max_retries "
                f"or max_wait_s in the {self.stage} backend's options, or check the account's "
                "rate limits",
            )
        return UserError(
            f"{self.provider} could not be reached or failed after {tries}: {problem}",
            hint=f"check the network and the service address ({self.base_url()}); "
            f"render again later ({self.cached_what} are cached)",
        )


def scrub(text: object, key: str) -> str:
    """`text` with any copy of the API key replaced."""
    return str(text).replace(key, "[redacted]") if key else str(text)


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
