"""YouTube's resumable upload protocol, in chunks, resuming where the server stands.

https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol

1. POST the metadata to `/upload/youtube/v3/videos?uploadType=resumable&part=...` with
   `X-Upload-Content-Length` and `X-Upload-Content-Type`; the answer's `Location` is the
   session URI (valid about a week, so it is worth keeping across runs).
2. PUT chunks to the session URI with `Content-Range: bytes FIRST-LAST/TOTAL`; the server
   answers 308 with `Range: bytes=0-N` (what it has kept) until the last, answered 200 or 201
   with the video resource.
3. After a dropped connection, a timeout or a 5xx, PUT an empty body with
   `Content-Range: bytes */TOTAL`: 308 + `Range: bytes=0-N` says to go on from N+1 (no
   `Range`: from 0); 200/201 says it was complete. 404/410: the session is gone, start again.

Written over a `requests` session (an `AuthorizedSession`, which adds and refreshes the
token) rather than with `MediaFileUpload`: httplib2 retries a dropped chunk from a stream it
has already consumed and hangs, while here every chunk is read again from the file at the
offset the server gave.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from aifilm.publish.youtube.errors import YouTubeServiceError

RANGE_RE = re.compile(r"bytes=0-(\d+)$")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CONNECTION_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    ConnectionError,
)

UploadProgress = Callable[[int, int, str], None]  # (bytes the server has, total, note)


class SessionExpired(Exception):
    """The upload session is gone (404/410): the upload must start again."""


@dataclass
class UploadStats:
    """What happened during one upload (for reports and tests)."""

    chunks_sent: int = 0
    bytes_sent: int = 0
    status_queries: int = 0
    resumed_from: tuple[int, ...] = ()
    retries: int = 0


class ResumableUploader:
    """Send one file through a resumable upload session."""

    def __init__(
        self,
        session: requests.Session,
        *,
        chunk_size: int,
        max_retries: int = 8,
        retry_delay: float = 1.0,
        timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        on_failure: Callable[[requests.Response], Exception] | None = None,
    ) -> None:
        self.session = session
        self.chunk_size = chunk_size
        self.max_retries = max_retries
        self.retry_delay = retry_delay
        self.timeout = timeout
        self.sleep = sleep
        # Turns a 4xx answer into the caller's error (the client maps YouTube's reasons).
        self.on_failure = on_failure or _generic_failure
        self.stats = UploadStats()

    def start(self, url: str, metadata: dict[str, Any], total: int, content_type: str) -> str:
        """Open an upload session for `total` bytes; return its URI."""
        headers = {
            "Content-Type": "application/json; charset=UTF-8",
            "X-Upload-Content-Length": str(total),
            "X-Upload-Content-Type": content_type,
        }
        body = json.dumps(metadata).encode()
        response = self._with_retries(
            lambda: self.session.post(url, data=body, headers=headers, timeout=self.timeout),
            what="starting the upload",
        )
        if response.status_code != 200:
            raise self.on_failure(response)
        location = response.headers.get("Location")
        if not location:
            raise YouTubeServiceError(
                "YouTube opened no upload session (no Location header)",
                status=response.status_code,
            )
        return location

    def query(self, session_uri: str, total: int) -> tuple[int, dict[str, Any] | None]:
        """Where the server stands: (next byte to send, None) or (total, the video resource)."""
        self.stats.status_queries += 1
        headers = {"Content-Range": f"bytes */{total}", "Content-Length": "0"}
        response = self._with_retries(
            lambda: self.session.put(session_uri, data=b"", headers=headers, timeout=self.timeout),
            what="asking YouTube how much of the upload it has",
        )
        return self._position(response, total)

    def _position(
        self, response: requests.Response, total: int
    ) -> tuple[int, dict[str, Any] | None]:
        if response.status_code in (200, 201):
            resource: dict[str, Any] = response.json()
            return total, resource
        if response.status_code == 308:
            match = RANGE_RE.match(response.headers.get("Range", "").strip())
            return (int(match.group(1)) + 1 if match else 0), None
        if response.status_code in (404, 410):
            raise SessionExpired(response.status_code)
        raise self.on_failure(response)

    def send(
        self,
        session_uri: str,
        path: Path,
        total: int,
        *,
        progress: UploadProgress | None = None,
        resume: bool = False,
    ) -> dict[str, Any]:
        """Send the file's bytes from where the server stands; return the video resource."""
        offset = 0
        if resume:
            offset, done = self.query(session_uri, total)
            if done is not None:
                return done
            self.stats.resumed_from += (offset,)
        if progress:
            progress(offset, total, "resuming" if offset else "")
        failures = 0
        with path.open("rb") as file:
            while True:
                file.seek(offset)
                chunk = file.read(self.chunk_size)
                last = offset + len(chunk) - 1
                headers = {
                    "Content-Range": f"bytes {offset}-{last}/{total}",
                    "Content-Length": str(len(chunk)),
                }
                problem: str | None = None
                try:
                    self.stats.chunks_sent += 1
                    self.stats.bytes_sent += len(chunk)
                    response = self.session.put(
                        session_uri, data=chunk, headers=headers, timeout=self.timeout
                    )
                except CONNECTION_ERRORS as exc:
                    problem = f"connection lost ({type(exc).__name__})"
                else:
                    if response.status_code in RETRY_STATUSES:
                        problem = f"YouTube answered {response.status_code}"
                    else:
                        offset, done = self._position(response, total)
                        failures = 0
                        if done is not None:
                            if progress:
                                progress(total, total, "")
                            return done
                        if progress:
                            progress(offset, total, "")
                        continue
                failures += 1
                self.stats.retries += 1
                if failures > self.max_retries:
                    raise YouTubeServiceError(
                        f"the upload failed {failures} times in a row ({problem}); "
                        f"YouTube has {offset} of {total} bytes",
                        status=None,
                    )
                self.sleep(self.retry_delay * 2 ** (failures - 1))
                # Ask rather than guess: the server may have kept part of the lost chunk.
                offset, done = self.query(session_uri, total)
                if done is not None:
                    return done
                self.stats.resumed_from += (offset,)
                if progress:
                    progress(offset, total, f"{problem}; resuming at byte {offset}")

    def _with_retries(
        self, attempt: Callable[[], requests.Response], *, what: str
    ) -> requests.Response:
        """Run `attempt`, retrying connection errors and 5xx/429 with exponential backoff."""
        failures = 0
        while True:
            problem: str
            try:
                response = attempt()
            except CONNECTION_ERRORS as exc:
                problem = f"connection lost ({type(exc).__name__})"
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response
                problem = f"YouTube answered {response.status_code}"
            failures += 1
            self.stats.retries += 1
            if failures > self.max_retries:
                raise YouTubeServiceError(f"{what} failed {failures} times: {problem}")
            self.sleep(self.retry_delay * 2 ** (failures - 1))


def _generic_failure(response: requests.Response) -> Exception:
    return YouTubeServiceError(
        f"YouTube answered {response.status_code}: {response.text[:300]}",
        status=response.status_code,
    )
