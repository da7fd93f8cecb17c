"""Fan-out of live updates to connected pages (server-sent events). Producers may be worker
threads (consumers run handlers there); listeners are asyncio queues on the server's loop.

Replicas of a service share their consumers' work, so the replica that applied an event is often
not the one a page is connected to. Topics a service declares shared (:meth:`Broadcaster.share`)
are also handed to ``forward`` (the runtime sends them to the other replicas over plain NATS), and
what the others forward arrives through :meth:`Broadcaster.deliver_remote`. Only a note crosses:
a string item as it is, or the first element (a string) of a tuple item, with None for the rest;
listeners of shared topics must act on that alone (read the change from the database)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

Forward = Callable[[str, str, bool], None]  # topic, note, whether the item was a tuple


class Broadcaster:
    def __init__(self, max_queue: int = 1000) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listeners: dict[str, set[asyncio.Queue[Any]]] = {}
        self._max = max_queue
        self._shared: tuple[str, ...] = ()
        self._forward: Forward | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def share(self, *prefixes: str) -> None:
        """Topics starting with these prefixes reach the other replicas' listeners too."""
        self._shared += prefixes

    def forward_to(self, forward: Forward | None) -> None:
        """Where shared notes go (called on the loop); None while NATS is not connected."""
        self._forward = forward

    def publish(self, topic: str, item: Any) -> None:
        """Thread-safe. A listener too slow to keep up loses items and must resync."""
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._deliver, topic, item)
        if self._forward is not None and topic.startswith(self._shared):
            pair = isinstance(item, tuple)
            note = item[0] if pair and item else item
            if isinstance(note, str):
                self._loop.call_soon_threadsafe(self._forward, topic, note, pair)

    def deliver_remote(self, topic: str, note: str, tuple_item: bool) -> None:
        """A note another replica forwarded (on the loop)."""
        self._deliver(topic, (note, None) if tuple_item else note)

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
