"""Server-sent events from a polled snapshot: `log` for each new log line, `progress`
whenever the status changes, then `end` once it reaches a final status, with a keep-alive
comment when nothing happens for 15 s (proxies close quiet connections).

A stream holds no database connection between polls (each poll borrows one for its query),
and each process caps how many streams are open, per account and in all (`StreamSlots`):
an idle socket costs little, but thousands of them polling would starve everyone else.
"""

from __future__ import annotations

import asyncio
import json
import threading
import weakref
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from aifilm.server.errors import Problem

KEEP_ALIVE_S = 15.0
RETRY_AFTER_S = 10  # what a client over its stream cap is told to wait


class StreamSlots:
    """Counts the open event streams of this process, in all and per account."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_user: dict[str, int] = {}
        self._total = 0

    @property
    def total(self) -> int:
        """Streams open now."""
        return self._total

    def acquire(self, user_id: str, per_user: int, in_all: int) -> Callable[[], None]:
        """Take a slot for `user_id`, or raise a 429 problem when a cap is reached; returns
        the function that gives it back (calling it again does nothing)."""
        with self._lock:
            held = self._by_user.get(user_id, 0)
            if held >= per_user:
                raise Problem(
                    429,
                    f"this account has {held} event streams open (at most {per_user}); "
                    "close one, or poll GET /status instead",
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                )
            if self._total >= in_all:
                raise Problem(
                    429,
                    f"the server has {self._total} event streams open (at most {in_all}); "
                    "try again later, or poll GET /status instead",
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                )
            self._by_user[user_id] = held + 1
            self._total += 1
        released = False

        def release() -> None:
            nonlocal released
            with self._lock:
                if released:
                    return
                released = True
                self._total -= 1
                left = self._by_user[user_id] - 1
                if left:
                    self._by_user[user_id] = left
                else:
                    del self._by_user[user_id]

        return release


def stream_slot(state: Any, user_id: object) -> Callable[[], None]:
    """A stream slot for the user under the server's caps (`max_streams_per_user`,
    `max_streams`); a 429 problem when either is reached."""
    settings = state.settings
    slots: StreamSlots = state.streams
    return slots.acquire(str(user_id), settings.max_streams_per_user, settings.max_streams)


Snapshot = tuple[dict[str, Any], list[dict[str, Any]]]  # the status, new log lines


async def snapshots(
    request: Request,
    snapshot: Callable[[int], Snapshot],
    final: Collection[str],
    interval: float,
) -> AsyncIterator[str]:
    """The event stream of `snapshot(last line id)` (run in a thread; its status says when
    to end). Log lines carry an integer `id`, sent as the event id."""
    last: dict[str, Any] | None = None
    last_line = 0
    quiet = 0.0
    yield "retry: 2000\n\n"
    while True:
        status, lines = await run_in_threadpool(snapshot, last_line)
        for line in lines:
            last_line = line["id"]
            yield f"event: log\nid: {last_line}\ndata: {json.dumps(line)}\n\n"
        if status != last:
            last, quiet = status, 0.0
            yield f"event: progress\ndata: {json.dumps(status)}\n\n"
        if status["status"] in final:
            yield f"event: end\ndata: {json.dumps(status)}\n\n"
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(interval)
        quiet += interval
        if quiet >= KEEP_ALIVE_S:
            quiet = 0.0
            yield ": keep-alive\n\n"


async def _released_at_end(
    events: AsyncIterator[str], release: Callable[[], None]
) -> AsyncIterator[str]:
    try:
        async for event in events:
            yield event
    finally:
        release()


def event_stream(
    events: AsyncIterator[str], release: Callable[[], None] | None = None
) -> StreamingResponse:
    """The streaming response, unbuffered by proxies; `release` (a stream slot's) is called
    when it ends, however it ends."""
    if release is not None:
        events = _released_at_end(events, release)
        # A stream whose client left before its first event is never started, so its
        # `finally` never runs: the slot is also given back when the generator is dropped.
        weakref.finalize(events, release)
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
