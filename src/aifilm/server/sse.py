"""Server-sent events from a polled snapshot: `log` for each new log line, `progress`
whenever the status changes, then `end` once it reaches a final status, with a keep-alive
comment when nothing happens for 15 s (proxies close quiet connections)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

KEEP_ALIVE_S = 15.0


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


def event_stream(events: AsyncIterator[str]) -> StreamingResponse:
    """The streaming response, unbuffered by proxies."""
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
