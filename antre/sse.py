"""Server-sent events: the wire format and a stream that keeps a proxy from closing an idle page."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from fastapi.responses import StreamingResponse

HEARTBEAT_SECONDS = 15.0


def frame(data: Any, event: str = "message", event_id: str | int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def response(stream: AsyncIterator[str]) -> StreamingResponse:
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


async def next_or_heartbeat(queue: asyncio.Queue[Any], timeout: float = HEARTBEAT_SECONDS) -> Any | None:
    """The next item, or None after ``timeout`` (then send a heartbeat comment)."""
    try:
        return await asyncio.wait_for(queue.get(), timeout)
    except TimeoutError:
        return None


HEARTBEAT = ": keep-alive\n\n"
Snapshot = Callable[[], Awaitable[Any]]
