"""Queue positions and forecast call times from the counters service, the owner of queue order.

One request per service per change, however many status pages are open: positions of a whole
service are fetched together, cached until the counters report a change in that service (or a few
seconds pass, since a ticket that joined the queue moves priority tickets ahead of others).
Forecasts are fetched the same way but kept for their period whatever changes: the counters make
them at most every few seconds anyway. A ticket missing from the kept forecasts (it joined since)
is asked for alone, and the counters make a new forecast that has it.

The kiosk's summary (how many wait per service, and the forecast at the back of each line) is one
answer for every kiosk for ``SUMMARY_SECONDS``: one count from the counters, and the kept
forecasts of the services where someone waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import httpx

from antre.privacy import ticket_key
from services.ticketing.domain.wayfinding import back_of_line

TTL_SECONDS = 5.0
SUMMARY_SECONDS = 10.0


class Positions:
    def __init__(self, counters: httpx.AsyncClient) -> None:
        self._counters = counters
        self._cache: dict[str, tuple[float, dict[str, int]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._forecasts: dict[str, tuple[float, dict[str, dict[str, Any]]]] = {}
        self._summary: tuple[float, dict[str, dict[str, Any]]] | None = None

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

    async def forecast_of(self, ticket_id: str, service: str) -> dict[str, Any] | None:
        """The ticket's forecast (``p50``, ``p90``, ``not_called``), None when there is none."""
        forecasts = await self._service_forecasts(service)
        if forecasts is None:
            return None
        found = forecasts.get(ticket_key(ticket_id))
        if found is None:  # joined since: the counters make this one's forecast at once
            found = await self._get(f"/api/v1/tickets/{ticket_id}/forecast", "forecast")
            if found:
                self._forecasts.pop(service, None)  # the counters now hold a newer one
        return found or None

    async def _service_forecasts(self, service: str) -> dict[str, dict[str, Any]] | None:
        async with self._locks.setdefault(f"forecast:{service}", asyncio.Lock()):
            cached = self._forecasts.get(service)
            if cached is None or time.monotonic() - cached[0] > TTL_SECONDS:
                fetched = await self._get(f"/api/v1/services/{service}/forecasts", "forecasts")
                if fetched is None:
                    return None
                cached = self._forecasts[service] = (time.monotonic(), fetched)
        return cached[1]

    async def summary(self, services: Sequence[str]) -> dict[str, dict[str, Any]] | None:
        """Per service: ``waiting`` (how many) and ``forecast`` (``p50``/``p90`` of the last in
        line, or None). Counts and times only, nothing that names a ticket. None when the counters
        cannot be asked."""
        async with self._locks.setdefault("summary", asyncio.Lock()):
            if self._summary is not None and time.monotonic() - self._summary[0] <= SUMMARY_SECONDS:
                return self._summary[1]
            waiting = await self._get("/api/v1/queues", "waiting")
            if waiting is None:
                return None
            busy = [s for s in services if waiting.get(s)]
            lines = await asyncio.gather(*(self._service_forecasts(s) for s in busy))
            last = {s: back_of_line((found or {}).values()) for s, found in zip(busy, lines, strict=True)}
            shaped = {
                s: {
                    "waiting": int(waiting.get(s) or 0),
                    "forecast": {"p50": f["p50"], "p90": f.get("p90")} if (f := last.get(s)) else None,
                }
                for s in services
            }
            self._summary = (time.monotonic(), shaped)
        return shaped

    async def _fetch(self, service: str) -> dict[str, int] | None:
        return await self._get(f"/api/v1/services/{service}/positions", "positions")

    async def _get(self, path: str, field: str) -> dict[str, Any] | None:
        try:
            response = await self._counters.get(path, timeout=2.0)
        except httpx.HTTPError:
            return None
        if response.status_code != 200:
            return None
        found = response.json()[field]
        return dict(found) if found is not None else None
