"""Fan-out of live updates to connected pages (server-sent events). Producers may be worker
threads (consumers run handlers there); listeners are asyncio queues on the server's loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


class Broadcaster:
    def __init__(self, max_queue: int = 1000) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listeners: dict[str, set[asyncio.Queue[Any]]] = {}
        self._max = max_queue

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish(self, topic: str, item: Any) -> None:
        """Thread-safe. A listener too slow to keep up loses items and must resync."""
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._deliver, topic, item)

    def _deliver(self, topic: str, item: Any) -> None:
        for queue in list(self._listeners.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(item)

    def count(self, topic: str | None = None) -> int:
        if topic is not None:
            return len(self._listeners.get(topic, ()))
        return sum(len(qs) for qs in self._listeners.values())

    @asynccontextmanager
    async def listen(self, topic: str) -> AsyncIterator[asyncio.Queue[Any]]:
        queue: asyncio.Queue[Any] = asyncio.Queue(self._max)
        self._listeners.setdefault(topic, set()).add(queue)
        try:
            yield queue
        finally:
            self._listeners[topic].discard(queue)
