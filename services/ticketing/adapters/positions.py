"""Queue positions from the counters service, the owner of queue order.

One request per service per change, however many status pages are open: positions of a whole
service are fetched together, cached until the counters report a change in that service (or a few
seconds pass, since a ticket that joined the queue moves priority tickets ahead of others)."""

from __future__ import annotations

import asyncio
import time

import httpx

from antre.privacy import ticket_key

TTL_SECONDS = 5.0


class Positions:
    def __init__(self, counters: httpx.AsyncClient) -> None:
        self._counters = counters
        self._cache: dict[str, tuple[float, dict[str, int]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def changed(self, service: str) -> None:
        self._cache.pop(service, None)

    async def of(self, ticket_id: str, service: str) -> int | None:
        """None when the counters cannot be asked or do not know the ticket yet."""
        async with self._locks.setdefault(service, asyncio.Lock()):
            cached = self._cache.get(service)
            if cached is None or time.monotonic() - cached[0] > TTL_SECONDS:
                fetched = await self._fetch(service)
                if fetched is None:
                    return None
                cached = self._cache[service] = (time.monotonic(), fetched)
        return cached[1].get(ticket_key(ticket_id))

    async def _fetch(self, service: str) -> dict[str, int] | None:
        try:
            response = await self._counters.get(f"/api/v1/services/{service}/positions", timeout=2.0)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        return dict(response.json()["positions"])
