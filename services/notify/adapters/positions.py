"""Where booked tickets stand in their queue, asked of the counters service, which owns the queue
and the rules that order it: ``GET /api/v1/services/{service}/positions``, every waiting ticket of
a service in one answer, keyed by :func:`antre.privacy.ticket_key` (so the answer names no ticket
id; notify hashes the ids it holds to find its own).

Notify asks rather than keeping its own copy of the queue: the order depends on the hall's
dispatch rule (priority lane, streaks) and on each service's booking blend, which only counters
applies, and which moves booked tickets as their sessions begin. A copy would drift the day
either changes.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from antre.privacy import ticket_key


class PositionUnavailable(Exception):
    """Counters did not answer usefully; ask again later."""


class CountersPositions:
    def __init__(self, base_url: str, timeout: float = 2.0) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=timeout, follow_redirects=False)

    def positions(self, service: str, ticket_ids: list[str]) -> dict[str, int | None]:
        """Each ticket's position, 1 for the next to be called; None when it is not waiting
        (called, gone) or counters does not know it (yet)."""
        try:
            response = self._http.get(f"/api/v1/services/{quote(service, safe='')}/positions")
        except httpx.HTTPError as exc:
            raise PositionUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 404:  # a service the hall no longer has: nobody waits in it
            return dict.fromkeys(ticket_ids)
        if response.status_code != 200:
            raise PositionUnavailable(f"HTTP {response.status_code}")
        try:
            by_key = {str(k): int(v) for k, v in response.json()["positions"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PositionUnavailable(f"unreadable answer: {exc}") from exc
        return {ticket_id: by_key.get(ticket_key(ticket_id)) for ticket_id in ticket_ids}

    def close(self) -> None:
        self._http.close()
